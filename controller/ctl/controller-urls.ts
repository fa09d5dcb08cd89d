import { isIP } from 'node:net';
import type { XhError } from '../../shared/errors.js';
import { isLoopbackAddress } from '../../shared/loopback-address.js';
import { err, ok, type Result } from '../../shared/result.js';
import { hostOf } from '../../shared/url-host.js';

/** One controller URL as given: its text and where it came from, for the refusal of it. */
export interface GivenUrl {
  readonly value: string;
  /** e.g. `XENHERD_URL (its 2nd URL)` or `~/.config/xenherd/ctl.json: key "standbyUrls"[0]` */
  readonly source: string;
}

const configError = (message: string): XhError => ({ code: 'XH_ERR_CONFIG', message });

/** At most this many controllers: a primary and its standbys, each asked in turn when the one before cannot be reached. */
export const MAX_CONTROLLER_URLS = 8;

/**
 * What URL has beyond scheme, host and port, in words (null: nothing). xenherdctl builds every
 * request from the origin alone, so a path, query or fragment would be dropped without a word
 * (a controller behind a path prefix would seem down), and a user name or password never sent:
 * refused instead. The password itself is never repeated in the message.
 */
function urlExtras(url: URL): string | null {
  const parts: string[] = [];
  if (url.username !== '' || url.password !== '') parts.push(url.password !== '' ? 'a user name and password' : 'a user name');
  if (url.pathname !== '/' && url.pathname !== '') parts.push(`a path (${JSON.stringify(url.pathname)})`);
  if (url.search !== '' || /^[^#]*\?/.test(url.href)) parts.push(`a query (${JSON.stringify(url.search || '?')})`);
  if (url.hash !== '' || url.href.includes('#')) parts.push(`a fragment (${JSON.stringify(url.hash || '#')})`);
  return parts.length === 0 ? null : parts.join(', ');
}

/** One controller's URL, refused with its source and the fix unless it is https://HOST:PORT (http:// to a loopback address alone). */
export function controllerUrl(given: GivenUrl): Result<URL, XhError> {
  let url: URL;
  try {
    url = new URL(given.value);
  } catch {
    return err(configError(`${given.source}: ${JSON.stringify(given.value)} is not a URL: use e.g. https://ctl.example:7443`));
  }
  // an agent's standbyUrls are wss://: the same controller, asked here over https://
  const wss = url.protocol === 'wss:' ? ` (use https://${url.host} for a controller an agent dials as ${url.protocol}//${url.host})` : '';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return err(configError(`${given.source}: must start with https:// (got ${url.protocol})${wss}`));
  const extra = urlExtras(url);
  if (extra !== null) return err(configError(`${given.source}: the controller's URL is https://HOST:PORT and nothing more, but this one has ${extra}: give https://${url.host} (https://HOST:PORT)`));
  const host = hostOf(url);
  // Only an address written as a loopback one: a name (localhost too) is whatever the resolver
  // says when the command runs (a missing /etc/hosts line, a search domain's record), and the
  // token would go in clear to wherever that is. The agent and the controller's listen refuse names alike.
  if (url.protocol === 'http:' && !isLoopbackAddress(host)) {
    const named = isIP(host) === 0 ? `, never to a name (${JSON.stringify(host)}), whatever it resolves to: use http://127.0.0.1${url.port === '' ? '' : `:${url.port}`} for a controller on this machine, or https://` : '; use https://';
    return err(configError(`${given.source}: http:// sends the token in clear: only allowed to a loopback address (127.0.0.1, [::1])${named}`));
  }
  return ok(url);
}

/**
 * XENHERD_URL as the list it may be: "https://ctl1:7443,https://ctl2:7443", the first the primary.
 * An empty item (",," or a comma at the end) is refused rather than skipped: it is a slip in what
 * was typed, and the list asked in turn should be the one meant.
 */
export function splitUrlList(value: string, name: string): Result<GivenUrl[], XhError> {
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 1) return ok([{ value: items[0] as string, source: name }]);
  const empty = items.findIndex((s) => s === '');
  if (empty >= 0) return err(configError(`${name}: its URL number ${empty + 1} is empty: give the controllers' URLs separated by commas, the primary first, e.g. https://ctl1.example:7443,https://ctl2.example:7443`));
  return ok(items.map((v, i) => ({ value: v, source: `${name} (its URL number ${i + 1}, ${JSON.stringify(v)})` })));
}

/**
 * Every URL of GIVEN checked, and none given twice (the same host and port, whatever the
 * scheme): a controller listed twice would be asked twice when it cannot be reached, and an
 * operator who pasted the primary into the standbys has no standby at all.
 */
export function controllerUrls(given: readonly GivenUrl[]): Result<URL[], XhError> {
  if (given.length > MAX_CONTROLLER_URLS) {
    return err(configError(`${given[MAX_CONTROLLER_URLS]?.source ?? 'the controllers'}: at most ${MAX_CONTROLLER_URLS} controllers (a primary and its standbys) are asked: list fewer`));
  }
  const urls: URL[] = [];
  for (const g of given) {
    const u = controllerUrl(g);
    if (!u.ok) return u;
    const twice = urls.findIndex((o) => o.host === u.value.host);
    if (twice >= 0) return err(configError(`${g.source}: ${u.value.origin} is listed already (${given[twice]?.source}): list each controller once, the primary first, then its standbys`));
    urls.push(u.value);
  }
  return ok(urls);
}
