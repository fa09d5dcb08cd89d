import { chmodSync, lstatSync, unlinkSync, type Stats } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { CONTROL_PROTOCOL_VERSION, ControlRequestSchema, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import { parseJsonLine } from '../../shared/protocol/json-line.js';
import { err, ok, type Result } from '../../shared/result.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';
import type { Clock } from '../../shared/clock/clock.js';
import { realClock } from '../../shared/clock/real-clock.js';

/**
 * The control socket: a unix stream socket readable by its owner only (root). One request line
 * in, one response line out, then close. Requests are parsed with the shared zod schema; a line
 * that does not parse gets an error response naming what was wrong.
 *
 * Its path comes from the config (`controlSocket`), so it is checked before anything is touched:
 * its directory must be xenherd's own (agent/adapters/state-dir.ts); what is at the path may only
 * be a socket, and a socket nobody answers on (left by a killed agent) is the only thing removed.
 * A regular file there was once deleted at start, and a directory crashed the daemon.
 * The socket is created owner-only: bind(2) runs under umask 0177, instead of a chmod after
 * listen() that left a moment in which any user could connect.
 */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface ControlServer {
  close(): Promise<void>;
}

/** The connection a request came on, for `hold`: answer, keep it open, learn when it closes. */
export interface ControlConnection {
  /**
   * Keep the connection open after the response; `onClose` runs once when the client closes it,
   * dies, or the server closes (at once when it is already closed).
   */
  keepOpen(onClose: () => void): void;
}

/** Is another agent answering on this socket? (A stale file from a killed agent is removed.) */
function probe(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export type ControlHandler = (req: ControlRequest, conn: ControlConnection) => Promise<ControlResponse>;

const what = (st: Stats): string =>
  st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : st.isFile() ? 'a regular file' : st.isFIFO() ? 'a FIFO' : 'not a socket';

/** the path is free for a new socket, or why not (a live agent, something that is not a socket) */
async function clearPath(path: string): Promise<Result<void, XhError>> {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return err({ code: 'XH_ERR_FILE', message: `${path}: cannot be examined: ${(e as Error).message}` });
  }
  if (!st.isSocket()) {
    return err({ code: 'XH_ERR_FILE', message: `${path} is ${what(st)}, not a socket: controlSocket in the agent config must name a path of its own; fix controlSocket, or move ${path} away` });
  }
  if (await probe(path)) return err({ code: 'XH_ERR_REFUSED', message: `another xenherd agent already answers on ${path}: stop it first` });
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return err({ code: 'XH_ERR_FILE', message: `${path}: cannot remove the stale socket: ${(e as Error).message}` });
  }
  return ok(undefined);
}

/** removes the socket file if it is still a socket (never whatever replaced it) */
function removeSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    /* gone */
  }
}

/**
 * server.listen() binds synchronously, so the umask set around it decides the socket file's mode
 * at bind(2) and is restored before any other code runs. Worker threads cannot change the umask:
 * there the socket is chmod-ed once listening (the private directory keeps others out meanwhile).
 */
function listenOwnerOnly(server: Server, path: string, cb: () => void): void {
  let old: number | null = null;
  try {
    old = process.umask(0o177);
  } catch {
    old = null;
  }
  const umaskSet = old !== null;
  try {
    server.listen(path, () => {
      if (!umaskSet) chmodSync(path, 0o600);
      cb();
    });
  } finally {
    if (old !== null) process.umask(old);
  }
}

/** A client that connects and does not finish its request line within this is answered and closed. */
export const REQUEST_WAIT_MS = 10_000;

export async function listenControl(path: string, handle: ControlHandler, clock: Clock = realClock): Promise<Result<ControlServer, XhError>> {
  const dir = ensurePrivateDir(dirname(path), { create: true, repair: false });
  if (!dir.ok) return err({ code: 'XH_ERR_FILE', message: `${dir.error.message} (the control socket's directory, from controlSocket in the agent config)` });
  const free = await clearPath(path);
  if (!free.ok) return free;
  const open = new Set<Socket>();
  const server: Server = createServer((sock) => {
    let buf = '';
    let answered = false;
    let closed = false;
    let onClose: (() => void) | null = null;
    let keep = false;
    open.add(sock);
    sock.setEncoding('utf8');
    sock.on('close', () => {
      closed = true;
      open.delete(sock);
      const f = onClose;
      onClose = null;
      f?.();
    });
    const conn: ControlConnection = {
      keepOpen: (f) => {
        keep = true;
        if (closed) f();
        else onClose = f;
      },
    };
    const answer = (r: ControlResponse): void => {
      if (answered) return;
      answered = true;
      const line = `${JSON.stringify(r)}\n`;
      // a refused hold closes like any other request; a granted one stays open until the client goes
      if (keep && r.ok) sock.write(line);
      else {
        if (keep && onClose) {
          const f = onClose;
          onClose = null;
          f();
        }
        sock.end(line);
      }
    };
    let handled = false;
    const stopWaiting = clock.schedule(REQUEST_WAIT_MS, () => {
      if (handled) return;
      handled = true;
      answer(bad(`no request line within ${REQUEST_WAIT_MS / 1000} s`));
    });
    sock.once('close', stopWaiting);
    sock.on('data', (chunk: string) => {
      // one request per connection: what a holder sends after it is ignored
      if (handled) return;
      buf += chunk;
      if (buf.length > MAX_REQUEST_BYTES) {
        handled = true;
        stopWaiting();
        return answer(bad('request too long'));
      }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      handled = true;
      stopWaiting();
      const req = parseJsonLine(buf.slice(0, nl), ControlRequestSchema);
      if (!req.ok) return answer(bad(req.error.kind === 'not-json' ? 'not a JSON line' : `not a control request: ${req.error.issues}`));
      handle(req.value, conn).then(answer, (e: unknown) => answer({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_INTERNAL', message: String(e) } }));
    });
    // the client stopped sending before a newline: say so instead of closing without an answer
    sock.on('end', () => {
      if (handled) return;
      handled = true;
      stopWaiting();
      answer(bad(buf === '' ? 'no request: the connection ended before one' : 'the request ended without a newline: send one JSON line ending in \\n'));
    });
    sock.on('error', () => undefined);
  });
  const listening = await new Promise<Result<void, XhError>>((resolve) => {
    server.once('error', (e) => resolve(err({ code: 'XH_ERR_FILE', message: `${path}: cannot listen: ${e.message}` })));
    listenOwnerOnly(server, path, () => resolve(ok(undefined)));
  });
  if (!listening.ok) return listening;
  return ok({
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        removeSocket(path);
        // held connections would keep server.close() waiting: their holders see the agent go
        for (const s of open) s.destroy();
      }),
  });
}

const bad = (message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_USAGE', message } });
