import type { XhError } from '../../shared/errors.js';
import { redactTokens } from '../../shared/text/redact-token.js';
import type { CtlConfig } from './config.js';

/**
 * A refusal of the token (XH_ERR_AUTH from the controller) with the id of the token this
 * xenherdctl sent and where it came from: the controller cannot say which of the operator's
 * tokens it refused, and with several shells, a ctl.json and an exported XENHERD_TOKEN, which one
 * was used is the first question. The id is what `xenherd-controller tokens` lists; the secret is
 * never shown. Any other error is returned as it is.
 */
export function namingTokenSent(e: XhError, c: CtlConfig): XhError {
  if (e.code !== 'XH_ERR_AUTH') return e;
  const from = c.tokenSource === undefined ? '' : ` from ${c.tokenSource}`;
  return { ...e, message: `${e.message} (this xenherdctl sent token ${redactTokens(c.token)}${from})` };
}
