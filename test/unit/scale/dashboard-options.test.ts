/** The dashboard's address and token rules, the VM table's escaping, the job data it shows. */
import { describe, expect, it } from 'vitest';
import { checkExposure, isLoopback, parseListen } from '../../../src/scale/dashboard-auth.js';
import { shownJobData } from '../../../src/scale/dashboard.js';
import { vmsPage } from '../../../src/scale/vms-page.js';
import { thrown } from '../../helpers/thrown.js';

describe('--listen', () => {
  it('takes HOST:PORT, [IPv6]:PORT and PORT (loopback)', () => {
    expect(parseListen('127.0.0.1:3000')).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseListen('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseListen('3000')).toEqual({ host: '127.0.0.1', port: 3000 });
    for (const bad of ['', 'host', 'host:', 'host:99999', '::1:80', 'a:b:1']) expect(thrown(() => parseListen(bad)).code, bad).toBe('EINVAL');
  });

  it('needs a token of 16 characters or more anywhere but loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'dashboard.example', '::ffff:10.0.0.1']) expect(isLoopback(host), host).toBe(false);
    expect(() => checkExposure({ host: '127.0.0.1', port: 3000 }, undefined)).not.toThrow();
    expect(thrown(() => checkExposure({ host: '0.0.0.0', port: 3000 }, undefined)).message).toMatch(/without a token/);
    expect(() => checkExposure({ host: '0.0.0.0', port: 3000 }, 'x'.repeat(16))).not.toThrow();
    expect(thrown(() => checkExposure({ host: '127.0.0.1', port: 3000 }, 'short')).message).toMatch(/at least 16/);
  });
});

describe('the VM table', () => {
  it('escapes what Redis holds', () => {
    const html = vmsPage('q<1>', [{ vm: '<img src=x onerror=alert(1)>', jobId: '"><script>', state: 'active', progress: { host: '<b>h</b>', pid: 1, stage: '<i>s</i>', stages: [] }, error: { code: 'E<X>', message: '<script>alert(1)</script>' }, attempts: { made: 1, max: 3 }, enqueuedAt: '' }]);
    expect(html).not.toMatch(/<script>|<img|<b>|<i>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-vm="&lt;img src=x onerror=alert(1)&gt;"');
  });
});

describe("a job's data as bull-board shows it", () => {
  it('hides LUKS passphrases of a job put on the queue by other means than enqueuePipeline', () => {
    const data = { version: 1, enqueuedFrom: 'h', vm: { name: 'web01', keys: ['secret-one', 'secret-two'], keyFile: '/shared/keys/web01' } };
    const shown = JSON.stringify(shownJobData(data));
    expect(shown).not.toMatch(/secret-/);
    expect(shown).toContain('"keys":["***","***"]');
    expect(shown).toContain('/shared/keys/web01');
    expect(shownJobData({ version: 1, vm: { name: 'db01' } })).toEqual({ version: 1, vm: { name: 'db01' } });
  });
});
