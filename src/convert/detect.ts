/**
 * Format detection moved to attach/detect.ts. This re-export stays only while
 * modules others are editing still import it from here (src/index.ts,
 * src/api/options.ts, src/cli/main.ts, src/cli/output.ts, src/convert/convert.ts,
 * src/pipeline/stages/fetch.ts, src/pipeline/stages/validate.ts); remove it
 * once they import ../attach/detect.js.
 */
export * from '../attach/detect.js';
