/**
 * Who may see the dashboard. Bound to a loopback address it may run without
 * a token (only this host's users reach it; the Host header is checked so a
 * web page cannot reach it through DNS rebinding); bound anywhere else it
 * needs one. With a token every request must carry it: `Authorization:
 * Bearer <token>`, or once `?token=<token>`, which sets an HttpOnly cookie
 * and redirects to the same page without the token in its address. Tokens
 * are compared in constant time and never written anywhere.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { VmcraftError } from '../core/errors.js';

/** Where the dashboard listens. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** A token shorter than this is refused: it would be guessed. */
export const MIN_TOKEN_LENGTH = 16;

const COOKIE = 'vmcraft_dashboard';

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `PORT` (on 127.0.0.1); port 0 picks a free one. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]*)):)?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new VmcraftError('EINVAL', `Expected --listen to be HOST:PORT, [IPv6]:PORT or PORT, got \`${text}\``);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Whether only this host can reach the address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return net.isIPv6(host) && (host === '::1' || /^::ffff:127\./i.test(host));
}

/** Throws EINVAL when the dashboard would be reachable from elsewhere without a token, or the token is too short. */
export function checkExposure(listen: ListenAddress, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) throw new VmcraftError('EINVAL', `the dashboard token must be at least ${MIN_TOKEN_LENGTH} characters long`);
  if (!token && !isLoopback(listen.host)) throw new VmcraftError('EINVAL', `refusing to listen on ${listen.host} without a token: give --token or VMCRAFT_DASHBOARD_TOKEN (or listen on 127.0.0.1)`);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Constant-time comparison (of digests, so the lengths do not leak either). */
function sameToken(given: string | undefined, expected: Buffer): boolean {
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

function cookieToken(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function bearerToken(req: Request): string | undefined {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return m?.[1];
}

function deny(res: Response, status: number, message: string): void {
  res.status(status).set({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="vmcraft dashboard"');
  res.send(`${status}: ${message}\n`);
}

/** Express middleware letting through only the requests the dashboard should answer (see the module's comment). */
export function accessGate(listen: ListenAddress, token: string | undefined): (req: Request, res: Response, next: NextFunction) => void {
  if (!token) {
    const names = new Set(['localhost', '127.0.0.1', '[::1]', net.isIPv6(listen.host) ? `[${listen.host}]` : listen.host]);
    return (req, res, next) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (names.has(host.toLowerCase())) return next();
      deny(res, 421, 'this dashboard answers only to a local address (start it with a token to serve other names)');
    };
  }
  const expected = digest(token);
  return (req, res, next) => {
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (fromQuery !== undefined) {
      if (!sameToken(fromQuery, expected)) return deny(res, 401, 'wrong token');
      // The cookie carries it from now on; the address without it is what stays in the history and in links.
      const url = new URL(req.originalUrl, 'http://dashboard');
      url.searchParams.delete('token');
      res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure });
      return void res.redirect(303, `${url.pathname}${url.search}`);
    }
    if (sameToken(bearerToken(req) ?? cookieToken(req), expected)) return next();
    deny(res, 401, 'a token is needed: Authorization: Bearer <token>, or open the page once with ?token=<token>');
  };
}
