import type { ServerResponse } from 'node:http';
import { sendError } from './respond.js';

/**
 * Every route under /v1 as "METHOD /path". http-api.ts switches over these exhaustively, so the
 * compiler keeps this list and the dispatch the same, and a path's methods for 405 come from here.
 */
export const API_ROUTES = ['GET /where', 'GET /hosts', 'GET /domains', 'GET /status', 'GET /drbd', 'GET /check', 'POST /commands', 'POST /plan', 'GET /jobs', 'POST /jobs', 'POST /jobs/cancel'] as const;
export type ApiRoute = (typeof API_ROUTES)[number];

export const apiRouteOf = (route: string): ApiRoute | null => API_ROUTES.find((r) => r === route) ?? null;

/** The methods a path under /v1 takes (empty: no such path). */
export const methodsOf = (path: string): string[] => API_ROUTES.filter((r) => r.slice(r.indexOf(' ') + 1) === path).map((r) => r.slice(0, r.indexOf(' ')));

/**
 * 405 with Allow: the path exists, the method does not. HEAD and OPTIONS too: a 404 would tell
 * the client the path is absent, and no client of this API needs HEAD served as a GET.
 */
export function sendMethodNotAllowed(res: ServerResponse, method: string, path: string, allow: readonly string[]): void {
  res.setHeader('allow', allow.join(', '));
  sendError(res, { code: 'XH_ERR_USAGE', message: `${method.slice(0, 20)} is not a method of ${path.slice(0, 100)}: it takes ${allow.join(', ')}` }, 405);
}
