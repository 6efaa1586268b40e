/**
 * `vmcraft dashboard` against a real Redis (with a password) and a queue with
 * a VM in every state — done (its report written by the real pipeline),
 * failed (no OS found), running (stage and percent), waiting — looked at in
 * headless Chromium: the VM table and bull-board show each VM's state, host,
 * stage, percent, report link and error. Also: the token, the refusal to
 * listen elsewhere without one, report links confined to the recorded report,
 * no secret in any page, and nothing left running afterwards.
 *
 * The jobs are run by startStandInWorker (test/helpers/scale-stand-in.ts), a
 * stand-in for src/scale's startWorker until that is merged.
 */
import { mkdir, readdir, readFile, rm, symlink } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Queue } from 'bullmq';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan } from '../../../src/pipeline/plan.js';
import { redisOptions, resolveConnection } from '../../../src/scale/connection.js';
import { startDashboard } from '../../../src/scale/dashboard.js';
import { DEFAULT_QUEUE, type MigrationJobData } from '../../../src/scale/job.js';
import { CLI, cliRunner } from '../../helpers/cli.js';
import { rejected } from '../../helpers/thrown.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { scratchDir } from '../../helpers/images.js';
import { startStandInWorker } from '../../helpers/scale-stand-in.js';

const PASSWORD = 'redis-pw-Zq81xT';
const TOKEN = 'dash-token-4f9c2e71b0aa';
const PASSPHRASE = 'luks-pass-Hk27';
const HOLD = { name: 'vm-running', stage: 'convert', percent: 42, stagesDone: ['fetch', 'inspect', 'fix'] };

let scratch: { dir: string; remove: () => Promise<void> };
let redis: TestRedis;
let url: string;
let queue: Queue;
let worker: Awaited<ReturnType<typeof startStandInWorker>>;
let dashboard: ResultPromise;
let base: string;
let browser: Browser | undefined;
const cli = cliRunner(() => scratch.dir);

/** What the page tells about one VM. */
interface Row { state: string; host: string; stage: string; percent: string; report: string; error: string }

async function redisCli(...args: string[]): Promise<string> {
  return (await execa('redis-cli', ['-p', String(redis.port), '--no-auth-warning', '-a', PASSWORD, ...args])).stdout;
}

/** Waits until `check` returns true (polling), at most `ms`. */
async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) if (await check()) return;
  throw new Error('timed out');
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

beforeAll(async () => {
  scratch = await scratchDir('dashboard');
  redis = await startRedis();
  await execa('redis-cli', ['-p', String(redis.port), 'CONFIG', 'SET', 'requirepass', PASSWORD]);
  url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
  const names = ['vm-done', 'vm-noos', HOLD.name, 'vm-waiting'];
  await execa('truncate', ['-s', '1M', ...names.map((name) => path.join(scratch.dir, `${name}.raw`))]);
  await mkdir(path.join(scratch.dir, 'out'));
  const thePlan = await plan({
    vms: names.map((name) => ({
      name,
      input: [path.join(scratch.dir, `${name}.raw`)],
      output: { path: path.join(scratch.dir, 'out', `${name}.qcow2`), format: 'qcow2' as const },
      // vm-done converts its blank disk; vm-noos fails in INSPECT (no OS on a blank disk).
      stages: name === 'vm-noos' ? ['inspect'] : ['convert'],
      keys: [PASSPHRASE],
    })),
  });
  const { Queue } = await import('bullmq');
  const connection = redisOptions(await resolveConnection({ url }), { worker: true });
  queue = new Queue(DEFAULT_QUEUE, { connection });
  // In this order, one at a time: done, failed, then vm-running holds the worker and vm-waiting waits.
  for (const vm of thePlan.vms) await queue.add(vm.name, { version: 1, vm, enqueuedFrom: os.hostname() } satisfies MigrationJobData, { jobId: vm.name });
  worker = await startStandInWorker({ connection, queue: DEFAULT_QUEUE, concurrency: 1, holdVm: HOLD });
  await until(async () => {
    const counts = await queue.getJobCounts();
    const running = await queue.getJob(HOLD.name);
    return counts.completed === 1 && counts.failed === 1 && counts.waiting === 1 && typeof running?.progress === 'object';
  });
  ({ child: dashboard, base } = await startDashboardCli());
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'], userDataDir: path.join(scratch.dir, 'chromium') });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dashboard && dashboard.exitCode === null) dashboard.kill('SIGKILL');
  await worker?.close();
  await queue?.close();
  await redis?.stop();
  await scratch?.remove();
});

describe('vmcraft dashboard', () => {
  it('shows every VM with its state, host, stage, percent, report link and error (the /vms page, in Chromium)', async () => {
    const page = await browser!.newPage();
    // ?token= once: the cookie takes over and the address loses the token.
    await page.goto(`${base}vms?token=${TOKEN}`);
    expect(page.url()).toBe(`${base}vms`);
    const table = await rows(page);
    const host = os.hostname();
    expect(table['vm-done']).toEqual({ state: 'done', host, stage: '', percent: '', report: '/vms/vm-done/report', error: '' });
    expect(table['vm-noos']).toMatchObject({ state: 'failed', report: '', error: "EINSPECT no operating system found on vm-noos's disks" });
    expect(table[HOLD.name]).toEqual({ state: 'running', host, stage: 'convert', percent: '42%', report: '', error: '' });
    expect(table['vm-waiting']).toEqual({ state: 'waiting', host: '', stage: '', percent: '', report: '', error: '' });
    // The report link serves the report the pipeline wrote.
    await page.click('tr[data-vm="vm-done"] td.report a');
    const report = JSON.parse(await page.$eval('body', (b) => b.textContent ?? '')) as { name: string; status: string; produced: { path: string }[] };
    expect(report).toMatchObject({ name: 'vm-done', status: 'ok' });
    expect(report.produced[0]!.path).toBe(path.join(scratch.dir, 'out', 'vm-done.qcow2'));
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
    expect(await text('active', `${HOLD.name} — convert 42% on ${os.hostname()}`)).toContain(HOLD.name);
    expect(await text('waiting', 'vm-waiting')).toContain('vm-waiting');
    expect(await text('failed', "no operating system found on vm-noos's disks")).toContain('EINSPECT');
    await text('completed', `vm-done — ok on ${os.hostname()}`);
    // The finished job links its report; read-only: no retry, clean or delete buttons.
    expect(await page.$eval('a[href="/vms/vm-done/report"]', (a) => a.textContent)).toBe('report');
    const buttons = await page.$$eval('button', (bs) => bs.map((b) => `${b.textContent ?? ''} ${b.getAttribute('title') ?? ''}`.toLowerCase()).join('|'));
    expect(buttons).not.toMatch(/retry|clean|delete|remove|promote/);
    // The job data shown has the passphrase masked; no page or answer carries the token or a password.
    const api = await (await fetch(`${base}api/queues/${DEFAULT_QUEUE}/vm-done`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(api).toContain('"keys":["***"]');
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
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 1 });
  });

  it('serves only the report recorded in a finished job: no path from the request, no link, no rewritten result', async () => {
    const get = (p: string) => fetch(`${base}${p}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    for (const attempt of ['vms/..%2F..%2F..%2Fetc%2Fpasswd/report', 'vms/%2Fetc%2Fpasswd/report', 'vms/vm-noos/report', 'vms/vm-waiting/report']) {
      const r = await get(attempt);
      expect(r.status, attempt).toBe(404);
      expect(await r.text()).not.toContain('root:');
    }
    // A result rewritten in Redis to point elsewhere (through ..) is refused.
    const jobKey = `bull:${DEFAULT_QUEUE}:vm-done`;
    const original = await redisCli('HGET', jobKey, 'returnvalue');
    const result = JSON.parse(original) as { reportFile: string };
    await redisCli('HSET', jobKey, 'returnvalue', JSON.stringify({ ...result, reportFile: `${path.dirname(result.reportFile)}/../../../../etc/passwd.json` }));
    expect((await get('vms/vm-done/report')).status).toBe(403);
    await redisCli('HSET', jobKey, 'returnvalue', JSON.stringify({ ...result, reportFile: '/etc/passwd' }));
    expect((await get('vms/vm-done/report')).status).toBe(403);
    await redisCli('HSET', jobKey, 'returnvalue', original);
    // The report replaced by a symbolic link to another file is not followed.
    await rm(result.reportFile);
    await symlink('/etc/passwd', result.reportFile);
    const linked = await get('vms/vm-done/report');
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

  it('stops on SIGTERM, closing its Redis connections; nothing is left', async () => {
    const profile = path.join(scratch.dir, 'chromium');
    await browser!.close();
    browser = undefined;
    // Its renderer and GPU processes may take a moment longer than the browser process.
    await until(async () => (await chromiumsOf(profile)).length === 0, 5000);
    dashboard.kill('SIGTERM');
    const ended = await dashboard;
    expect(ended.signal ?? ended.exitCode).toBe('SIGTERM');
    expect(String(ended.stdout) + String(ended.stderr)).not.toContain(PASSWORD);
    expect(String(ended.stdout) + String(ended.stderr)).not.toContain(TOKEN);
    await expect(fetch(base)).rejects.toThrow();
    await worker.close();
    await queue.close();
    // Only redis-cli itself is connected now.
    expect((await redisCli('CLIENT', 'LIST')).trim().split('\n')).toHaveLength(1);
    expect(await findLeftovers(scratch.dir)).toEqual(NOTHING_LEFT);
  });
});
