import { STATUS_CODES } from 'node:http';
import type { ApiError } from '../../shared/protocol/ctl-api.js';

/** What the server says to a request Node's HTTP parser refused before any handler saw it. */
export interface ClientErrorAnswer {
  readonly status: 400 | 408 | 431;
  readonly body: ApiError;
}

/**
 * The answer to a 'clientError', by its code; null when there is no HTTP to answer in (a failed
 * TLS handshake, a reset). Node counts the request line against the header limit, so a URL that
 * is too long is reported as HPE_HEADER_OVERFLOW too, and is answered 431 like a huge header.
 */
export function clientErrorAnswer(code: string | undefined): ClientErrorAnswer | null {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, body: apiError('the request line and headers are above the size limit (16 KiB): shorten the URL or the headers') };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, body: apiError('the request did not arrive in time') };
  if (code?.startsWith('HPE_')) return { status: 400, body: apiError(`the request is not valid HTTP/1.1 (${code})`) };
  return null;
}

// the same JSON error shape http-api.ts answers with (respond.ts sendError), so a client reads
// every refusal one way
const apiError = (message: string): ApiError => ({ error: { code: 'XH_ERR_PROTOCOL', message } });

/**
 * The answer as raw HTTP/1.1: it goes straight onto the socket, as the parser failed before a
 * ServerResponse existed. `connection: close` because the server ends the connection after it.
 * REQUEST is the bytes the parser failed on (the clientError's rawPacket), where they are known:
 * an answer to HEAD has no body (a client reads one as garbage after the response), and the
 * request line may be all there is to tell it was HEAD.
 */
export function rawHttpAnswer(a: ClientErrorAnswer, request: Buffer | undefined): string {
  const text = JSON.stringify(a.body);
  const head = request?.subarray(0, 5).toString('latin1') === 'HEAD ';
  return [
    `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? ''}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(text)}`,
    'cache-control: no-store',
    'connection: close',
    '',
    head ? '' : text,
  ].join('\r\n');
}
