/**
 * Test doubles for the storage layers: a runner that records every argv and
 * answers from canned output (no tool runs), a LayerContext around it, and
 * the captured command outputs of test/fixtures/cmd-output.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CleanupStack } from '../../../src/core/cleanup.js';
import { Runner, type RunOptions, type RunResult } from '../../../src/core/exec.js';
import type { LayerContext, LuksKey } from '../../../src/storage/types.js';

/** A captured real command output (how each was made: test/fixtures/cmd-output/capture-storage.sh). */
export const sample = (name: string): string => readFileSync(new URL(`../../fixtures/cmd-output/${name}`, import.meta.url), 'utf8');

/** One command the code under test asked to run. */
export interface RecordedCall { file: string; args: string[]; options: RunOptions }

/** What a canned command answers: its stdout, or an error to throw. */
export type Reply = string | Error;

/** A Runner that runs nothing: records each call and answers with `reply(call)` (blkid finds nothing by default). */
export class RecordingRunner extends Runner {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly reply: (call: RecordedCall) => Reply | undefined = () => undefined) {
    super();
  }

  /** The calls of one program, as `file args…` arrays. */
  argvs(file?: string): string[][] {
    return this.calls.filter((c) => file === undefined || c.file === file).map((c) => [c.file, ...c.args]);
  }

  override run(file: string, args: readonly string[], options: RunOptions & { binary: true }): Promise<RunResult<Buffer>>;
  override run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult<string>>;
  override async run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult<string | Buffer>> {
    const call = { file, args: [...args], options };
    this.calls.push(call);
    const answer = this.reply(call) ?? '';
    if (answer instanceof Error) throw answer;
    return { stdout: options.binary ? Buffer.from(answer) : answer, stderr: '', exitCode: 0, durationMs: 0 };
  }
}

/** A layer context on `runner` with a fresh work directory; `warnings` collects what it was told. */
export async function fakeContext(runner: Runner, options: { readonly?: boolean; keys?: LuksKey[]; kernel?: LayerContext['kernel'] } = {}): Promise<LayerContext & { warnings: string[]; cleanup: CleanupStack; dispose(): Promise<void> }> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-unit-storage-'));
  const warnings: string[] = [];
  return {
    runner,
    cleanup: new CleanupStack(),
    readonly: options.readonly ?? true,
    workDir,
    keys: options.keys ?? [],
    kernel: options.kernel ?? { deviceMapper: true, md: true },
    warnings,
    warn: (message: string) => void warnings.push(message),
    dispose: () => rm(workDir, { recursive: true, force: true }),
  };
}
