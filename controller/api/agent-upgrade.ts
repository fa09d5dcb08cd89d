import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Logger } from '../../shared/logger.js';
import { wsLink } from '../../shared/link/ws-link.js';
import { AGENT_LINK_PATH } from '../../shared/protocol/agent-link.js';
import type { AuthFailureLimiter } from '../auth/auth-limiter.js';
import { authenticate } from '../auth/tokens.js';
import type { TokenBook } from '../auth/token-store-file.js';
import type { ControllerCore } from '../core/controller-core.js';
import { authorizationOf } from './authorization-header.js';
import type { IngestPacer } from './ingest-pacer.js';
import { revocableLink } from './revocable-link.js';
import { recentTokens } from '../auth/recent-tokens.js';
import type { Clock } from '../../shared/clock/clock.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import { RetiredAgentTokens } from './retired-agent-tokens.js';

/** Answers an HTTP upgrade with an error status and closes: the WebSocket never opens. */
function refuseUpgrade(socket: Duplex, status: 400 | 401 | 403 | 404 | 429, code: string, message: string, retryAfterSeconds?: number): void {
  const body = JSON.stringify({ error: { code, message } });
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' }[status];
  const retry = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${retry}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  socket.destroy();
}

/**
 * An agent opening its link: the token is checked before the WebSocket exists, and the host it
 * is bound to becomes the link's identity; the core then refuses a hello for any other host.
 */
/** how stale the token store a link's frames are checked against may be: a revocation ends a link within this and its next frame */
export const REVOCATION_RECHECK_MS = 250;

export function agentUpgradeHandler(deps: { core: ControllerCore; wss: WebSocketServer; tokens: TokenBook; log: Logger; pacer: IngestPacer; limiter: AuthFailureLimiter; clock: Pick<Clock, 'now'> }) {
  const recent = recentTokens(deps.tokens, deps.clock, REVOCATION_RECHECK_MS);
  const retired = new RetiredAgentTokens();
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const path = (req.url ?? '').split('?')[0];
    if (path !== AGENT_LINK_PATH) {
      deps.log.warn({ event: 'agent-refused', remote, reason: `upgrade on unknown path ${JSON.stringify(path).slice(0, 100)}` }, 'refused a WebSocket upgrade on an unknown path');
      return refuseUpgrade(socket, 404, 'XH_ERR_NOT_FOUND', `the agent link is at ${AGENT_LINK_PATH}`);
    }
    const header = authorizationOf(req);
    if (!header.ok) {
      deps.log.warn({ event: 'agent-refused', remote, code: 'XH_ERR_USAGE', reason: header.message }, `refused an agent link from ${remote}: ${header.message}`);
      return refuseUpgrade(socket, 400, 'XH_ERR_USAGE', header.message);
    }
    const auth = authenticate(deps.tokens.current(), header.value);
    if (!auth.ok) {
      // as on the API (http-api.ts): a valid token passes whatever its address did, and only a
      // token presented and refused counts toward the lockout
      const gate = deps.limiter.check(req.socket.remoteAddress ?? '?');
      if (!gate.allowed) {
        if (gate.firstInWindow) deps.log.warn({ event: 'auth-rate-limited', remote, retryAfterSeconds: gate.retryAfterSeconds }, `too many refused tokens from ${remote}: refusing its further refused tokens (agent links and requests) for ${gate.retryAfterSeconds} s, unlogged; valid tokens still pass`);
        return refuseUpgrade(socket, 429, 'XH_ERR_AUTH', `too many refused tokens from this address: try again in ${gate.retryAfterSeconds} s`, gate.retryAfterSeconds);
      }
      if (auth.fault === 'token') deps.limiter.failed(req.socket.remoteAddress ?? '?');
      // a token id enrolled for a host, with the wrong secret: that host's agent, dialling with a
      // stale token, which status and check then say instead of calling the Dom0 unheard
      const id = /\bxh1\.([0-9a-f]{12})\./.exec(header.value ?? '')?.[1];
      const bound = id === undefined ? undefined : deps.tokens.current().agents[id];
      if (id !== undefined && bound !== undefined) deps.core.agentRefused(bound.host, id, auth.reason);
      // or the token a host's agent was linked with until an enroll replaced it (or a revoke took
      // it): that agent, still dialling with it, rather than a dead Dom0
      const was = id === undefined || bound !== undefined ? undefined : retired.of(id);
      if (id !== undefined && was !== undefined) deps.core.agentRefused(was.host, id, `token id ${id} was replaced or revoked at ${utcMinuteText(was.at)}, while this agent was linked with it`);
      const note = auth.fault === 'token' ? deps.tokens.refusalNote() : '';
      deps.log.warn({ event: 'agent-refused', remote, code: 'XH_ERR_AUTH', reason: auth.reason }, `refused an agent link from ${remote}: ${auth.reason}${note}`);
      const fix = auth.fault === 'token' ? `token refused: enroll this host (xenherd-controller enroll HOST) and use the token it prints${note}` : "use Authorization: Bearer TOKEN (the host's token from xenherd-controller enroll HOST)";
      return refuseUpgrade(socket, 401, 'XH_ERR_AUTH', fix);
    }
    if (auth.principal.kind !== 'agent') {
      deps.log.warn({ event: 'agent-refused', remote, code: 'XH_ERR_AUTH', reason: `operator token ${auth.principal.tokenId} (${auth.principal.name}) used for an agent link` }, `refused an agent link from ${remote}: an operator token`);
      return refuseUpgrade(socket, 403, 'XH_ERR_AUTH', "an operator's token cannot open an agent link: use the host's token from xenherd-controller enroll");
    }
    const { host, tokenId } = auth.principal;
    // the token is checked again on every frame (against the store as it was at most
    // REVOCATION_RECHECK_MS ago): a revoked one closes the open link too. A token missing from
    // that store is looked up in tokens.json itself before the link is closed: one enrolled a
    // moment ago is in the file, not yet in the store read before it
    const stillValid = (): boolean => recent().agents[tokenId] !== undefined || deps.tokens.current().agents[tokenId] !== undefined;
    const revoked = (): void => {
      retired.retired(host, tokenId, deps.clock.now());
      deps.log.warn({ event: 'agent-revoked', host, tokenId, remote }, `closed the agent link of ${host} from ${remote}: its token ${tokenId} was revoked or replaced`);
    };
    deps.wss.handleUpgrade(req, socket, head, (ws) => {
      deps.core.acceptAgent(deps.pacer.link(ws, revocableLink(wsLink(ws, remote), stillValid, revoked), host), { host });
    });
  };
}
