import { createConnection } from 'node:net';
import { isErrorCode, type XhError } from '../../shared/errors.js';
import { ControlResponseSchema, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import { parseJsonLine } from '../../shared/protocol/json-line.js';
import { err, ok, type Result } from '../../shared/result.js';

/** One request to the agent's control socket; the answer parsed with the shared schema. */
export function askAgent(path: string, req: ControlRequest, timeoutMs = 180_000): Promise<Result<ControlResponse, XhError>> {
  return new Promise((resolve) => {
    const sock = createConnection(path);
    let buf = '';
    let settled = false;
    const done = (r: Result<ControlResponse, XhError>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: no answer from the agent after ${timeoutMs / 1000} s` })), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const parsed = parseJsonLine(buf.slice(0, nl), ControlResponseSchema);
      if (parsed.ok) return done(ok(parsed.value));
      const why = parsed.error.kind === 'not-json' ? 'the agent answered something that is not JSON' : `unexpected answer from the agent: ${parsed.error.issues}`;
      done(err({ code: 'XH_ERR_INTERNAL', message: `${path}: ${why}` }));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'the agent is not running here (daemon gone)' : e.code === 'EACCES' ? 'permission denied (run as root)' : e.message;
      done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: ${why}` }));
    });
    sock.on('close', () => done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: the agent closed the connection without answering` })));
  });
}

/** A granted hold: the domU stays held until `release()` (or until this process dies). */
export interface AgentHold {
  release(): void;
  /** true once the agent closed the connection (agent stopped): the hold is gone */
  lost(): boolean;
}

/**
 * Asks the agent to hold a domU (op `hold`). `no-daemon` when no agent listens on the socket (no
 * file, or a stale one nobody accepts on): the caller then relies on its own file lock.
 */
export function holdOnAgent(path: string, req: Extract<ControlRequest, { op: 'hold' }>, timeoutMs = 30_000): Promise<Result<AgentHold | 'no-daemon', XhError>> {
  return new Promise((resolve) => {
    const sock = createConnection(path);
    let buf = '';
    let settled = false;
    let lost = false;
    const done = (r: Result<AgentHold | 'no-daemon', XhError>, keep = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!keep) sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: no answer from the agent after ${timeoutMs / 1000} s to hold ${req.name}` })), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (chunk: string) => {
      if (settled) return;
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const parsed = parseJsonLine(buf.slice(0, nl), ControlResponseSchema);
      if (!parsed.ok) return done(err({ code: 'XH_ERR_INTERNAL', message: `${path}: unexpected answer from the agent to hold: ${parsed.error.kind === 'not-json' ? 'not JSON' : parsed.error.issues}` }));
      const r = parsed.value;
      if (!r.ok) return done(err({ code: isErrorCode(r.error.code) ? r.error.code : 'XH_ERR_INTERNAL', message: `the agent refused to hold ${req.name}: ${r.error.message}` }));
      done(ok({ release: () => sock.end(), lost: () => lost }), true);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      lost = true;
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') return done(ok('no-daemon'));
      done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: ${e.code === 'EACCES' ? 'permission denied (run as root)' : e.message}` }));
    });
    sock.on('close', () => {
      lost = true;
      done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: the agent closed the connection without answering the hold of ${req.name}` }));
    });
  });
}
