import type { ServerResponse } from 'node:http';
import type { ApiError } from '../../shared/protocol/ctl-api-base.js';
import { sendError } from './respond.js';

/**
 * Whether the token was revoked while the request's body was still coming (then answered 401 and
 * true). The token is checked when the headers come, and the body may take up to the server's
 * request timeout after that: without a second look, a client holding a body back could start a
 * migration, a drain or a cancel after `xenherd-controller revoke` had refused its every other
 * request, the stream's first line then saying the token was revoked of a command already sent.
 */
export function revokedWhileSent(res: ServerResponse, stillValid: () => boolean): boolean {
  if (stillValid()) return false;
  res.setHeader('www-authenticate', 'Bearer');
  sendError(res, { code: 'XH_ERR_AUTH', message: "token revoked: this operator's token was revoked or replaced (xenherd-controller revoke, or operator NAME made again) while this request was being sent; nothing was done" });
  return true;
}

/**
 * An operator's NDJSON stream (a job it follows, a command it runs) that ends with its token. The
 * token is checked once, when the request comes: without this, `xenherd-controller revoke
 * --operator` (or `operator NAME` run again) left an open `drain` streaming the job's progress to
 * a token every other request of which was refused. So before each line the token is looked up
 * again (STILL_VALID); once it is gone, the stream's last line is an API error, XH_ERR_AUTH,
 * saying the token was revoked and what became of the job or command (WHAT_GOES_ON: it is not
 * stopped, a half-done drain stopped by surprise being worse than one an operator cancels), and
 * the response ends. As with an agent's link, no timer: a stream with nothing to say stays open
 * until its next line, which it then does not get.
 */
export function revocableStream(res: ServerResponse, stillValid: () => boolean, whatGoesOn: () => string, onRevoked: () => void): { readonly open: () => boolean } {
  let revoked = false;
  return {
    open: (): boolean => {
      if (revoked) return false;
      if (stillValid()) return true;
      revoked = true;
      onRevoked();
      const body: ApiError = { error: { code: 'XH_ERR_AUTH', message: `token revoked: this operator's token was revoked or replaced (xenherd-controller revoke, or operator NAME made again) while it followed this; ${whatGoesOn()}` } };
      if (!res.writableEnded) res.end(`${JSON.stringify(body)}\n`);
      return false;
    },
  };
}
