import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { DOMU_NAME_RE, HOST_NAME_RE } from '../../shared/names.js';
import type { OperatorRole } from '../auth/tokens.js';
import { remoteOf, requestTarget } from './respond.js';

/**
 * The audit trail of operator actions: every request that is not a GET leaves an `audit` line in
 * the log when its response ends: who (the operator and role its token names; the host of an
 * agent's token used here, which the API refuses; or null when no token was accepted), what
 * (method, path, and the domUs, hosts and job its body names), when (`at`, the time the request
 * came), and how it ended (the HTTP status, and `outcome`: "ok", the
 * error code of a refusal, or the code of a streamed command's or job's last line). A command or
 * job that streams also leaves one line with outcome "accepted" when it starts, so a long drain
 * is on the trail while it runs. Tokens and bodies are never logged, only the names in them.
 */
type Who = { readonly operator: string; readonly role: OperatorRole } | { readonly agent: string };

const who = new WeakMap<IncomingMessage, Who>();
const BODY_PEEK_BYTES = 16 * 1024;
const SUBJECT_KEYS = ['name', 'target', 'host', 'hosts', 'jobId', 'kind', 'op', 'on'] as const;

/** Called where the token is checked: the operator a request acts as. */
export function noteOperator(req: IncomingMessage, operator: string, role: OperatorRole): void {
  who.set(req, { operator, role });
}

/** Called where the token is checked: the host whose agent token a request carries (refused on the API, but not anonymous). */
export function noteAgent(req: IncomingMessage, host: string): void {
  who.set(req, { agent: host });
}

const describeWho = (w: Who | undefined): string => (w === undefined ? 'unauthenticated' : 'agent' in w ? `agent token of ${w.agent}` : `${w.operator} (${w.role})`);

/** The names a request body carries (only values shaped like names, kinds and flags: nothing else of the body). */
export function subjectOf(body: string): Record<string, unknown> | null {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const nameLike = (v: unknown): v is string => typeof v === 'string' && (DOMU_NAME_RE.test(v) || HOST_NAME_RE.test(v));
  const out: Record<string, unknown> = {};
  for (const k of SUBJECT_KEYS) {
    const v = (raw as Record<string, unknown>)[k];
    if (nameLike(v) || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter(nameLike).slice(0, 256);
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** What the last complete line of a streamed answer, or a JSON error body, says about the outcome. */
function outcomeOf(text: string): string | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.reverse()) {
    try {
      const m = JSON.parse(line) as { type?: unknown; ok?: unknown; code?: unknown; error?: { code?: unknown } };
      if (typeof m.error?.code === 'string') return m.error.code;
      if ((m.type === 'result' || m.type === 'end') && typeof m.ok === 'boolean') return m.ok ? 'ok' : typeof m.code === 'string' ? m.code : 'failed';
    } catch {
      // a chunk that is not whole lines: the next one may be
    }
  }
  return null;
}

/** Follows one non-GET request to its end and logs it; the request and response are only observed. */
export function auditRequest(req: IncomingMessage, res: ServerResponse, log: Logger, clock: Clock): void {
  const at = clock.now();
  const method = req.method ?? '?';
  const path = (requestTarget(req)?.pathname ?? '(not a path)').slice(0, 200);
  let body = '';
  req.on('data', (c: Buffer) => {
    if (body.length < BODY_PEEK_BYTES) body += c.toString('utf8', 0, Math.min(c.length, BODY_PEEK_BYTES - body.length));
  });
  let outcome: string | null = null;
  let streaming = false;
  const observe = (chunk: unknown): void => {
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) outcome = outcomeOf(chunk.toString().slice(-8192)) ?? outcome;
  };
  const line = (status: number | null, result: string): void => {
    const w = who.get(req);
    const op = w !== undefined && 'operator' in w ? w : null;
    const subject = subjectOf(body);
    log.info(
      { event: 'audit', operator: op?.operator ?? null, role: op?.role ?? null, agent: w !== undefined && 'agent' in w ? w.agent : null, remote: remoteOf(req), method, path, subject, at, status, outcome: result, ms: clock.now() - at },
      `audit: ${describeWho(w)} ${method} ${path}${subject ? ` ${JSON.stringify(subject)}` : ''}: ${status ?? 'no answer'} ${result}`,
    );
  };
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    // only a streamed answer (NDJSON) is written in parts; a JSON answer is one end()
    if (!streaming && res.statusCode === 200) {
      streaming = true;
      line(200, 'accepted');
    }
    observe(chunk);
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    observe(chunk);
    return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
  }) as typeof res.end;
  res.once('close', () => {
    if (!res.headersSent) return line(null, 'aborted');
    const status = res.statusCode;
    if (outcome !== null) return line(status, outcome);
    if (streaming) return line(status, res.writableFinished ? 'ended' : 'operator-gone (it goes on)');
    line(status, status < 400 ? 'ok' : 'refused');
  });
}
