import { readRegularFileSync, readRegularSync } from '../../shared/fs/regular-file.js';
import type { X509Certificate } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { describeIssues, parseJsonObject } from '../../shared/json-config.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { accessWords, modeText } from '../../shared/text/mode-words.js';
import { parseCaBundle } from '../../shared/tls/ca-bundle.js';
import { pastedSpaceHint } from '../../shared/text/pasted-space.js';
import { caCopyHint } from './ca-copy-hint.js';
import { ctlDirsRefusal, ctlFileRefusal, type Who } from './ctl-file-place.js';
import { controllerUrls, MAX_CONTROLLER_URLS, splitUrlList, type GivenUrl } from './controller-urls.js';

/** Where xenherdctl finds its controller: resolved, with the CA file's certificates read. */
export interface CtlConfig {
  /** the controller asked first: the primary */
  readonly url: URL;
  /**
   * controllers asked when the one before cannot be reached, or hears fewer of the Dom0s
   * (controller-choice.ts): copies of the first, with its CA and tokens. Absent or empty: only url.
   */
  readonly standbyUrls?: readonly URL[];
  readonly token: string;
  /** where the token came from (XENHERD_TOKEN, or ctl.json's "token"), for the refusal of a token; absent: not said */
  readonly tokenSource?: string;
  /** the certificates of the CA file, the only ones trusted; null = the system's CAs */
  readonly ca: readonly X509Certificate[] | null;
}

const TOKEN_RE = /^xh1\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/;

const FileSchema = z.strictObject({
  url: z.string().min(1).max(500).optional(),
  /** controllers started from a copy of url's, asked in this order when url cannot be reached or hears none of the Dom0s */
  standbyUrls: z.array(z.string().min(1).max(500)).max(MAX_CONTROLLER_URLS - 1).optional(),
  token: z.string().min(1).max(200).optional(),
  /** path of the controller's CA certificate (PEM) */
  ca: z.string().min(1).max(4096).optional(),
});

const configError = (message: string): XhError => ({ code: 'XH_ERR_CONFIG', message });

/**
 * $XDG_CONFIG_HOME/xenherd/ctl.json, else ~/.config/xenherd/ctl.json. Each only when absolute, as
 * the XDG rules say (the code cache reads $XDG_CACHE_HOME so too): an empty XDG_CONFIG_HOME= (a
 * cron line, an env file) made xenherdctl read a relative xenherd/ctl.json from whatever
 * directory it was started in, and such a file chooses where the token is sent.
 */
export const ctlConfigPath = (env: Readonly<Record<string, string | undefined>>): string | null => {
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'xenherd', 'ctl.json');
  const home = env['HOME'];
  return home !== undefined && home.startsWith('/') ? join(home, '.config', 'xenherd', 'ctl.json') : null;
};

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
 * command's io.stderr takes it as it is; a caller that gives none drops them. WHO: the user and
 * group xenherdctl runs as, whom ctl.json and the directories above it must trust (ctl-file-place.ts).
 */
export function loadCtlConfig(env: Readonly<Record<string, string | undefined>>, warn: (line: string) => void = () => undefined, who: Who = { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 }): Result<CtlConfig, XhError> {
  const path = ctlConfigPath(env);
  let file: z.infer<typeof FileSchema> = {};
  let fileMode = 0;
  // The file holds url (and its standbyUrls), token and ca and nothing else (FileSchema is
  // strict), and the environment wins for each (XENHERD_URL for url and standbyUrls): with all
  // three set it could change nothing, so it is not read, and a broken file left behind does not
  // stop a command that never needed it. (Were it to hold a setting
  // the environment cannot give, it would have to be read, and its errors reported, always.)
  const envGivesAll = (['XENHERD_URL', 'XENHERD_TOKEN', 'XENHERD_CA'] as const).every((k) => (env[k] ?? '') !== '');
  if (path !== null && !envGivesAll) {
    const read = readRegularSync(path, { symlinks: 'follow' });
    if (!read.ok && read.error.errno !== 'ENOENT') return err(configError(read.error.message));
    if (read.ok) {
      const home = env['HOME']?.startsWith('/') === true ? env['HOME'] : null;
      const refused = ctlFileRefusal(path, read.value, who) ?? ctlDirsRefusal(path, home, who);
      if (refused !== null) return err(configError(refused));
      fileMode = read.value.mode;
      const raw = parseJsonObject(read.value.text, path, EXAMPLE);
      if (!raw.ok) return err(configError(raw.message));
      const parsed = FileSchema.safeParse(raw.value);
      if (!parsed.success) return err(configError(describeIssues(path, parsed.error.issues, 'xenherdctl --help', FileSchema)));
      file = parsed.data;
    }
  }
  const pick = (envName: string, key: 'url' | 'token' | 'ca'): { value: string; source: string; inFile: boolean } | null => {
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
  // XENHERD_URL gives the whole list (the primary first): with ctl.json's standbys added to it,
  // a URL typed for one shell would still be followed by controllers it never meant
  let given: GivenUrl[];
  if (url.inFile) given = [url, ...(file.standbyUrls ?? []).map((v, i) => ({ value: v, source: `${path}: key "standbyUrls"[${i}]` }))];
  else {
    const split = splitUrlList(url.value, url.source);
    if (!split.ok) return split;
    given = split.value;
  }
  const urls = controllerUrls(given);
  if (!urls.ok) return urls;
  const [parsedUrl, ...standbyUrls] = urls.value as [URL, ...URL[]];
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
  return ok({ url: parsedUrl, ...(standbyUrls.length > 0 ? { standbyUrls } : {}), token: token.value, tokenSource: token.source, ca });
}
