import { readRegularFileSync, readRegularSync } from '../../shared/fs/regular-file.js';
import type { X509Certificate } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { describeIssues, parseJsonObject } from '../../shared/json-config.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { accessWords, modeText } from '../../shared/text/mode-words.js';
import { isLoopbackAddress } from '../../shared/loopback-address.js';
import { hostOf } from '../../shared/url-host.js';
import { parseCaBundle } from '../../shared/tls/ca-bundle.js';
import { pastedSpaceHint } from '../../shared/text/pasted-space.js';
import { caCopyHint } from './ca-copy-hint.js';

/** Where xenherdctl finds its controller: resolved, with the CA file's certificates read. */
export interface CtlConfig {
  readonly url: URL;
  readonly token: string;
  /** where the token came from (XENHERD_TOKEN, or ctl.json's "token"), for the refusal of a token; absent: not said */
  readonly tokenSource?: string;
  /** the certificates of the CA file, the only ones trusted; null = the system's CAs */
  readonly ca: readonly X509Certificate[] | null;
}

const TOKEN_RE = /^xh1\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/;

const FileSchema = z.strictObject({
  url: z.string().min(1).max(500).optional(),
  token: z.string().min(1).max(200).optional(),
  /** path of the controller's CA certificate (PEM) */
  ca: z.string().min(1).max(4096).optional(),
});

const configError = (message: string): XhError => ({ code: 'XH_ERR_CONFIG', message });

export const ctlConfigPath = (env: Readonly<Record<string, string | undefined>>): string | null => {
  const base = env['XDG_CONFIG_HOME'] ?? (env['HOME'] ? join(env['HOME'], '.config') : null);
  return base === null ? null : join(base, 'xenherd', 'ctl.json');
};

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

const EXAMPLE = '{"url": "https://ctl.example:7443", "token": "xh1....", "ca": "/etc/xenherd/tls/ca.crt"}';

/**
 * Why ctl.json (of MODE) exposes the token it holds, worded as the agent words it for agent.json
 * (agent/config/token-file.ts), or null. Only a warning, as there: refusing would stop every
 * script and cron job that runs xenherdctl overnight for a file that has been readable for months.
 */
export function ctlTokenExposure(file: string, mode: number): string | null {
  const what = accessWords(mode);
  if (what === null) return null;
  // whoever can write it can point url and ca at a server of theirs, which the next command sends the token to
  const consequence = (mode & 0o044) !== 0 ? 'anyone who reads it can use the controller with this token' : 'anyone who writes it can have the token sent to a server of theirs';
  return `${file} holds the controller token ("token") but is ${what} (mode ${modeText(mode)}): ${consequence}; run chmod 600 ${file}`;
}

/**
 * ~/.config/xenherd/ctl.json, each key overridden by XENHERD_URL / XENHERD_TOKEN / XENHERD_CA.
 * Every problem names where the value came from and how to fix it. WARN is given each warning
 * (a ctl.json that exposes the token it is read for) as one line, newline included, so a
 * command's io.stderr takes it as it is; a caller that gives none drops them.
 */
export function loadCtlConfig(env: Readonly<Record<string, string | undefined>>, warn: (line: string) => void = () => undefined): Result<CtlConfig, XhError> {
  const path = ctlConfigPath(env);
  let file: z.infer<typeof FileSchema> = {};
  let fileMode = 0;
  // The file holds url, token and ca and nothing else (FileSchema is strict), and the environment
  // wins for each: with all three set it could change nothing, so it is not read, and a broken
  // file left behind does not stop a command that never needed it. (Were it to hold a setting
  // the environment cannot give, it would have to be read, and its errors reported, always.)
  const envGivesAll = (['XENHERD_URL', 'XENHERD_TOKEN', 'XENHERD_CA'] as const).every((k) => (env[k] ?? '') !== '');
  if (path !== null && !envGivesAll) {
    const read = readRegularSync(path, { symlinks: 'follow' });
    if (!read.ok && read.error.errno !== 'ENOENT') return err(configError(read.error.message));
    if (read.ok) {
      fileMode = read.value.mode;
      const raw = parseJsonObject(read.value.text, path, EXAMPLE);
      if (!raw.ok) return err(configError(raw.message));
      const parsed = FileSchema.safeParse(raw.value);
      if (!parsed.success) return err(configError(describeIssues(path, parsed.error.issues, 'xenherdctl --help', FileSchema)));
      file = parsed.data;
    }
  }
  const pick = (envName: string, key: keyof typeof file): { value: string; source: string; inFile: boolean } | null => {
    const e = env[envName];
    if (e !== undefined && e !== '') return { value: e, source: envName, inFile: false };
    const f = file[key];
    return f !== undefined ? { value: f, source: `${path}: key "${key}"`, inFile: true } : null;
  };
  const url = pick('XENHERD_URL', 'url');
  const token = pick('XENHERD_TOKEN', 'token');
  if (url === null || token === null) {
    return err(configError(`no controller configured (${url === null ? 'url' : 'token'} missing): set XENHERD_URL and XENHERD_TOKEN (and XENHERD_CA), or write ${path ?? '~/.config/xenherd/ctl.json'} as {"url": "https://ctl.example:7443", "token": "xh1....", "ca": "/path/ca.crt"}`));
  }
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url.value);
  } catch {
    return err(configError(`${url.source}: ${JSON.stringify(url.value)} is not a URL: use e.g. https://ctl.example:7443`));
  }
  if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') return err(configError(`${url.source}: must start with https:// (got ${parsedUrl.protocol})`));
  const extra = urlExtras(parsedUrl);
  if (extra !== null) return err(configError(`${url.source}: the controller's URL is https://HOST:PORT and nothing more, but this one has ${extra}: give https://${parsedUrl.host} (https://HOST:PORT)`));
  const host = hostOf(parsedUrl);
  if (parsedUrl.protocol === 'http:' && !isLoopbackAddress(host) && host !== 'localhost') {
    return err(configError(`${url.source}: http:// sends the token in clear: only allowed to a loopback address; use https://`));
  }
  if (!TOKEN_RE.test(token.value)) return err(configError(`${token.source}: not a xenherd token (xh1.ID.SECRET)${pastedSpaceHint(token.value)}: use the token \`xenherd-controller init\` or \`operator\` printed`));
  const exposed = token.inFile && path !== null ? ctlTokenExposure(path, fileMode) : null;
  if (exposed !== null) warn(`xenherdctl: warning: ${exposed}\n`);
  const caPath = pick('XENHERD_CA', 'ca');
  let ca: readonly X509Certificate[] | null = null;
  if (caPath !== null) {
    // A relative "ca" is relative to ctl.json's own directory (as paths in most tools' config files
    // are): against the current directory it named another file in every directory the command
    // ran from. XENHERD_CA, typed in a shell, is relative to where it is typed.
    const caFile = caPath.inFile && path !== null ? resolve(dirname(path), caPath.value) : resolve(caPath.value);
    const read = readRegularFileSync(caFile, { symlinks: 'follow' });
    if (!read.ok) return err(configError(`${caPath.source}: cannot read the CA certificate: ${read.error.message}${caCopyHint(read.error.errno, caFile, caPath.source)}`));
    const bundle = parseCaBundle(read.value);
    if (!bundle.ok) return err(configError(`${caPath.source}: ${caFile} ${bundle.error}: use the controller's tls/ca.crt`));
    ca = bundle.value;
  }
  return ok({ url: parsedUrl, token: token.value, tokenSource: token.source, ca });
}
