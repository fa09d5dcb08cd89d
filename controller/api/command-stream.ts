import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logger.js';
import { CommandRequestSchema, type CommandEvent } from '../../shared/protocol/ctl-api.js';
import type { ControllerCore, OperatorIdentity } from '../core/controller-core.js';
import { requestAsReported } from '../fleet/host-spelling.js';
import { knownHosts } from './known-hosts.js';
import { jsonBody } from './json-body.js';
import { readBody, remoteOf, sendError } from './respond.js';
import { revocableStream, revokedWhileSent } from './revocable-stream.js';

const BODY_LIMIT = 16 * 1024;

/**
 * POST /v1/commands: the request is checked and routed first (an error is a plain JSON error
 * response); once an agent has it, the response is NDJSON, one CommandEvent a line, `result`
 * last. If the operator goes away the command goes on: a migration is not stopped halfway
 * because a terminal closed.
 */
export async function runCommandStream(core: ControllerCore, log: Logger, operator: OperatorIdentity, req: IncomingMessage, res: ServerResponse, stillValid: () => boolean): Promise<void> {
  const body = await readBody(req, res, BODY_LIMIT);
  // null: readBody answered (413), or the request broke off and there is no one to answer
  if (body === null) return;
  const raw = jsonBody(body);
  if (!raw.ok) return sendError(res, raw.error);
  const parsed = CommandRequestSchema.safeParse(raw.value);
  if (!parsed.success) return sendError(res, { code: 'XH_ERR_USAGE', message: `not a command request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` });
  if (revokedWhileSent(res, stillValid)) return;
  if (parsed.data.op === 'migrate' && parsed.data.dryRun === true) {
    // refused as the command would be (a plain JSON error); passed: one result line, no `accepted`
    const dry = core.commandDryRun(requestAsReported(knownHosts(core), parsed.data));
    if (!dry.ok) return sendError(res, dry.error);
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.end(`${JSON.stringify({ type: 'result', ...dry.value } satisfies CommandEvent)}\n`);
    return;
  }
  let open = true;
  const what = `${parsed.data.op} ${parsed.data.name}`;
  const guard = revocableStream(res, stillValid, () => `the ${what} goes on on its Dom0s to its end (a migration is not stopped halfway): \`xenherdctl where ${parsed.data.name}\` shows where it ends`, () => {
    open = false;
    log.warn({ event: 'operator-revoked', remote: remoteOf(req), operator: operator.name }, `ended ${operator.name}'s stream of ${what}: its token was revoked or replaced; the command goes on`);
  });
  const write = (e: CommandEvent): void => {
    if (open && guard.open()) res.write(`${JSON.stringify(e)}\n`);
  };
  res.on('close', () => {
    if (open && !res.writableFinished) log.info({ event: 'operator-gone', remote: remoteOf(req), operator: operator.name }, `${operator.name} stopped following a command; it goes on`);
    open = false;
  });
  const started = core.command(requestAsReported(knownHosts(core), parsed.data), operator, {
    progress: (line) => write({ type: 'progress', line }),
    done: (o) => {
      write({ type: 'result', ...o });
      if (open) res.end();
      open = false;
    },
  });
  if (!started.ok) {
    open = false;
    return sendError(res, started.error);
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  write({ type: 'accepted', ...started.value });
}
