import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as z from 'zod';
import type { Logger } from '../../shared/logger.js';
import { JobRequestSchema, PlanRequestSchema, type JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { CancelRequestSchema } from '../../shared/protocol/ctl-cancel.js';
import type { ControllerCore, OperatorIdentity } from '../core/controller-core.js';
import { requestAsReported } from '../fleet/host-spelling.js';
import { knownHosts } from './known-hosts.js';
import { jsonBody } from './json-body.js';
import { readBody, remoteOf, sendError, sendJson } from './respond.js';
import { revocableStream, revokedWhileSent } from './revocable-stream.js';

const BODY_LIMIT = 16 * 1024;

/** The request body parsed with SCHEMA, or an error response sent (null), also when the token was revoked while it came. */
async function bodyOf<T>(req: IncomingMessage, res: ServerResponse, schema: z.ZodType<T>, what: string, stillValid: () => boolean): Promise<T | null> {
  const body = await readBody(req, res, BODY_LIMIT);
  // null: readBody answered (413), or the request broke off and there is no one to answer
  if (body === null) return null;
  const raw = jsonBody(body);
  if (!raw.ok) {
    sendError(res, raw.error);
    return null;
  }
  const parsed = schema.safeParse(raw.value);
  if (!parsed.success) {
    sendError(res, { code: 'XH_ERR_USAGE', message: `not ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` });
    return null;
  }
  return revokedWhileSent(res, stillValid) ? null : parsed.data;
}

/** POST /v1/plan: a plan from the current view; nothing moves. */
export async function planRoute(core: ControllerCore, req: IncomingMessage, res: ServerResponse, stillValid: () => boolean): Promise<void> {
  const p = await bodyOf(req, res, PlanRequestSchema, 'a plan request', stillValid);
  if (p === null) return;
  const r = await core.hub.plan(requestAsReported(knownHosts(core), p));
  return r.ok ? sendJson(res, 200, r.value) : sendError(res, r.error);
}

/**
 * POST /v1/jobs: starts (or follows) a job; the response is NDJSON, one JobEvent a line, `end`
 * last. An operator going away does not stop the job (Ctrl-C in the xenherdctl that started it
 * cancels it first; one that attached to it, `job.attached`, only goes away).
 */
export async function jobRoute(core: ControllerCore, log: Logger, operator: OperatorIdentity, req: IncomingMessage, res: ServerResponse, stillValid: () => boolean): Promise<void> {
  const j = await bodyOf(req, res, JobRequestSchema, 'a job request', stillValid);
  if (j === null) return;
  let ready = false;
  let open = true;
  let jobId = '?';
  const early: JobEvent[] = [];
  const revoked = (): void => {
    open = false;
    log.warn({ event: 'operator-revoked', remote: remoteOf(req), operator: operator.name, jobId }, `ended ${operator.name}'s stream of ${jobId}: its token was revoked or replaced; the job goes on`);
  };
  const guard = revocableStream(res, stillValid, () => `the job ${jobId} goes on in the controller (it is not cancelled): \`xenherdctl jobs\` shows it, \`xenherdctl cancel ${jobId}\` with another operate token stops it`, revoked);
  const write = (e: JobEvent): void => {
    if (!open) return;
    if (!ready) {
      early.push(e);
      return;
    }
    if (!guard.open()) return;
    res.write(`${JSON.stringify(e)}\n`);
    if (e.type === 'end') {
      open = false;
      res.end();
    }
  };
  const started = core.hub.start(requestAsReported(knownHosts(core), j), operator.name, write);
  if (!started.ok) return sendError(res, started.error);
  jobId = started.value.job.id;
  res.on('close', () => {
    if (open) log.info({ event: 'operator-gone', remote: remoteOf(req), operator: operator.name, jobId: started.value.job.id }, `${operator.name} stopped following ${started.value.job.id}; the job goes on`);
    open = false;
    started.value.unfollow();
  });
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  ready = true;
  for (const e of early.splice(0)) write(e);
}

/** POST /v1/jobs/cancel: no new moves; running ones finish. */
export async function cancelRoute(core: ControllerCore, operator: OperatorIdentity, req: IncomingMessage, res: ServerResponse, stillValid: () => boolean): Promise<void> {
  const c = await bodyOf(req, res, CancelRequestSchema, 'a cancel request', stillValid);
  if (c === null) return;
  const r = core.hub.cancel(c.jobId, operator.name);
  return r.ok ? sendJson(res, 200, r.value) : sendError(res, r.error);
}
