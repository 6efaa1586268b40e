/**
 * Chain resolution moved to attach/chain.ts. This re-export stays only while
 * modules others are editing still import it from here (src/convert/convert.ts,
 * src/pipeline/stages/fetch.ts); remove it once they import ../attach/chain.js.
 */
export * from '../attach/chain.js';
