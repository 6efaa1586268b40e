/**
 * Child process for the pipeline resume test: loads the YAML files given as
 * arguments, plans and runs them, printing every event as a JSON line, so
 * the test can kill it at a chosen moment.
 */
import { loadPipelineConfig, plan, run } from '../../src/index.js';

const report = await run(await plan(await loadPipelineConfig(process.argv.slice(2))), {
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ type: 'report', report })}\n`);
