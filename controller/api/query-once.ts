import type { XhError } from '../../shared/errors.js';

/**
 * A query parameter given twice (`?pattern=a&pattern=b`): URLSearchParams.get takes the first and
 * Object.fromEntries the last, so a proxy or an audit log reading the other one would see another
 * request than the one answered. Refused instead, as the host parameter is.
 */
export function repeatedParam(params: URLSearchParams): XhError | null {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    return { code: 'XH_ERR_USAGE', message: `the query parameter ${JSON.stringify(key).slice(0, 60)} is given ${params.getAll(key).length} times: give it once` };
  }
  return null;
}
