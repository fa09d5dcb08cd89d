import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
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

export async function listenControl(path: string, handle: (req: ControlRequest) => Promise<ControlResponse>): Promise<Result<ControlServer, XhError>> {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    return err({ code: 'XH_ERR_FILE', message: `${dirname(path)}: cannot create the control socket's directory: ${String(e)}` });
  }
  if (await probe(path)) return err({ code: 'XH_ERR_REFUSED', message: `another xenherd agent already answers on ${path}: stop it first` });
  rmSync(path, { force: true });
  const server: Server = createServer((sock) => {
    let buf = '';
    let answered = false;
    sock.setEncoding('utf8');
    const answer = (r: ControlResponse): void => {
      if (answered) return;
      answered = true;
      sock.end(`${JSON.stringify(r)}\n`);
    };
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST_BYTES) return answer(bad('request too long'));
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const req = parseJsonLine(buf.slice(0, nl), ControlRequestSchema);
      if (!req.ok) return answer(bad(req.error.kind === 'not-json' ? 'not a JSON line' : `not a control request: ${req.error.issues}`));
      handle(req.value).then(answer, (e: unknown) => answer({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_INTERNAL', message: String(e) } }));
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
      }),
  });
}

const bad = (message: string): ControlResponse => ({ v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_USAGE', message } });
