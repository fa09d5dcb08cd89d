import type { XhError } from '../../shared/errors.js';
import { HostNameSchema } from '../../shared/protocol/agent-link-values.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * The `host` query parameter: absent (null) or one host name. The rule is the one agent links
 * are held to (HostNameSchema), so every host that can report can be asked for, and anything
 * else (a NUL, an empty value) is the client's mistake (400), not a host that never reported (404).
 */
export function hostParam(params: URLSearchParams): Result<string | null, XhError> {
  const all = params.getAll('host');
  if (all.length === 0) return ok(null);
  if (all.length > 1) return err({ code: 'XH_ERR_USAGE', message: `the query parameter host is given ${all.length} times: give it once` });
  const parsed = HostNameSchema.safeParse(all[0]);
  if (parsed.success) return ok(parsed.data);
  return err({
    code: 'XH_ERR_USAGE',
    message: `the query parameter host=${JSON.stringify(all[0]).slice(0, 100)} is not a host name: letters, digits, '.' and '-', beginning with a letter or digit, at most 253 characters`,
  });
}
