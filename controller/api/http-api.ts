import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logger.js';
import { CTL_API_PREFIX } from '../../shared/protocol/ctl-api.js';
import { authenticate, type OperatorRole } from '../auth/tokens.js';
import type { TokenBook } from '../auth/token-store-file.js';
import type { ControllerCore } from '../core/controller-core.js';
import { runCommandStream } from './command-stream.js';
import { remoteOf, sendError, sendJson } from './respond.js';

interface Deps {
  readonly core: ControllerCore;
  readonly tokens: TokenBook;
  readonly log: Logger;
}

/** The operator behind a request, if its token allows ROLE; otherwise answered (401/403) and logged. */
function operatorFor(deps: Deps, req: IncomingMessage, res: ServerResponse, role: OperatorRole): { name: string } | null {
  const remote = remoteOf(req);
  const auth = authenticate(deps.tokens.current(), req.headers.authorization);
  const refuse = (status: 401 | 403, reason: string, message: string): null => {
    deps.log.warn({ event: 'api-refused', remote, path: req.url?.slice(0, 200), code: 'XH_ERR_AUTH', reason }, `refused ${req.method} ${req.url?.slice(0, 200)} from ${remote}: ${reason}`);
    sendError(res, { code: 'XH_ERR_AUTH', message }, status);
    return null;
  };
  if (!auth.ok) return refuse(401, auth.reason, 'token refused: check XENHERD_TOKEN (or "token" in ctl.json)');
  const p = auth.principal;
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
    const url = new URL(req.url ?? '/', 'http://controller');
    const path = url.pathname;
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
      case 'POST /commands': {
        const operator = operatorFor(deps, req, res, 'operate');
        if (!operator) return;
        void runCommandStream(deps.core, deps.log, operator, req, res);
        return;
      }
      default:
        return sendError(res, { code: 'XH_ERR_NOT_FOUND', message: `no API ${route.slice(0, 100)}: see shared/protocol/ctl-api.ts` });
    }
  };
}
