import type { IncomingMessage } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import type { Clock } from '../clock/clock.js';
import { err, ok, type Result } from '../result.js';
import { presentedChain } from '../tls/presented-chain.js';
import { tlsTarget } from '../url-host.js';
import { AGENT_LINK_PATH } from '../protocol/agent-link.js';
import type { Link } from './link.js';
import { wsLink } from './ws-link.js';
import { retryAfterMs, upgradeStatusKind } from './upgrade-status.js';
import { TRY_EVERY_ADDRESS } from '../dual-stack.js';
import type { PinnedCas } from './pinned-cas.js';

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
  /** for the upgrade and TLS handshakes, and for reading the body of an HTTP error answer */
  readonly handshakeTimeoutMs: number;
  readonly clock: Clock;
  /** the CAs fetched by caFingerprint so far (one per process); absent: fetched again for every connection */
  readonly pinnedCas?: PinnedCas;
}

/** How much of an HTTP error answer's body is read: the controller's JSON error is far smaller. */
const ERROR_BODY_BYTES = 4096;

export type ConnectFailure =
  /** the controller answered the upgrade with an HTTP error that waiting does not mend (401/403: the token) */
  | { readonly kind: 'refused'; readonly status: number; readonly code: string | null; readonly message: string }
  /** TLS: the certificate is not the one configured */
  | { readonly kind: 'untrusted'; readonly message: string }
  /** RETRYAFTERMS: a 429's or 5xx's Retry-After, the least wait before the next try (upgrade-status.ts) */
  | { readonly kind: 'unreachable'; readonly message: string; readonly retryAfterMs?: number };

/**
 * The CA certificate of a controller pinned by fingerprint: a first TLS connection that sends
 * nothing reads the chain the server presents and keeps the certificate with that fingerprint;
 * the real connection then verifies fully against it (chain and host name), so the token only
 * ever travels over a verified connection. The server must send its CA in the chain (serve does
 * when tls.ca is configured).
 */
export function fetchPinnedCa(url: URL, fingerprint: string, timeoutMs: number): Promise<Result<string, ConnectFailure>> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ ...tlsTarget(url), ...TRY_EVERY_ADDRESS, rejectUnauthorized: false, timeout: timeoutMs });
    // a read chain ends the connection as TLS ends one (close_notify, then FIN once the client's
    // Finished is out): destroyed at once, the server saw its handshake cut and logged every
    // agent's reconnect as a refused TLS client. The timeout still destroys one left hanging.
    const done = (r: Result<string, ConnectFailure>, gracefully = false): void => {
      if (gracefully) socket.end();
      else socket.destroy();
      resolve(r);
    };
    socket.once('timeout', () => done(err({ kind: 'unreachable', message: `no TLS handshake with ${url.host} within ${timeoutMs} ms` })));
    socket.once('error', (e) => done(err({ kind: 'unreachable', message: e.message })));
    socket.once('secureConnect', () => {
      const want = fingerprint.toUpperCase();
      const pinned = presentedChain(socket).find((x) => x.fingerprint256 === want);
      if (pinned !== undefined) return done(ok(pinned.toString()), true);
      done(err({ kind: 'untrusted', message: `${url.host} presents no certificate with the pinned fingerprint ${fingerprint}` }), true);
    });
  });
}

/**
 * Opens an agent's link: WebSocket on URL + /v1/agent with the bearer token, no compression,
 * frames bounded by maxPayload. Resolves once the link is open (the agent sends `hello` next).
 * By caFingerprint, the CA is read once and kept in pinnedCas: a try after the first makes one TLS
 * connection, not two.
 */
export async function connectAgentLink(t: AgentLinkTarget): Promise<Result<Link, ConnectFailure>> {
  const base = new URL(t.url);
  const fingerprint = t.caPem === null && base.protocol === 'wss:' ? t.caFingerprint : null;
  if (fingerprint === null) return openLink(t, base, t.caPem);
  const kept = t.pinnedCas?.get(base, fingerprint);
  if (kept !== undefined) {
    const r = await openLink(t, base, kept);
    if (r.ok || r.error.kind !== 'untrusted') return r;
    // the server no longer verifies against the CA kept: read what it presents again, once
    t.pinnedCas?.forget(base, fingerprint);
  }
  const pinned = await fetchPinnedCa(base, fingerprint, t.handshakeTimeoutMs);
  if (!pinned.ok) return pinned;
  const r = await openLink(t, base, pinned.value);
  // kept only once a connection verified against it did not fail for it
  if (r.ok || r.error.kind !== 'untrusted') t.pinnedCas?.keep(base, fingerprint, pinned.value);
  return r;
}

/** The WebSocket of T verified against CA (null: the system CAs, or plain ws:// to a loopback controller). */
function openLink(t: AgentLinkTarget, base: URL, ca: string | null): Promise<Result<Link, ConnectFailure>> {
  const ws = new WebSocket(`${t.url.replace(/\/$/, '')}${AGENT_LINK_PATH}`, {
    headers: { authorization: `Bearer ${t.token}` },
    ...(ca !== null ? { ca } : {}),
    ...TRY_EVERY_ADDRESS,
    perMessageDeflate: false,
    maxPayload: t.maxPayload,
    handshakeTimeout: t.handshakeTimeoutMs,
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: Result<Link, ConnectFailure>): void => {
      if (!settled) resolve(r);
      settled = true;
      stop();
    };
    // ws's handshakeTimeout is the socket's idle timeout, which over TLS ran out only after twice
    // the time (2 s for 1 s, to a listener that never answers): a hung controller held each try
    // 20 s instead of 10. This deadline bounds the whole of TCP, TLS and the upgrade once.
    const stop = t.clock.schedule(t.handshakeTimeoutMs, () => {
      if (settled) return;
      settle(err({ kind: 'unreachable', message: `no WebSocket handshake with ${base.host} within ${t.handshakeTimeoutMs / 1000} s` }));
      ws.terminate();
    });
    ws.once('open', () => settle(ok(wsLink(ws, base.host))));
    ws.once('unexpected-response', (_req, res) => {
      // answered: reading the answer has its own bound
      stop();
      readErrorAnswer(res, t.clock, t.handshakeTimeoutMs).then((refused) => {
        settle(err(refused));
        ws.terminate();
      });
    });
    ws.once('error', (e: Error & { code?: string }) => {
      const untrusted = /CERT|SELF_SIGNED|VERIFY|ALTNAME/.test(e.code ?? '');
      settle(err(untrusted ? { kind: 'untrusted', message: e.message } : { kind: 'unreachable', message: e.message }));
    });
  });
}

/**
 * The refusal an HTTP error answer to the upgrade says: its status, and the code and message of
 * the controller's JSON error when its body holds one. The body is read only up to
 * ERROR_BODY_BYTES and for at most TIMEOUTMS, and the answer also ends when its connection
 * closes without a proper end: a server that trickles or streams an endless body, or dies
 * mid-answer, must neither fill this Dom0's memory nor hold the link from ever being tried again.
 */
function readErrorAnswer(res: IncomingMessage, clock: Clock, timeoutMs: number): Promise<ConnectFailure> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      cancel();
      res.off('data', onData);
      res.destroy();
      resolve(refusalOf(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), retryAfterMs(res.headers['retry-after'], clock.now())));
    };
    const onData = (c: Buffer): void => {
      // a copy: a view would keep the whole chunk (and the buffer it was cut from) alive
      chunks.push(Buffer.from(c.subarray(0, ERROR_BODY_BYTES - size)));
      size += c.length;
      if (size >= ERROR_BODY_BYTES) finish();
    };
    const cancel = clock.schedule(timeoutMs, finish);
    res.on('data', onData);
    res.once('end', finish);
    res.once('close', finish);
    res.once('error', finish);
  });
}

function refusalOf(status: number, body: string, retryAfter: number | undefined): ConnectFailure {
  let code: string | null = null;
  let message = `HTTP ${status}`;
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof e?.code === 'string') code = e.code;
    if (typeof e?.message === 'string') message = e.message.slice(0, 2000);
  } catch {
    // not our JSON (or cut short): the status says enough
  }
  if (upgradeStatusKind(status) === 'refused') return { kind: 'refused', status, code, message };
  const said = message === `HTTP ${status}` ? message : `HTTP ${status}: ${message}`;
  return { kind: 'unreachable', message: `the controller's address answered ${said}`, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
}
