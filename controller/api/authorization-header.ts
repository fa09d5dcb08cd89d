import type { IncomingMessage } from 'node:http';

/**
 * Every Authorization header of a request. req.headers keeps only the first of repeated ones, so
 * a request with two tokens would act as whichever came first and nobody would see the second;
 * headersDistinct keeps them all. It came in Node 18.3 and the package allows any Node 18: below
 * that the raw header list is read instead, to the same effect.
 */
function authorizationValues(req: Pick<IncomingMessage, 'headersDistinct' | 'rawHeaders'>): string[] {
  const distinct = req.headersDistinct as IncomingMessage['headersDistinct'] | undefined;
  if (distinct !== undefined) return distinct['authorization'] ?? [];
  return req.rawHeaders.filter((_, i) => i % 2 === 1 && (req.rawHeaders[i - 1] as string).toLowerCase() === 'authorization');
}

/** The request's one Authorization header (undefined: none), or why it cannot be used. */
export function authorizationOf(req: Pick<IncomingMessage, 'headersDistinct' | 'rawHeaders'>): { ok: true; value: string | undefined } | { ok: false; message: string } {
  const all = authorizationValues(req);
  if (all.length > 1) return { ok: false, message: `Authorization given ${all.length} times: send it once` };
  return { ok: true, value: all[0] };
}
