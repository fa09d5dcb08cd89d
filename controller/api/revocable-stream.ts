import type { ServerResponse } from 'node:http';
import type { ApiError } from '../../shared/protocol/ctl-api-base.js';

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
