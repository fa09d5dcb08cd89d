import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { err, ok, type Result } from '../result.js';
import { presentedChain } from '../tls/presented-chain.js';
import { tlsTarget } from '../url-host.js';
import { AGENT_LINK_PATH } from '../protocol/agent-link.js';
import type { Link } from './link.js';
import { wsLink } from './ws-link.js';

/** Where an agent's link goes: its config's `controller` section, files already read. */
export interface AgentLinkTarget {
  /** wss://HOST:PORT as `xenherd-controller enroll` prints it (ws:// only to a loopback controller) */
  readonly url: string;
  readonly token: string;
  /** PEM of the controller's CA (caFile); null: the system CAs, or caFingerprint */
  readonly caPem: string | null;
  /** SHA-256 of the CA certificate as X509Certificate#fingerprint256 prints it ("AB:CD:…") */
  readonly caFingerprint: string | null;
  readonly maxPayload: number;
  readonly handshakeTimeoutMs: number;
}

export type ConnectFailure =
  /** the controller answered the upgrade with an HTTP error (401/403: the token) */
  | { readonly kind: 'refused'; readonly status: number; readonly code: string | null; readonly message: string }
  /** TLS: the certificate is not the one configured */
  | { readonly kind: 'untrusted'; readonly message: string }
  | { readonly kind: 'unreachable'; readonly message: string };

/**
 * The CA certificate of a controller pinned by fingerprint: a first TLS connection that sends
 * nothing reads the chain the server presents and keeps the certificate with that fingerprint;
 * the real connection then verifies fully against it (chain and host name), so the token only
 * ever travels over a verified connection. The server must send its CA in the chain (serve does
 * when tls.ca is configured).
 */
export function fetchPinnedCa(url: URL, fingerprint: string, timeoutMs: number): Promise<Result<string, ConnectFailure>> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ ...tlsTarget(url), rejectUnauthorized: false, timeout: timeoutMs });
    const done = (r: Result<string, ConnectFailure>): void => {
      socket.destroy();
      resolve(r);
    };
    socket.once('timeout', () => done(err({ kind: 'unreachable', message: `no TLS handshake with ${url.host} within ${timeoutMs} ms` })));
    socket.once('error', (e) => done(err({ kind: 'unreachable', message: e.message })));
    socket.once('secureConnect', () => {
      const want = fingerprint.toUpperCase();
      const pinned = presentedChain(socket).find((x) => x.fingerprint256 === want);
      if (pinned !== undefined) return done(ok(pinned.toString()));
      done(err({ kind: 'untrusted', message: `${url.host} presents no certificate with the pinned fingerprint ${fingerprint}` }));
    });
  });
}

/**
 * Opens an agent's link: WebSocket on URL + /v1/agent with the bearer token, no compression,
 * frames bounded by maxPayload. Resolves once the link is open (the agent sends `hello` next).
 */
export async function connectAgentLink(t: AgentLinkTarget): Promise<Result<Link, ConnectFailure>> {
  const base = new URL(t.url);
  let ca = t.caPem;
  if (ca === null && t.caFingerprint !== null && base.protocol === 'wss:') {
    const pinned = await fetchPinnedCa(base, t.caFingerprint, t.handshakeTimeoutMs);
    if (!pinned.ok) return pinned;
    ca = pinned.value;
  }
  const ws = new WebSocket(`${t.url.replace(/\/$/, '')}${AGENT_LINK_PATH}`, {
    headers: { authorization: `Bearer ${t.token}` },
    ...(ca !== null ? { ca } : {}),
    perMessageDeflate: false,
    maxPayload: t.maxPayload,
    handshakeTimeout: t.handshakeTimeoutMs,
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: Result<Link, ConnectFailure>): void => {
      if (!settled) resolve(r);
      settled = true;
    };
    ws.once('open', () => settle(ok(wsLink(ws, base.host))));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8').slice(0, 2000)));
      res.on('end', () => {
        let code: string | null = null;
        let message = `HTTP ${res.statusCode ?? 0}`;
        try {
          const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
          if (typeof e?.code === 'string') code = e.code;
          if (typeof e?.message === 'string') message = e.message;
        } catch {
          // not our JSON: the status says enough
        }
        settle(err({ kind: 'refused', status: res.statusCode ?? 0, code, message }));
        ws.terminate();
      });
    });
    ws.once('error', (e: Error & { code?: string }) => {
      const untrusted = /CERT|SELF_SIGNED|VERIFY|ALTNAME/.test(e.code ?? '');
      settle(err(untrusted ? { kind: 'untrusted', message: e.message } : { kind: 'unreachable', message: e.message }));
    });
  });
}
