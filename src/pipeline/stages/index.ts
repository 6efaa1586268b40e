/** The built-in stages, in the one order they run. */
import type { Stage } from '../stage.js';
import { convertStage } from './convert.js';
import { fetchStage } from './fetch.js';
import { fixStage } from './fix.js';
import { flattenStage } from './flatten.js';
import { inspectStage } from './inspect.js';
import { validateStage } from './validate.js';

/** FETCH → FLATTEN → INSPECT → FIX → CONVERT → VALIDATE. */
export const BUILTIN_STAGE_TABLE: readonly Stage[] = [fetchStage, flattenStage, inspectStage, fixStage, convertStage, validateStage];
