import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import { CTL_API_PREFIX } from '../../shared/protocol/ctl-api.js';
import type { AuthFailureLimiter } from '../auth/auth-limiter.js';
import { authenticate, type OperatorRole } from '../auth/tokens.js';
import type { TokenBook } from '../auth/token-store-file.js';
import type { ControllerCore } from '../core/controller-core.js';
import { apiRouteOf, methodsOf, sendMethodNotAllowed } from './api-routes.js';
import { auditRequest, noteAgent, noteOperator } from './audit-trail.js';
import { authorizationOf } from './authorization-header.js';
import { runCommandStream } from './command-stream.js';
import { cancelRoute, jobRoute, planRoute } from './job-routes.js';
import { hostParam } from './host-param.js';
import { checkRoute, metricsRoute } from './monitoring-routes.js';
import { repeatedParam } from './query-once.js';
import { asReported } from '../fleet/host-spelling.js';
import { knownHosts } from './known-hosts.js';
import { remoteOf, requestTarget, sendError, sendJson, sendRateLimited } from './respond.js';

interface Deps {
  readonly core: ControllerCore;
  readonly tokens: TokenBook;
  readonly log: Logger;
  readonly clock: Clock;
  readonly limiter: AuthFailureLimiter;
}

/**
 * A token presented and not ours. A revoked or replaced token (`operator NAME` run again) reads the
 * same as a typo unless the words say so; one text for an unknown id and a wrong secret, so a
 * client cannot learn which ids exist. The token is never echoed.
 */
export const TOKEN_REFUSED =
  'token refused: unknown, revoked or replaced (`xenherd-controller tokens` on the controller lists the valid ids; ask for a new token with `xenherd-controller operator NAME`), or mistyped: check XENHERD_TOKEN (or "token" in ctl.json)';

/** The operator behind a request, if its token allows ROLE; otherwise answered (400/401/403, 429 after many refused tokens) and logged. */
function operatorFor(deps: Deps, req: IncomingMessage, res: ServerResponse, role: OperatorRole): { name: string; tokenId: string } | null {
  const remote = remoteOf(req);
  const refuse = (status: 400 | 401 | 403, reason: string, message: string): null => {
    // the path only: a query string is the client's to fill, and a token pasted there must not reach the log
    const path = (requestTarget(req)?.pathname ?? '').slice(0, 200);
    const code = status === 400 ? 'XH_ERR_USAGE' : 'XH_ERR_AUTH';
    deps.log.warn({ event: 'api-refused', remote, path, code, reason }, `refused ${req.method} ${path} from ${remote}: ${reason}`);
    if (status === 401) res.setHeader('www-authenticate', 'Bearer');
    sendError(res, { code, message }, status);
    return null;
  };
  const header = authorizationOf(req);
  if (!header.ok) return refuse(400, header.message, header.message);
  const auth = authenticate(deps.tokens.current(), header.value);
  if (!auth.ok) {
    // A valid token is let through whatever its address did: the lockout holds back only refused
    // tokens, so a scanner sharing a NAT, jump host or the controller's own machine with the
    // operators and agents cannot lock them out.
    const gate = deps.limiter.check(req.socket.remoteAddress ?? '?');
    if (!gate.allowed) {
      if (gate.firstInWindow) deps.log.warn({ event: 'auth-rate-limited', remote, retryAfterSeconds: gate.retryAfterSeconds }, `too many refused tokens from ${remote}: refusing its further refused tokens (requests and agent links) for ${gate.retryAfterSeconds} s, unlogged; valid tokens still pass`);
      sendRateLimited(res, gate.retryAfterSeconds);
      return null;
    }
    // Only a token presented and refused counts toward the lockout. No header, or one not of the
    // form "Bearer TOKEN" (Basic, a bare token), guesses nothing: it is a client that does not
    // speak this API, and counting it would let that one client lock the correct ones sharing
    // its address (a NAT, a jump host) out for a minute. Its refusal costs no more than a
    // request for an unknown path, which is not counted either.
    if (auth.fault === 'token') deps.limiter.failed(req.socket.remoteAddress ?? '?');
    return refuse(401, auth.reason, auth.fault === 'token' ? `${TOKEN_REFUSED}${deps.tokens.refusalNote()}` : 'use Authorization: Bearer TOKEN (the token in XENHERD_TOKEN or "token" in ctl.json)');
  }
  const p = auth.principal;
  if (p.kind === 'agent') {
    noteAgent(req, p.host);
    return refuse(403, `agent token of ${p.host} used on the operator API`, "an agent's token cannot be used for the operator API");
  }
  noteOperator(req, p.name, p.role);
  if (role === 'operate' && p.role !== 'operate') return refuse(403, `operator ${p.name} has role ${p.role}, ${role} needed`, `the token of ${p.name} has the role "${p.role}": this needs "operate"`);
  return { name: p.name, tokenId: p.tokenId };
}

/** Whether an operator's token is still in tokens.json: a request whose body came after it left is refused, and a stream it opened ends (revocable-stream.ts). */
const tokenStillValid = (deps: Deps, tokenId: string) => (): boolean => deps.tokens.current().operators[tokenId] !== undefined;

/**
 * The operator's HTTP API (schemas and paths in shared/protocol/ctl-api.ts). Reads answer from
 * the core's fleet view at once; a command streams NDJSON until the agent's result.
 */
export function httpApiHandler(deps: Deps) {
  const route = routeRequest(deps);
  // A throw in a view is a bug in xenherd; it answers this request 500 and leaves the controller,
  // and every other operator's and agent's link, running: the fleet view it read is not changed
  // by reading it.
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      route(req, res);
    } catch (e) {
      const method = String(req.method).slice(0, 10);
      const path = (requestTarget(req)?.pathname ?? '').slice(0, 200);
      deps.log.error({ event: 'api-internal-error', method, path, err: e }, `${method} ${path} failed inside the controller (a bug: please report it with this line): ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) sendError(res, { code: 'XH_ERR_INTERNAL', message: 'the controller failed to answer (a bug in xenherd, logged on the controller): please report it with its log' });
      else res.destroy();
    }
  };
}

function routeRequest(deps: Deps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // every operator action (anything but a read) is on the audit trail, whatever route it takes
    if (req.method !== 'GET') auditRequest(req, res, deps.log, deps.clock);
    const url = requestTarget(req);
    if (url === null) return sendError(res, { code: 'XH_ERR_USAGE', message: `the request target is not a path under ${CTL_API_PREFIX}/` });
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // Prometheus scrapes /metrics by convention: the one route outside the versioned API
    if (path === '/metrics') {
      if (method !== 'GET') return sendMethodNotAllowed(res, method, path, ['GET']);
      if (operatorFor(deps, req, res, 'read')) metricsRoute(deps.core, res);
      return;
    }
    if (!path.startsWith(`${CTL_API_PREFIX}/`)) return sendError(res, { code: 'XH_ERR_NOT_FOUND', message: `no API at ${path.slice(0, 100)}: the API is under ${CTL_API_PREFIX}/` });
    const subPath = path.slice(CTL_API_PREFIX.length);
    const route = apiRouteOf(`${method} ${subPath}`);
    if (route === null) {
      const allow = methodsOf(subPath);
      if (allow.length > 0) return sendMethodNotAllowed(res, method, path, allow);
      return sendError(res, { code: 'XH_ERR_NOT_FOUND', message: `no API ${`${method} ${subPath}`.slice(0, 100)}: see shared/protocol/ctl-api.ts and ctl-jobs.ts` });
    }
    switch (route) {
      case 'GET /where': {
        if (!operatorFor(deps, req, res, 'read')) return;
        const twice = repeatedParam(url.searchParams);
        if (twice !== null) return sendError(res, twice);
        const r = deps.core.where(url.searchParams.get('pattern') ?? '');
        return r.ok ? sendJson(res, 200, r.value) : sendError(res, r.error);
      }
      case 'GET /hosts':
        if (!operatorFor(deps, req, res, 'read')) return;
        return sendJson(res, 200, deps.core.hosts());
      case 'GET /domains': {
        if (!operatorFor(deps, req, res, 'read')) return;
        const host = hostParam(url.searchParams);
        if (!host.ok) return sendError(res, host.error);
        const r = deps.core.domains(host.value === null ? null : asReported(knownHosts(deps.core), host.value));
        return r.ok ? sendJson(res, 200, r.value) : sendError(res, r.error);
      }
      case 'GET /status':
        if (!operatorFor(deps, req, res, 'read')) return;
        return sendJson(res, 200, deps.core.status());
      case 'GET /drbd': {
        if (!operatorFor(deps, req, res, 'read')) return;
        const twice = repeatedParam(url.searchParams);
        if (twice !== null) return sendError(res, twice);
        const r = deps.core.drbd(url.searchParams.get('pattern'));
        return r.ok ? sendJson(res, 200, r.value) : sendError(res, r.error);
      }
      case 'GET /check':
        if (!operatorFor(deps, req, res, 'read')) return;
        return checkRoute(deps.core, url, res);
      case 'POST /commands': {
        const operator = operatorFor(deps, req, res, 'operate');
        if (!operator) return;
        void runCommandStream(deps.core, deps.log, operator, req, res, tokenStillValid(deps, operator.tokenId));
        return;
      }
      case 'POST /plan': {
        const operator = operatorFor(deps, req, res, 'read');
        if (!operator) return;
        void planRoute(deps.core, req, res, tokenStillValid(deps, operator.tokenId));
        return;
      }
      case 'GET /jobs':
        if (!operatorFor(deps, req, res, 'read')) return;
        return sendJson(res, 200, deps.core.jobs());
      case 'POST /jobs':
      case 'POST /jobs/cancel': {
        const operator = operatorFor(deps, req, res, 'operate');
        if (!operator) return;
        const stillValid = tokenStillValid(deps, operator.tokenId);
        void (route === 'POST /jobs' ? jobRoute(deps.core, deps.log, operator, req, res, stillValid) : cancelRoute(deps.core, operator, req, res, stillValid));
        return;
      }
      default: {
        // a route in API_ROUTES without a case here does not compile
        const unhandled: never = route;
        return unhandled;
      }
    }
  };
}
