import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { CTL_API_PREFIX } from '../../shared/protocol/ctl-api.js';
import type { AuthFailureLimiter } from '../auth/auth-limiter.js';
import { authenticate, type OperatorRole } from '../auth/tokens.js';
import type { TokenBook } from '../auth/token-store-file.js';
import type { ControllerCore } from '../core/controller-core.js';
import { auditRequest, noteOperator } from './audit-trail.js';
import { runCommandStream } from './command-stream.js';
import { cancelRoute, jobRoute, planRoute } from './job-routes.js';
import { checkRoute, metricsRoute } from './monitoring-routes.js';
import { remoteOf, requestTarget, sendError, sendJson, sendRateLimited } from './respond.js';

interface Deps {
  readonly core: ControllerCore;
  readonly tokens: TokenBook;
  readonly log: Logger;
  readonly clock: Clock;
  readonly limiter: AuthFailureLimiter;
}

/** The operator behind a request, if its token allows ROLE; otherwise answered (401/403, 429 after many refused tokens) and logged. */
function operatorFor(deps: Deps, req: IncomingMessage, res: ServerResponse, role: OperatorRole): { name: string } | null {
  const remote = remoteOf(req);
  const gate = deps.limiter.check(req.socket.remoteAddress ?? '?');
  if (!gate.allowed) {
    if (gate.firstInWindow) deps.log.warn({ event: 'auth-rate-limited', remote, retryAfterSeconds: gate.retryAfterSeconds }, `too many refused tokens from ${remote}: refusing its requests and agent links for ${gate.retryAfterSeconds} s`);
    sendRateLimited(res, gate.retryAfterSeconds);
    return null;
  }
  const auth = authenticate(deps.tokens.current(), req.headers.authorization);
  const refuse = (status: 401 | 403, reason: string, message: string): null => {
    // the path only: a query string is the client's to fill, and a token pasted there must not reach the log
    const path = (requestTarget(req)?.pathname ?? '').slice(0, 200);
    deps.log.warn({ event: 'api-refused', remote, path, code: 'XH_ERR_AUTH', reason }, `refused ${req.method} ${path} from ${remote}: ${reason}`);
    sendError(res, { code: 'XH_ERR_AUTH', message }, status);
    return null;
  };
  if (!auth.ok) {
    deps.limiter.failed(req.socket.remoteAddress ?? '?');
    return refuse(401, auth.reason, 'token refused: check XENHERD_TOKEN (or "token" in ctl.json)');
  }
  const p = auth.principal;
  if (p.kind === 'operator') noteOperator(req, p.name, p.role);
  if (p.kind === 'agent') return refuse(403, `agent token of ${p.host} used on the operator API`, "an agent's token cannot be used for the operator API");
  if (role === 'operate' && p.role !== 'operate') return refuse(403, `operator ${p.name} has role ${p.role}, ${role} needed`, `the token of ${p.name} has the role "${p.role}": this needs "operate"`);
  return { name: p.name };
}

/**
 * The operator's HTTP API (schemas and paths in shared/protocol/ctl-api.ts). Reads answer from
 * the core's fleet view at once; a command streams NDJSON until the agent's result.
 */
export function httpApiHandler(deps: Deps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // every operator action (anything but a read) is on the audit trail, whatever route it takes
    if (req.method !== 'GET') auditRequest(req, res, deps.log, deps.clock);
    const url = requestTarget(req);
    if (url === null) return sendError(res, { code: 'XH_ERR_USAGE', message: `the request target is not a path under ${CTL_API_PREFIX}/` });
    const path = url.pathname;
    // Prometheus scrapes /metrics by convention: the one route outside the versioned API
    if (req.method === 'GET' && path === '/metrics') {
      if (operatorFor(deps, req, res, 'read')) metricsRoute(deps.core, res);
      return;
    }
    if (!path.startsWith(`${CTL_API_PREFIX}/`)) return sendError(res, { code: 'XH_ERR_NOT_FOUND', message: `no API at ${path.slice(0, 100)}: the API is under ${CTL_API_PREFIX}/` });
    const route = `${req.method ?? 'GET'} ${path.slice(CTL_API_PREFIX.length)}`;
    switch (route) {
      case 'GET /where': {
        if (!operatorFor(deps, req, res, 'read')) return;
        const r = deps.core.where(url.searchParams.get('pattern') ?? '');
        return r.ok ? sendJson(res, 200, r.value) : sendError(res, r.error);
      }
      case 'GET /hosts':
        if (!operatorFor(deps, req, res, 'read')) return;
        return sendJson(res, 200, deps.core.hosts());
      case 'GET /domains': {
        if (!operatorFor(deps, req, res, 'read')) return;
        const r = deps.core.domains(url.searchParams.get('host'));
        return r.ok ? sendJson(res, 200, r.value) : sendError(res, r.error);
      }
      case 'GET /status':
        if (!operatorFor(deps, req, res, 'read')) return;
        return sendJson(res, 200, deps.core.status());
      case 'GET /check':
        if (!operatorFor(deps, req, res, 'read')) return;
        return checkRoute(deps.core, url, res);
      case 'POST /commands': {
        const operator = operatorFor(deps, req, res, 'operate');
        if (!operator) return;
        void runCommandStream(deps.core, deps.log, operator, req, res);
        return;
      }
      case 'POST /plan':
        if (!operatorFor(deps, req, res, 'read')) return;
        void planRoute(deps.core, req, res);
        return;
      case 'GET /jobs':
        if (!operatorFor(deps, req, res, 'read')) return;
        return sendJson(res, 200, deps.core.jobs());
      case 'POST /jobs':
      case 'POST /jobs/cancel': {
        const operator = operatorFor(deps, req, res, 'operate');
        if (!operator) return;
        void (route === 'POST /jobs' ? jobRoute(deps.core, deps.log, operator, req, res) : cancelRoute(deps.core, operator, req, res));
        return;
      }
      default:
        return sendError(res, { code: 'XH_ERR_NOT_FOUND', message: `no API ${route.slice(0, 100)}: see shared/protocol/ctl-api.ts and ctl-jobs.ts` });
    }
  };
}
