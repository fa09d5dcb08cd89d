import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { CONTROL_PROTOCOL_VERSION, ControlRequestSchema, type ControlRequest, type ControlResponse } from '../../shared/protocol/agent-control.js';
import { parseJsonLine } from '../../shared/protocol/json-line.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * The control socket: a unix stream socket readable by its owner only (root). One request line
 * in, one response line out, then close. Requests are parsed with the shared zod schema; a line
 * that does not parse gets an error response naming what was wrong.
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

export async function listenControl(path: string, handle: ControlHandler): Promise<Result<ControlServer, XhError>> {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    return err({ code: 'XH_ERR_FILE', message: `${dirname(path)}: cannot create the control socket's directory: ${String(e)}` });
  }
  if (await probe(path)) return err({ code: 'XH_ERR_REFUSED', message: `another xenherd agent already answers on ${path}: stop it first` });
  rmSync(path, { force: true });
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
    sock.on('data', (chunk: string) => {
      // one request per connection: what a holder sends after it is ignored
      if (handled) return;
      buf += chunk;
      if (buf.length > MAX_REQUEST_BYTES) {
        handled = true;
        return answer(bad('request too long'));
      }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      handled = true;
      const req = parseJsonLine(buf.slice(0, nl), ControlRequestSchema);
      if (!req.ok) return answer(bad(req.error.kind === 'not-json' ? 'not a JSON line' : `not a control request: ${req.error.issues}`));
      handle(req.value, conn).then(answer, (e: unknown) => answer({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_INTERNAL', message: String(e) } }));
    });
    sock.on('error', () => undefined);
  });
  const listening = await new Promise<Result<void, XhError>>((resolve) => {
    server.once('error', (e) => resolve(err({ code: 'XH_ERR_FILE', message: `${path}: cannot listen: ${e.message}` })));
    server.listen(path, () => resolve(ok(undefined)));
  });
  if (!listening.ok) return listening;
  chmodSync(path, 0o600);
  return ok({
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
        // held connections would keep server.close() waiting: their holders see the agent go
        for (const s of open) s.destroy();
      }),
  });
}

const bad = (message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_USAGE', message } });
