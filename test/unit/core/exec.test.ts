import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { Runner, type TraceEvent } from '../../../src/core/exec.js';
import { VmcraftError } from '../../../src/core/errors.js';

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as VmcraftError);

describe('Runner', () => {
  it('returns stdout, stderr and the exit code, and traces the command', async () => {
    const traces: TraceEvent[] = [];
    const runner = new Runner({ onTrace: (e) => traces.push(e) });
    const result = await runner.run('sh', ['-c', 'echo out; echo err >&2']);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\n');
    expect(result.exitCode).toBe(0);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ argv: ['sh', '-c', 'echo out; echo err >&2'], exitCode: 0, ok: true });
  });

  it('turns a non-zero exit into ECOMMAND carrying argv, exit code and stderr', async () => {
    const err = await fail(new Runner().run('sh', ['-c', 'echo "disk is on fire" >&2; exit 3']));
    expect(err.code).toBe('ECOMMAND');
    expect(err.command?.exitCode).toBe(3);
    expect(err.command?.stderr).toBe('disk is on fire');
    expect(err.command?.argv[0]).toBe('sh');
    expect(err.message).toContain('exit code 3: disk is on fire');
  });

  it('accepts the exit codes it is told are fine', async () => {
    const result = await new Runner().run('sh', ['-c', 'exit 2'], { okExitCodes: [0, 2] });
    expect(result.exitCode).toBe(2);
  });

  it('reports a missing program as ETOOLMISSING', async () => {
    const err = await fail(new Runner().run('vmcraft-no-such-tool', []));
    expect(err.code).toBe('ETOOLMISSING');
    expect(err.message).toBe('vmcraft-no-such-tool is not installed: install the package that provides it');
  });

  it('names the distribution package of a missing tool it knows, with or without dieWithParent', async () => {
    for (const dieWithParent of [false, true]) {
      const err = await fail(new Runner().run('qemu-img', ['--version'], { env: { PATH: '/nonexistent' }, dieWithParent }));
      expect(err).toMatchObject({ code: 'ETOOLMISSING', message: 'qemu-img is not installed: install the package qemu-utils (Debian/Ubuntu) or qemu-img (Fedora/RHEL)' });
    }
    const bwrap = await fail(new Runner().run('bwrap', [], { env: { PATH: '/nonexistent' } }));
    expect(bwrap.message).toBe('bwrap is not installed: install the package bubblewrap');
  });

  it('with dieWithParent, a command dies with its parent even when the parent is SIGKILLed', async () => {
    const child = execa('node', ['--import', 'tsx', path.join(import.meta.dirname, '../../helpers/run-and-hang.ts')], { reject: false });
    const pid = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    expect(process.kill(pid, 0)).toBe(true);
    child.kill('SIGKILL');
    await child;
    const gone = async () => { try { process.kill(pid, 0); return false; } catch { return true; } };
    for (let i = 0; i < 200 && !(await gone()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await gone()).toBe(true);
  });

  it('with dieWithParent, still reports a missing program as ETOOLMISSING and the argv as given', async () => {
    const traces: TraceEvent[] = [];
    const err = await fail(new Runner({ onTrace: (e) => traces.push(e) }).run('vmcraft-no-such-tool', ['x'], { dieWithParent: true }));
    expect(err.code).toBe('ETOOLMISSING');
    expect(err.message).toContain('vmcraft-no-such-tool is not installed');
    expect(traces[0]!.argv).toEqual(['vmcraft-no-such-tool', 'x']);
  });

  it('kills a command that runs past its time limit (ETIMEOUT)', async () => {
    const started = Date.now();
    const err = await fail(new Runner().run('sleep', ['10'], { timeoutMs: 200 }));
    expect(err.code).toBe('ETIMEOUT');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills a command when its AbortSignal fires (EABORTED)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await fail(new Runner().run('sleep', ['10'], { signal: controller.signal }));
    expect(err.code).toBe('EABORTED');
  });

  it('redacts secrets from traces and errors', async () => {
    const traces: TraceEvent[] = [];
    const err = await fail(new Runner({ onTrace: (e) => traces.push(e) }).run('sh', ['-c', 'echo "bad key hunter2" >&2; exit 1', 'hunter2'], { redact: ['hunter2'] }));
    expect(JSON.stringify(traces)).not.toContain('hunter2');
    expect(err.message).not.toContain('hunter2');
    expect(err.command?.stderr).toBe('bad key ***');
  });

  it('gives the command extra fds: bytes to read, and pipes onSpawn talks over while it runs', async () => {
    const script = 'echo hello >&4; read reply <&3; echo "reply=$reply stdin=$(cat) fd5=$(cat <&5)"';
    const result = await new Runner().run('sh', ['-c', script], {
      input: 'in',
      extraFds: ['pipe', 'pipe', Buffer.from('bytes')],
      onSpawn: async ({ pid, fds }) => {
        expect(pid).toBeGreaterThan(0);
        expect(fds[2]).toBeUndefined();
        const line = await new Promise<string>((resolve) => fds[1]!.once('data', (d: Buffer) => resolve(d.toString())));
        fds[0]!.end(`${line.trim()}-back\n`);
      },
    });
    expect(result.stdout).toBe('reply=hello-back stdin=in fd5=bytes\n');
  });

  it('kills the command when onSpawn fails, and rejects with that error', async () => {
    const started = Date.now();
    const err = await fail(new Runner().run('sleep', ['30'], { extraFds: ['pipe'], onSpawn: async () => { throw new VmcraftError('EINVAL', 'setup failed'); } }));
    expect(err).toMatchObject({ code: 'EINVAL', message: 'setup failed' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('passes standard input and returns binary output when asked', async () => {
    const result = await new Runner().run('cat', [], { input: Buffer.from([0, 1, 2, 255]), binary: true });
    expect([...result.stdout]).toEqual([0, 1, 2, 255]);
  });

  it('reports stderr as text in binary mode too', async () => {
    const err = await fail(new Runner().run('sh', ['-c', 'printf "h\\303\\244ve no hive\\n" >&2; exit 95'], { binary: true }));
    expect(err.command?.stderr).toBe('häve no hive');
    expect(err.command?.exitCode).toBe(95);
  });

  it('retries a failure that shouldRetry calls transient', async () => {
    let calls = 0;
    const runner = new Runner({ onTrace: () => calls++ });
    const marker = `/tmp/vmcraft-retry-${process.pid}`;
    const script = `if [ -e ${marker} ]; then rm ${marker}; exit 0; else touch ${marker}; echo busy >&2; exit 1; fi`;
    await runner.runWithRetry('sh', ['-c', script], { shouldRetry: (e) => /busy/.test(e.command?.stderr ?? '') });
    expect(calls).toBe(2);
  });
});
