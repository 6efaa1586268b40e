/**
 * The pipeline on BullMQ with a real Redis (password set) and `vmcraft worker`
 * processes: three tiny VMs over two workers, one worker SIGKILLed in CONVERT
 * (its VM finished by the other, resumed from its state); enqueuing again adds
 * nothing; a VM with no OS fails once; a worker that cannot reach an input
 * refuses the job; SIGTERM gives a running VM back and exits; the password
 * and the LUKS passphrases stay out of every output and of the jobs.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelVm, enqueuePipeline, loadPipelineConfig, pipelineStatus, type MigrationResult, type VmReport, type WorkerEvent } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { statusLine } from '../../../src/cli/queue.js';
import { cliRunner, type CliRun } from '../../helpers/cli.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { killTestWorkers, startTestWorker, type TestWorker } from '../../helpers/queue-worker.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { tinyLinuxImage } from '../../helpers/tiny-linux.js';

const PASSWORD = 'redis-pw-7f3a9c1e';
const PASSPHRASE = 'luks-passphrase-51d2';

let dir: string;
let remove: () => Promise<void>;
let redis: TestRedis;
/** Every line any CLI run or worker printed, checked for secrets at the end. */
const printed: string[] = [];

const env = () => ({ VMCRAFT_REDIS_URL: redis.url, VMCRAFT_REDIS_PASSWORD: PASSWORD, TMPDIR: dir });
const connection = () => ({ url: redis.url, password: PASSWORD });
const run = cliRunner(() => dir);

/** `vmcraft ARGS` with the Redis of the test in the environment. */
async function vmcraft(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const saved = { ...process.env };
  Object.assign(process.env, env(), extraEnv);
  try {
    const r = await run(args);
    printed.push(r.stdout, r.stderr);
    return r;
  } finally {
    for (const key of Object.keys({ ...env(), ...extraEnv })) if (saved[key] === undefined) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

function worker(queue: string, wrap: string[] = []): TestWorker {
  return startTestWorker(['--queue', queue, '--lock-duration', '2', '--trace'], env(), wrap);
}

async function stopped(w: TestWorker): Promise<void> {
  await w.proc;
  printed.push(w.stdout(), w.stderr());
}

/** Stops workers with SIGTERM and waits for them. */
async function terminate(...workers: TestWorker[]): Promise<void> {
  for (const w of workers) w.proc.kill('SIGTERM');
  await Promise.all(workers.map(stopped));
}

async function yaml(name: string, text: string): Promise<string> {
  await writeFile(path.join(dir, name), text);
  return path.join(dir, name);
}

async function report(output: string): Promise<VmReport> {
  return JSON.parse(await readFile(`${output}.report.json`, 'utf8')) as VmReport;
}

/** A running CONVERT that has copied something. */
const inConvert = (e: WorkerEvent) => e.type === 'pipeline' && e.event.type === 'progress' && e.event.stage === 'convert' && e.event.progress.percent > 0;
/** The end of a VM's job (with that outcome when given). */
const jobEnd = (vm: string, outcome?: string) => (e: WorkerEvent) => e.type === 'job-end' && e.vm === vm && (!outcome || e.outcome === outcome);

/** Writes a configuration and enqueues it with the CLI. */
async function enqueue(name: string, text: string, queue: string): Promise<CliRun> {
  return vmcraft(['pipeline', 'enqueue', await yaml(`${name}.yaml`, text), '--queue', queue]);
}

const statuses = (r: Pick<VmReport, 'stages'>) => Object.fromEntries(r.stages.map((s) => [s.name, s.status]));
const started = (events: WorkerEvent[], vm: string) => events.filter((e) => e.type === 'job-start' && e.vm === vm).length;

async function rawJob(queue: string, jobId: string): Promise<string> {
  return (await execa('redis-cli', ['-p', String(redis.port), '--no-auth-warning', '-a', PASSWORD, 'HGETALL', `bull:${queue}:${jobId}`])).stdout;
}

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('scale-queue'));
  redis = await startRedis();
  await execa('redis-cli', ['-p', String(redis.port), 'CONFIG', 'SET', 'requirepass', PASSWORD]);
  await mkdir(path.join(dir, 'out'));
  await mkdir(path.join(dir, 'far'));
  await tinyLinuxImage(dir, 'big.raw', { dataMiB: 96 });
  await tinyLinuxImage(dir, 'web.raw');
  await tinyLinuxImage(dir, 'db.raw');
  await tinyLinuxImage(path.join(dir, 'far'), 'far.raw');
  await tinyLinuxImage(dir, 'slow.raw', { dataMiB: 96 });
  await copyFile((await loadFixtures()).plain!.path, path.join(dir, 'nodisk.raw'));
  await writeFile(path.join(dir, 'keys.txt'), `${PASSPHRASE}\n`);
}, 120_000);

afterAll(async () => {
  await killTestWorkers();
  await redis?.stop();
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

const BATCH = [
  'retry: { attempts: 3, backoffSec: 1 }',
  'stages: [fetch, flatten, inspect, fix, convert, validate]',
  'vms:',
  '  - name: big', '    input: [big.raw]', '    output: { path: out/big.qcow2, compress: true }', '    fixers: [fstab]',
  '  - name: web', '    input: [web.raw]', '    output: { path: out/web.qcow2 }', '    fixers: [fstab]', '    keyFile: keys.txt',
  '  - name: db', '    input: [db.raw]', '    output: { path: out/db.qcow2 }', '    fixers: [fstab]', '',
].join('\n');

describe('vmcraft on a queue', () => {
  it('three VMs, two workers, one SIGKILLed in CONVERT: every VM migrated once, the killed one resumed by the other worker', async () => {
    const config = await yaml('batch.yaml', BATCH);
    const enq = await vmcraft(['pipeline', 'enqueue', config, '--queue', 'batch', '--json']);
    expect(enq.exitCode).toBe(0);
    expect((JSON.parse(enq.stdout) as { added: { vm: string }[] }).added.map((a) => a.vm)).toEqual(['big', 'web', 'db']);

    const first = worker('batch');
    // big is first on the queue: the first worker takes it; the second starts once big is under way.
    await first.waitFor((e) => e.type === 'job-start' && e.vm === 'big');
    const second = worker('batch');
    const stateFile = path.join(dir, 'out/big.qcow2.vmcraft-state.json');
    const recorded = async () => Object.keys((JSON.parse(await readFile(stateFile, 'utf8').catch(() => '{}')) as { stages?: object }).stages ?? {});
    await first.waitFor(inConvert);
    expect(await recorded()).toEqual(['fetch', 'flatten', 'inspect', 'fix']);
    first.proc.kill('SIGKILL'); // a crash: none of its own cleanup runs
    await stopped(first);

    // The second worker does web and db, then big once BullMQ sees the first worker's job stalled.
    await second.waitFor(jobEnd('big'), 90_000);
    for (const vm of ['web', 'db']) await second.waitFor(jobEnd(vm));
    const list = await pipelineStatus({ connection: connection(), queue: 'batch' });
    expect(list.map((s) => [s.vm, s.state])).toEqual([['big', 'done'], ['db', 'done'], ['web', 'done']]);
    for (const s of list) {
      const result = s.result as MigrationResult;
      const output = path.join(dir, `out/${s.vm}.qcow2`);
      expect(result).toMatchObject({ status: 'ok', reportFile: `${output}.report.json` });
      expect(result.produced[0]!.sha256).toBe(await sha256File(output));
      await execa('qemu-img', ['check', output]);
    }
    // Each VM finished once; big's second run reused the stages the killed worker had finished.
    const ends = [...first.events, ...second.events].filter((e) => e.type === 'job-end' && e.outcome === 'done');
    expect(ends.map((e) => (e as { vm: string }).vm).sort()).toEqual(['big', 'db', 'web']);
    expect(started(second.events, 'big')).toBe(1);
    expect(statuses(await report(path.join(dir, 'out/big.qcow2')))).toEqual({ fetch: 'reused', flatten: 'reused', inspect: 'reused', fix: 'reused', convert: 'done', validate: 'done' });
    expect(statuses(await report(path.join(dir, 'out/web.qcow2')))).toEqual({ fetch: 'done', flatten: 'done', inspect: 'done', fix: 'done', convert: 'done', validate: 'done' });
    // Its lock and the killed conversion's temp are gone.
    expect((await readdir(path.join(dir, 'out'))).filter((f) => f.endsWith('.lock') || f.startsWith('.big'))).toEqual([]);

    // The same batch again: nothing added, nothing run.
    const again = await vmcraft(['pipeline', 'enqueue', config, '--queue', 'batch']);
    expect(again.stdout.split('\n').sort()).toEqual(['big', 'db', 'web'].map((vm) => expect.stringMatching(new RegExp(`^${vm}: already on the queue, completed \\(job ${vm}-[0-9a-f]{16}\\)$`))));
    await new Promise((r) => setTimeout(r, 3000));
    expect(second.events.filter((e) => e.type === 'job-start')).toHaveLength(3);

    const status = await vmcraft(['pipeline', 'status', '--queue', 'batch']);
    expect(status.stdout).toContain(`big  done     ${path.join(dir, 'out/big.qcow2.report.json')}`);
    expect(status.stdout).toContain('3 VM(s): 0 waiting, 0 active, 3 done, 0 failed');
    // The job holds the key file's path, never the passphrase (nor the Redis password).
    const webJob = list.find((s) => s.vm === 'web')!.jobId;
    const raw = await rawJob('batch', webJob);
    expect(raw).toContain(path.join(dir, 'keys.txt'));
    expect(raw).not.toContain(PASSPHRASE);
    expect(raw).not.toContain(PASSWORD);

    second.proc.kill('SIGTERM');
    await stopped(second);
    expect(second.proc.exitCode).toBe(0);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  }, 240_000);

  it('a VM with no OS fails once with EINSPECT and is not tried again', async () => {
    await enqueue('nodisk', 'retry: { attempts: 3, backoffSec: 1 }\nvms:\n  - name: nodisk\n    input: [nodisk.raw]\n    output: { path: out/nodisk.qcow2 }\n', 'nodisk');
    const w = worker('nodisk');
    const end = await w.waitFor(jobEnd('nodisk'));
    expect(end).toMatchObject({ outcome: 'failed', error: { code: 'EINSPECT' } });
    await new Promise((r) => setTimeout(r, 4000)); // past two backoffs: a retry would have started
    expect(started(w.events, 'nodisk')).toBe(1);
    const status = await vmcraft(['pipeline', 'status', '--queue', 'nodisk', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject([{ vm: 'nodisk', state: 'failed', attempts: { made: 1, max: 3 }, error: { code: 'EINSPECT', message: expect.stringContaining('no operating system found') } }]);
    const human = await vmcraft(['pipeline', 'status', '--queue', 'nodisk']);
    expect(human.stdout).toMatch(/^nodisk  failed   EINSPECT: no operating system found.*\(1 of 3 tries\)$/m);
    // --watch ends once every VM is done or failed, with 1 when one failed.
    const watch = await vmcraft(['pipeline', 'status', '--queue', 'nodisk', '--watch', '1', '--json']);
    expect(watch.exitCode).toBe(1);
    expect(JSON.parse(watch.stdout)).toMatchObject({ vms: [{ vm: 'nodisk', state: 'failed' }] });
    await terminate(w);
  }, 60_000);

  it('a worker that cannot reach an input refuses the job before starting; a worker that can does it', async () => {
    await enqueue('far', 'retry: { attempts: 3, backoffSec: 5 }\nvms:\n  - name: far\n    input: [far/far.raw]\n    output: { path: out/far.qcow2 }\n    fixers: [fstab]\n', 'far');
    // A host where the storage holding the input is not mounted: an empty tmpfs over it, in the worker's own mount namespace.
    const blind = worker('far', ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs none ${path.join(dir, 'far')} && exec "$@"`, 'sh']);
    const refused = await blind.waitFor(jobEnd('far'));
    expect(refused).toMatchObject({ outcome: 'retry', error: { code: 'ENOENT' } });
    expect((refused as { error: { message: string } }).error.message).toContain(`refuses far before starting: it cannot reach the input ${path.join(dir, 'far/far.raw')}`);
    expect(blind.events.some((e) => e.type === 'pipeline')).toBe(false); // no stage ran
    // SIGTERM of an idle worker: it stops at once and exits 0.
    blind.proc.kill('SIGTERM');
    await stopped(blind);
    expect(blind.proc.exitCode).toBe(0);
    const [waiting] = await pipelineStatus({ connection: connection(), queue: 'far' });
    expect(waiting).toMatchObject({ vm: 'far', state: expect.stringMatching(/^(waiting|delayed)$/), error: { code: 'ENOENT' } });
    const seeing = worker('far');
    await seeing.waitFor(jobEnd('far', 'done'));
    await terminate(seeing);
  }, 90_000);

  it('SIGTERM during CONVERT: the VM goes back to the queue without using a try, the worker exits 0, the next one resumes', async () => {
    await enqueue('slow', 'vms:\n  - name: slow\n    input: [slow.raw]\n    output: { path: out/slow.qcow2, compress: true }\n    fixers: [fstab]\n', 'slow');
    const w = worker('slow');
    await w.waitFor(inConvert);
    w.proc.kill('SIGTERM');
    await stopped(w);
    expect(w.proc.exitCode).toBe(0);
    expect(w.events.at(-1)).toMatchObject({ type: 'job-end', vm: 'slow', outcome: 'requeued', error: { code: 'EABORTED' } });
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
    expect((await readdir(path.join(dir, 'out'))).filter((f) => f.startsWith('.slow') || f === 'slow.qcow2.vmcraft-state.json.lock')).toEqual([]);
    const [back] = await pipelineStatus({ connection: connection(), queue: 'slow' });
    expect(back).toMatchObject({ state: 'waiting', attempts: { made: 0 } });
    const next = worker('slow');
    await next.waitFor(jobEnd('slow', 'done'));
    expect(statuses(await report(path.join(dir, 'out/slow.qcow2')))).toMatchObject({ fetch: 'reused', flatten: 'reused', inspect: 'reused', fix: 'reused', convert: 'done' });
    await terminate(next);
  }, 90_000);

  it('a stalled job that comes back while its worker still runs it waits for the VM lock: the VM is never run twice at once', async () => {
    await enqueue('held', 'retry: { attempts: 5, backoffSec: 2 }\nvms:\n  - name: held\n    input: [slow.raw]\n    output: { path: out/held.qcow2, compress: true }\n    fixers: [fstab]\n', 'held');
    const a = worker('held');
    await a.waitFor((e) => e.type === 'pipeline' && e.event.type === 'stage-start' && e.event.stage === 'convert');
    // A frozen worker: alive, but silent to Redis, so BullMQ hands its job to the next worker.
    process.kill(a.pid, 'SIGSTOP');
    const b = worker('held');
    try {
      const busy = await b.waitFor(jobEnd('held'), 30_000);
      expect(busy).toMatchObject({ outcome: 'retry', error: { code: 'EBUSY', message: expect.stringContaining(`the VM is being migrated by pid ${a.pid}`) } });
      expect(b.events.some((e) => e.type === 'pipeline')).toBe(false);
    } finally {
      process.kill(a.pid, 'SIGCONT');
    }
    await a.waitFor(jobEnd('held', 'done'));
    // The first worker lost the job while frozen: its result is not taken; a later try (on either worker, once the
    // first has released the VM) finds every stage done. Only one conversion of the VM ever ran.
    let held = (await pipelineStatus({ connection: connection(), queue: 'held' }))[0]!;
    for (const deadline = Date.now() + 60_000; held.state !== 'done' && held.state !== 'failed' && Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      held = (await pipelineStatus({ connection: connection(), queue: 'held' }))[0]!;
    }
    expect(held).toMatchObject({ state: 'done', result: { status: 'ok' } });
    expect(held.attempts.made).toBeGreaterThan(1);
    const conversions = [...a.events, ...b.events].filter((e) => e.type === 'pipeline' && e.event.type === 'stage-end' && e.event.stage === 'convert' && e.event.status === 'done');
    expect(conversions).toHaveLength(1);
    expect(statuses(await report(path.join(dir, 'out/held.qcow2')))).toEqual({ fetch: 'reused', flatten: 'reused', inspect: 'reused', fix: 'reused', convert: 'reused', validate: 'reused' });
    await terminate(a, b);
  }, 120_000);

  it('cancel: a waiting VM is removed, a running one stopped by its worker (EABORTED, no retry); retry runs it again from its state', async () => {
    await enqueue('cancel', 'retry: { attempts: 3, backoffSec: 1 }\nvms:\n  - name: stopme\n    input: [slow.raw]\n    output: { path: out/stopme.qcow2, compress: true }\n    fixers: [fstab]\n  - name: dropme\n    input: [web.raw]\n    output: { path: out/dropme.qcow2 }\n', 'cancel');
    const dropped = await vmcraft(['pipeline', 'cancel', 'dropme', '--queue', 'cancel']);
    expect(dropped.stdout).toBe('dropme: removed from the queue');
    const w = worker('cancel');
    await w.waitFor(inConvert);
    // A running VM: where, which stage, how far (the job's progress), as `status` prints it.
    const [running] = await pipelineStatus({ connection: connection(), queue: 'cancel' });
    expect(running).toMatchObject({ vm: 'stopme', state: 'active', progress: { host: os.hostname(), pid: w.pid, stage: 'convert' } });
    expect(statusLine(running!, 6)).toMatch(new RegExp(`^stopme  active   on ${os.hostname()}:${w.pid} convert( \\d+%)? \\(try 1 of 3\\)$`));
    // (The library's cancel: the CLI's takes a second to start, and the tiny VM's CONVERT is not much longer.)
    expect(await cancelVm('stopme', { connection: connection(), queue: 'cancel' })).toMatchObject({ was: 'active' });
    expect(await w.waitFor(jobEnd('stopme'))).toMatchObject({ outcome: 'failed', error: { code: 'EABORTED' } });
    await new Promise((r) => setTimeout(r, 2500)); // past the backoff: a retry would have started
    expect(started(w.events, 'stopme')).toBe(1);
    expect(await pipelineStatus({ connection: connection(), queue: 'cancel' })).toMatchObject([{ vm: 'stopme', state: 'failed', error: { code: 'EABORTED', message: expect.stringContaining('cancelled') } }]);
    expect((await vmcraft(['pipeline', 'cancel', 'nosuchvm', '--queue', 'cancel'])).stderr).toContain('no VM named "nosuchvm" on the queue cancel');
    const retried = await vmcraft(['pipeline', 'retry', 'stopme', '--queue', 'cancel']);
    expect(retried.stdout).toMatch(/^stopme: waiting again \(job stopme-[0-9a-f]{16}\)$/);
    await w.waitFor(jobEnd('stopme', 'done'));
    // (CONVERT is reused too when the cancellation reached the worker after it: then VALIDATE was stopped.)
    expect(statuses(await report(path.join(dir, 'out/stopme.qcow2')))).toMatchObject({ fetch: 'reused', flatten: 'reused', inspect: 'reused', fix: 'reused', validate: 'done' });
    expect((await vmcraft(['pipeline', 'retry', 'dropme', '--queue', 'cancel'])).exitCode).toBe(1);
    await terminate(w);
  }, 90_000);

  it('passphrases in the plan are refused; a wrong or missing password fails with a clear error that does not show it', async () => {
    const inline = await loadPipelineConfig([await yaml('inline.yaml', `vms:\n  - name: web\n    input: [web.raw]\n    output: { path: out/inline.qcow2 }\n    keys: [${PASSPHRASE}]\n`)]);
    const refused = enqueuePipeline(inline, { connection: connection(), queue: 'inline' });
    await expect(refused).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('give them in a key file') });
    await expect(refused).rejects.not.toMatchObject({ message: expect.stringContaining(PASSPHRASE) });

    const wrong = await vmcraft(['pipeline', 'status', '--queue', 'batch'], { VMCRAFT_REDIS_PASSWORD: 'wrong-pw-0c4d' });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/EIO: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: WRONGPASS/);
    expect(wrong.stderr).not.toContain('wrong-pw-0c4d');
    // A password written in the URL works, and is never shown, not even when the server is not there.
    const inUrl = await vmcraft(['pipeline', 'status', '--queue', 'batch', '--redis', `redis://:${PASSWORD}@127.0.0.1:${redis.port}`], { VMCRAFT_REDIS_PASSWORD: '' });
    expect(inUrl.stdout).toContain('3 done');
    const gone = await vmcraft(['pipeline', 'status', '--redis', `redis://:${PASSWORD}@127.0.0.1:1`, '--trace'], { VMCRAFT_REDIS_PASSWORD: '' });
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
    const noUrl = await vmcraft(['pipeline', 'status'], { VMCRAFT_REDIS_URL: '' });
    expect(noUrl.stderr).toContain('no Redis given: pass --redis URL or set VMCRAFT_REDIS_URL');
    for (const text of printed) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(PASSPHRASE);
    }
  }, 60_000);
});
