/**
 * `vmcraft dashboard` against a running migration: a real Redis (with a
 * password), four VMs put on the queue by enqueuePipeline and run by a real
 * `vmcraft worker` process (concurrency 1) — done (its report written by the
 * pipeline), failed (no OS found), running (a VM big enough for CONVERT to
 * take a while), waiting behind it. Once the running VM's progress in Redis
 * shows CONVERT and a percent, the worker is frozen (SIGSTOP: the job stays
 * active with that progress while its 120 s lock lasts), and headless
 * Chromium looks: the VM table and bull-board show each VM's state, host,
 * stage, percent, report link and error. Also: the token, the refusal to
 * listen elsewhere without one, report links confined to the recorded
 * report, no secret (Redis password, token, LUKS passphrase of a key file)
 * in any page, Redis going away and back, the worker's SIGTERM giving its VM
 * back (shown waiting again), the dashboard's SIGTERM, and nothing left
 * running afterwards.
 */
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE, enqueuePipeline, pipelineStatus, type PipelineConfig, type VmQueueStatus } from '../../../src/index.js';
import { startDashboard } from '../../../src/scale/dashboard.js';
import { CLI, cliRunner } from '../../helpers/cli.js';
import { rejected } from '../../helpers/thrown.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { killTestWorkers, startTestWorker, type TestWorker } from '../../helpers/queue-worker.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { scratchDir } from '../../helpers/images.js';
import { tinyLinuxImage } from '../../helpers/tiny-linux.js';

const PASSWORD = 'redis-pw-Zq81xT';
const TOKEN = 'dash-token-4f9c2e71b0aa';
const PASSPHRASE = 'luks-pass-Hk27';
const RUNNING = 'vm-running';

let scratch: { dir: string; remove: () => Promise<void> };
let redis: TestRedis;
/** The Redis URL with the password in it, as the dashboard is given it. */
let url: string;
/** Each VM's job id, as enqueuePipeline made it. */
let ids: Record<string, string>;
let worker: TestWorker;
/** The running VM's progress as Redis holds it while its worker is frozen. */
let frozen: NonNullable<VmQueueStatus['progress']>;
let dashboard: ResultPromise;
let base: string;
let browser: Browser | undefined;
const cli = cliRunner(() => scratch.dir);
const queueOptions = () => ({ connection: { url: redis.url, password: PASSWORD }, queue: DEFAULT_QUEUE });

/** What the page tells about one VM. */
interface Row { state: string; host: string; stage: string; percent: string; report: string; error: string }

async function redisCli(...args: string[]): Promise<string> {
  return (await execa('redis-cli', ['-p', String(redis.port), '--no-auth-warning', '-a', PASSWORD, ...args])).stdout;
}

/** Waits until `check` returns true (polling), at most `ms`. */
async function until(check: () => Promise<boolean>, ms = 20_000, what = 'the condition'): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** Where `vm` stands on the queue now. */
async function statusOf(vm: string): Promise<VmQueueStatus | undefined> {
  return (await pipelineStatus(queueOptions())).find((s) => s.vm === vm);
}

/** Starts `vmcraft dashboard` on a free port; resolves with its base URL once it says where it listens. */
async function startDashboardCli(): Promise<{ child: ResultPromise; base: string }> {
  const child = execa('node', ['--import', 'tsx', CLI, 'dashboard', '--redis', url, '--listen', '127.0.0.1:0'], { env: { VMCRAFT_DASHBOARD_TOKEN: TOKEN, TMPDIR: scratch.dir }, reject: false, buffer: true });
  const found = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void child.then((r) => reject(new Error(`dashboard exited: ${String(r.stderr)}`)));
  });
  return { child, base: found };
}

async function rows(page: Page): Promise<Record<string, Row>> {
  return page.$$eval('tr[data-vm]', (trs) => Object.fromEntries(trs.map((tr) => {
    const cell = (c: string) => (tr.querySelector(`td.${c}`)?.textContent ?? '').trim();
    return [tr.getAttribute('data-vm'), { state: cell('state'), host: cell('host'), stage: cell('stage'), percent: cell('percent'), report: tr.querySelector('td.report a')?.getAttribute('href') ?? '', error: cell('error') }];
  })));
}

/** The /vms table as Chromium shows it (the token given once, the cookie taking over). */
async function vmTable(): Promise<Record<string, Row>> {
  const page = await browser!.newPage();
  try {
    await page.goto(`${base}vms?token=${TOKEN}`);
    return await rows(page);
  } finally {
    await page.close();
  }
}

/** Chromium processes started with our profile directory. */
async function chromiumsOf(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir) && cmdline.includes('chrom')) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Stops the worker with SIGTERM, sent while it is frozen so that it is the first thing it sees once thawed, and
 * waits for it (process.kill, not execa's kill, which would follow with SIGKILL after 5 s).
 */
async function stopWorker(): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGCONT'] as const) process.kill(worker.pid, signal);
  await worker.proc;
}

/** The batch: one VM for each state the dashboard shows, in the order the worker takes them. */
function batch(dir: string): PipelineConfig {
  const vm = (name: string, extra: Partial<PipelineConfig['vms'][number]> = {}) => ({ name, input: [path.join(dir, `${name}.raw`)], output: { path: path.join(dir, 'out', `${name}.qcow2`) }, ...extra });
  const keyFile = path.join(dir, 'keys.txt');
  return {
    retry: { attempts: 2, backoffSec: 1 },
    vms: [
      vm('vm-done', { fixers: ['fstab'], keyFile }),
      vm('vm-noos'), // a blank disk: INSPECT finds no OS
      // 160 MiB of random data, compressed: CONVERT takes a few seconds, its percent in Redis every 0.5 s.
      vm(RUNNING, { output: { path: path.join(dir, 'out', `${RUNNING}.qcow2`), compress: true }, fixers: ['fstab'], keyFile }),
      vm('vm-waiting'), // behind vm-running: the worker runs one VM at a time
    ],
  };
}

beforeAll(async () => {
  scratch = await scratchDir('dashboard');
  const { dir } = scratch;
  redis = await startRedis();
  await execa('redis-cli', ['-p', String(redis.port), 'CONFIG', 'SET', 'requirepass', PASSWORD]);
  url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
  await mkdir(path.join(dir, 'out'));
  await tinyLinuxImage(dir, 'vm-done.raw');
  await tinyLinuxImage(dir, `${RUNNING}.raw`, { dataMiB: 160 });
  await execa('truncate', ['-s', '1M', path.join(dir, 'vm-noos.raw'), path.join(dir, 'vm-waiting.raw')]);
  await writeFile(path.join(dir, 'keys.txt'), `${PASSPHRASE}\n`);
  const { added } = await enqueuePipeline(batch(dir), queueOptions());
  ids = Object.fromEntries(added.map((a) => [a.vm, a.jobId]));
  // The password by the environment; a lock long enough to outlast the frozen worker.
  worker = startTestWorker(['--concurrency', '1', '--lock-duration', '120'], { VMCRAFT_REDIS_URL: redis.url, VMCRAFT_REDIS_PASSWORD: PASSWORD, TMPDIR: dir });
  await until(async () => {
    const s = await statusOf(RUNNING);
    if (s?.state === 'done' || s?.progress?.stages.some((stage) => stage.name === 'convert')) throw new Error(`${RUNNING}'s CONVERT ended before its percent was seen (a bigger image would convert longer)`);
    return s?.state === 'active' && s.progress?.stage === 'convert' && (s.progress.percent ?? 0) > 0;
  }, 100_000, `${RUNNING} in CONVERT with a percent`);
  process.kill(worker.pid, 'SIGSTOP');
  // A progress update sent just before the freeze may still land: take the progress once it holds still.
  let last = '';
  await until(async () => {
    const progress = (await statusOf(RUNNING))?.progress;
    const same = JSON.stringify(progress) === last;
    last = JSON.stringify(progress);
    if (same) frozen = progress!;
    return same;
  }, 10_000, 'the frozen progress');
  ({ child: dashboard, base } = await startDashboardCli());
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'], userDataDir: path.join(dir, 'chromium') });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (dashboard && dashboard.exitCode === null) dashboard.kill('SIGKILL');
  if (worker?.proc.exitCode === null) await Promise.race([stopWorker().catch(() => undefined), new Promise((r) => setTimeout(r, 15_000))]);
  await killTestWorkers();
  await redis?.stop();
  await scratch?.remove();
}, 30_000);

describe('vmcraft dashboard', () => {
  it('shows every VM with its state, host, stage, percent, report link and error (the /vms page, in Chromium)', async () => {
    const page = await browser!.newPage();
    // ?token= once: the cookie takes over and the address loses the token.
    await page.goto(`${base}vms?token=${TOKEN}`);
    expect(page.url()).toBe(`${base}vms`);
    const table = await rows(page);
    const host = os.hostname();
    expect(frozen).toMatchObject({ host, pid: worker.pid, stage: 'convert' });
    expect(table['vm-done']).toEqual({ state: 'done', host, stage: '', percent: '', report: `/vms/${ids['vm-done']}/report`, error: '' });
    expect(table['vm-noos']).toMatchObject({ state: 'failed', report: '', error: "EINSPECT no operating system found on vm-noos's disks" });
    expect(table[RUNNING]).toEqual({ state: 'running', host, stage: 'convert', percent: `${frozen.percent}%`, report: '', error: '' });
    expect(table['vm-waiting']).toEqual({ state: 'waiting', host: '', stage: '', percent: '', report: '', error: '' });
    // The report link serves the report the pipeline wrote.
    await page.click('tr[data-vm="vm-done"] td.report a');
    const text = await page.$eval('body', (b) => b.textContent ?? '');
    const report = JSON.parse(text) as { name: string; status: string; produced: { path: string }[] };
    expect(report).toMatchObject({ name: 'vm-done', status: 'ok' });
    expect(report.produced[0]!.path).toBe(path.join(scratch.dir, 'out', 'vm-done.qcow2'));
    expect(text).not.toContain(PASSPHRASE);
    await page.close();
  });

  it('bull-board (read-only) shows the jobs of every state: the running one with stage, percent and host, the failed one with its error', async () => {
    const page = await browser!.newPage();
    const seen: string[] = [];
    page.on('response', (r) => void r.text().then((t) => seen.push(t), () => undefined));
    await page.goto(`${base}?token=${TOKEN}`);
    const text = async (status: string, expected: string) => {
      await page.goto(`${base}queue/${DEFAULT_QUEUE}?status=${status}`);
      await page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(expected)})`, { timeout: 15_000 });
      return String(await page.evaluate('document.body.innerText'));
    };
    expect(await text('active', `${RUNNING} — convert ${frozen.percent}% on ${os.hostname()}`)).toContain(RUNNING);
    expect(await text('waiting', 'vm-waiting')).toContain('vm-waiting');
    expect(await text('failed', "no operating system found on vm-noos's disks")).toContain('EINSPECT');
    await text('completed', `vm-done — ok on ${os.hostname()}`);
    // The finished job links its report; read-only: no retry, clean or delete buttons.
    expect(await page.$eval(`a[href="/vms/${ids['vm-done']}/report"]`, (a) => a.textContent)).toBe('report');
    const buttons = await page.$$eval('button', (bs) => bs.map((b) => `${b.textContent ?? ''} ${b.getAttribute('title') ?? ''}`.toLowerCase()).join('|'));
    expect(buttons).not.toMatch(/retry|clean|delete|remove|promote/);
    // The job data shown names the key file, never the passphrase; no page or answer carries the token or a password.
    const api = await (await fetch(`${base}api/queues/${DEFAULT_QUEUE}/${ids[RUNNING]}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(api).toContain(`"keyFile":${JSON.stringify(path.join(scratch.dir, 'keys.txt'))}`);
    for (const body of [...seen, api, await page.content()]) {
      expect(body).not.toContain(PASSPHRASE);
      expect(body).not.toContain(PASSWORD);
      expect(body).not.toContain(TOKEN);
    }
    await page.close();
  });

  it('needs the token on every request; is read-only', async () => {
    expect((await fetch(`${base}vms`)).status).toBe(401);
    expect((await fetch(`${base}api/queues`)).status).toBe(401);
    expect((await fetch(`${base}vms?token=not-the-token-at-all`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${base}vms`, { headers: { Authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
    const ok = await fetch(`${base}vms`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    const viaQuery = await fetch(`${base}vms?token=${TOKEN}`, { redirect: 'manual' });
    expect(viaQuery.status).toBe(303);
    expect(viaQuery.headers.get('location')).toBe('/vms');
    expect(viaQuery.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const retry = await fetch(`${base}api/queues/${DEFAULT_QUEUE}/retry/failed`, { method: 'PUT', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(retry.status).toBe(405);
    expect(await statusOf('vm-noos')).toMatchObject({ state: 'failed', attempts: { made: 1 } });
  });

  it('serves only the report recorded in a finished job: no path from the request, no link, no rewritten result', async () => {
    const get = (p: string) => fetch(`${base}${p}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    for (const attempt of ['vms/..%2F..%2F..%2Fetc%2Fpasswd/report', 'vms/%2Fetc%2Fpasswd/report', `vms/${ids['vm-noos']}/report`, `vms/${ids['vm-waiting']}/report`, `vms/${ids[RUNNING]}/report`]) {
      const r = await get(attempt);
      expect(r.status, attempt).toBe(404);
      expect(await r.text()).not.toContain('root:');
    }
    // A result rewritten in Redis to point elsewhere (through ..) is refused.
    const done = `vms/${ids['vm-done']}/report`;
    const jobKey = `bull:${DEFAULT_QUEUE}:${ids['vm-done']}`;
    const original = await redisCli('HGET', jobKey, 'returnvalue');
    const result = JSON.parse(original) as { reportFile: string };
    await redisCli('HSET', jobKey, 'returnvalue', JSON.stringify({ ...result, reportFile: `${path.dirname(result.reportFile)}/../../../../etc/passwd.json` }));
    expect((await get(done)).status).toBe(403);
    await redisCli('HSET', jobKey, 'returnvalue', JSON.stringify({ ...result, reportFile: '/etc/passwd' }));
    expect((await get(done)).status).toBe(403);
    await redisCli('HSET', jobKey, 'returnvalue', original);
    expect((await get(done)).status).toBe(200);
    // The report replaced by a symbolic link to another file is not followed.
    await rm(result.reportFile);
    await symlink('/etc/passwd', result.reportFile);
    const linked = await get(done);
    expect(linked.status).toBe(403);
    expect(await linked.text()).not.toContain('root:');
  });

  it('refuses to listen on 0.0.0.0 without a token (exit 2)', async () => {
    const r = await cli(['dashboard', '--redis', url, '--listen', '0.0.0.0:0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it('as a library: without a token it answers only to local host names (no DNS rebinding); a wrong Redis password fails the start', async () => {
    const local = await startDashboard({ redis: { url }, listen: { host: '127.0.0.1', port: 0 } });
    try {
      expect((await fetch(`${local.url}vms`)).status).toBe(200);
      const rebound = await new Promise<number>((resolve, reject) => {
        const at = new URL(local.url);
        http.get({ host: at.hostname, port: at.port, path: '/vms', headers: { Host: `attacker.example:${at.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(rebound).toBe(421);
    } finally {
      await local.close();
    }
    const err = await rejected(startDashboard({ redis: { url: `redis://:wrong-${PASSWORD}@127.0.0.1:${redis.port}` }, listen: { host: '127.0.0.1', port: 0 }, connectTimeoutMs: 10_000 }));
    expect(err.code).toBe('EACCES');
    expect(err.message).toMatch(/refused the login/);
    expect(err.message).not.toContain(PASSWORD);
  });

  it('while Redis is away, its pages answer at once with the error; they come back with Redis', async () => {
    const other = await startRedis();
    const local = await startDashboard({ redis: { url: other.url }, listen: { host: '127.0.0.1', port: 0 } });
    let again: ResultPromise | undefined;
    try {
      expect((await fetch(`${local.url}vms`)).status).toBe(200);
      await other.stop();
      const started = Date.now();
      const away = await fetch(`${local.url}vms`);
      expect(away.status).toBe(503);
      expect(await away.text()).toMatch(/cannot read the queue/);
      expect(Date.now() - started).toBeLessThan(2000);
      again = execa('redis-server', ['--port', String(other.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratch.dir], { stdio: 'ignore', reject: false });
      await until(async () => (await fetch(`${local.url}vms`)).status === 200);
    } finally {
      await local.close();
      again?.kill('SIGTERM');
      await again;
    }
  });

  it('the worker stopped with SIGTERM gives its VM back: shown waiting again, without a stage or percent', async () => {
    await stopWorker();
    expect(worker.proc.exitCode).toBe(0);
    expect(worker.events.flatMap((e) => (e.type === 'job-end' ? [[e.vm, e.outcome]] : []))).toEqual([['vm-done', 'done'], ['vm-noos', 'failed'], [RUNNING, 'requeued']]);
    expect((await vmTable())[RUNNING]).toMatchObject({ state: 'waiting', stage: '', percent: '', report: '', error: '' });
    for (const text of [worker.stdout(), worker.stderr()]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(PASSPHRASE);
    }
  }, 30_000);

  it('stops on SIGTERM, closing its Redis connections; nothing is left', async () => {
    const profile = path.join(scratch.dir, 'chromium');
    await browser!.close();
    browser = undefined;
    // Its renderer and GPU processes may take a moment longer than the browser process.
    await until(async () => (await chromiumsOf(profile)).length === 0, 5000, 'Chromium to end');
    dashboard.kill('SIGTERM');
    const ended = await dashboard;
    expect(ended.signal ?? ended.exitCode).toBe('SIGTERM');
    expect(String(ended.stdout) + String(ended.stderr)).not.toContain(PASSWORD);
    expect(String(ended.stdout) + String(ended.stderr)).not.toContain(TOKEN);
    await expect(fetch(base)).rejects.toThrow();
    // Only redis-cli itself is connected once the status reads' connections are closed.
    await until(async () => (await redisCli('CLIENT', 'LIST')).trim().split('\n').length === 1, 5000, 'Redis clients to go');
    expect(await findLeftovers(scratch.dir)).toEqual(NOTHING_LEFT);
    expect((await readdir(path.join(scratch.dir, 'out'))).filter((f) => f.startsWith(`.${RUNNING}`) || f.endsWith('.lock'))).toEqual([]);
  });
});
