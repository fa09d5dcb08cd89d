import { createConnection } from 'node:net';
import { realClock } from '../../shared/clock/real-clock.js';
import { isErrorCode, type XhError } from '../../shared/errors.js';
import { ControlResponseSchema, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import { parseJsonLine } from '../../shared/protocol/json-line.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * A status answer is a few KiB (every guarded domU, holds, warnings); 8 MiB is far above any real
 * one and bounds what a wrong listener on the socket path can make a client hold.
 */
const MAX_ANSWER_CHARS = 8 * 1024 * 1024;

/** what an operator who finds the daemon gone does next: start it, and find out why it stopped */
const AGENT_NOT_RUNNING = 'the agent is not running here: start it with `systemctl start xenherd-agent` (`systemctl status xenherd-agent` and `journalctl -u xenherd-agent` say why it stopped)';

type LineRead = { readonly kind: 'more' } | { readonly kind: 'line'; readonly line: string } | { readonly kind: 'too-long' };

/** Collects the answer line across chunks; scans each chunk once (not the whole buffer again). */
function answerLine(): (chunk: string) => LineRead {
  let buf = '';
  return (chunk) => {
    const nl = chunk.indexOf('\n');
    const size = buf.length + (nl < 0 ? chunk.length : nl);
    if (size > MAX_ANSWER_CHARS) return { kind: 'too-long' };
    if (nl < 0) {
      buf += chunk;
      return { kind: 'more' };
    }
    return { kind: 'line', line: buf + chunk.slice(0, nl) };
  };
}

const tooLong = (path: string): XhError => ({ code: 'XH_ERR_INTERNAL', message: `${path}: an answer longer than ${MAX_ANSWER_CHARS / (1024 * 1024)} MiB without a line end (not the agent's protocol); gave up` });

/** One request to the agent's control socket; the answer parsed with the shared schema. */
export function askAgent(path: string, req: ControlRequest, timeoutMs = 180_000): Promise<Result<ControlResponse, XhError>> {
  return new Promise((resolve) => {
    const sock = createConnection(path);
    const read = answerLine();
    let settled = false;
    const done = (r: Result<ControlResponse, XhError>): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      sock.destroy();
      resolve(r);
    };
    const cancelTimer = realClock.schedule(timeoutMs, () => done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: no answer from the agent after ${timeoutMs / 1000} s` })));
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (chunk: string) => {
      if (settled) return;
      const got = read(chunk);
      if (got.kind === 'too-long') return done(err(tooLong(path)));
      if (got.kind === 'more') return;
      const parsed = parseJsonLine(got.line, ControlResponseSchema);
      if (parsed.ok) return done(ok(parsed.value));
      const why = parsed.error.kind === 'not-json' ? 'the agent answered something that is not JSON' : `unexpected answer from the agent: ${parsed.error.issues}`;
      done(err({ code: 'XH_ERR_INTERNAL', message: `${path}: ${why}` }));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? AGENT_NOT_RUNNING : e.code === 'EACCES' ? 'permission denied (run as root)' : e.message;
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
  /** FN runs once when the agent closes the connection of a granted hold (not after release()) */
  onLost(fn: () => void): void;
}

/**
 * Asks the agent to hold a domU (op `hold`). `no-daemon` when no agent listens on the socket (no
 * file, or a stale one nobody accepts on): the caller then relies on its own file lock.
 */
export function holdOnAgent(path: string, req: Extract<ControlRequest, { op: 'hold' }>, timeoutMs = 30_000): Promise<Result<AgentHold | 'no-daemon', XhError>> {
  return new Promise((resolve) => {
    const sock = createConnection(path);
    const read = answerLine();
    let settled = false;
    let lost = false;
    let released = false;
    const whenLost: (() => void)[] = [];
    const done = (r: Result<AgentHold | 'no-daemon', XhError>, keep = false): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      if (!keep) sock.destroy();
      resolve(r);
    };
    const cancelTimer = realClock.schedule(timeoutMs, () => done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: no answer from the agent after ${timeoutMs / 1000} s to hold ${req.name}` })));
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (chunk: string) => {
      if (settled) return;
      const got = read(chunk);
      if (got.kind === 'too-long') return done(err(tooLong(path)));
      if (got.kind === 'more') return;
      const parsed = parseJsonLine(got.line, ControlResponseSchema);
      if (!parsed.ok) return done(err({ code: 'XH_ERR_INTERNAL', message: `${path}: unexpected answer from the agent to hold: ${parsed.error.kind === 'not-json' ? 'not JSON' : parsed.error.issues}` }));
      const r = parsed.value;
      if (!r.ok) return done(err({ code: isErrorCode(r.error.code) ? r.error.code : 'XH_ERR_INTERNAL', message: `the agent refused to hold ${req.name}: ${r.error.message}` }));
      const release = (): void => {
        released = true;
        sock.end();
      };
      done(ok({ release, lost: () => lost, onLost: (fn) => (lost ? fn() : void whenLost.push(fn)) }), true);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      lost = true;
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') return done(ok('no-daemon'));
      done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: ${e.code === 'EACCES' ? 'permission denied (run as root)' : e.message}` }));
    });
    sock.on('close', () => {
      lost = true;
      // a granted hold whose connection the agent ended (it stopped or restarted): the holder is told
      if (settled && !released) for (const fn of whenLost.splice(0)) fn();
      done(err({ code: 'XH_ERR_AGENT_UNREACHABLE', message: `${path}: the agent closed the connection without answering the hold of ${req.name}` }));
    });
  });
}
