import type { XhError } from '../../shared/errors.js';
import { findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * A request body as JSON. A key given twice is refused: JSON.parse keeps the last, so
 * `{"target":"xen2","target":"xen1"}` would act on xen1 while a proxy or an audit log reading the
 * first one records xen2.
 */
export function jsonBody(body: string): Result<unknown, XhError> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return err({ code: 'XH_ERR_USAGE', message: 'the request body is not JSON' });
  }
  const twice = findDuplicateKey(body);
  if (twice !== null) return err({ code: 'XH_ERR_USAGE', message: `the request body gives the key ${JSON.stringify(twice.key).slice(0, 60)} twice${twice.path.length > 0 ? ` (in ${twice.path.join('.')})` : ''}: give each key once` });
  return ok(raw);
}
