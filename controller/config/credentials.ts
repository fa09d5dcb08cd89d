import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tokenStorePath } from '../auth/token-store-file.js';
import type { ControllerConfig } from './schema.js';

/**
 * The files systemd hands `serve` with LoadCredential= (systemd/xenherd-controller.service).
 * controller.json keeps the real paths, so `init`, `enroll` and `operator`, run by root outside
 * the service, work on the same files; the service, running as a user that cannot read them,
 * finds copies in $CREDENTIALS_DIRECTORY under these names and reads those instead.
 */
export const CREDENTIAL_NAMES = { cert: 'tls.cert', key: 'tls.key', ca: 'tls.ca', tokens: 'tokens.json' } as const;

export interface ServeFiles {
  /** the config with each TLS path that has a credential pointing at the credential */
  readonly config: ControllerConfig;
  readonly tokensFile: string;
  /** the credentials used, by name (for the log) */
  readonly fromCredentials: readonly string[];
}

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * Where `serve` reads its TLS files and tokens: a credential replaces the path controller.json
 * names for it; without $CREDENTIALS_DIRECTORY (or without that credential) the path stays. A
 * config without TLS (or without a CA) stays so: a credential never turns TLS on.
 */
export function serveFiles(c: ControllerConfig, credentialsDir: string | undefined, exists: (path: string) => boolean = isFile): ServeFiles {
  const used: string[] = [];
  const pick = (name: string, path: string): string => {
    if (credentialsDir === undefined || credentialsDir === '') return path;
    const cred = join(credentialsDir, name);
    if (!exists(cred)) return path;
    used.push(name);
    return cred;
  };
  const tls =
    c.tls === false
      ? false
      : {
          cert: pick(CREDENTIAL_NAMES.cert, c.tls.cert),
          key: pick(CREDENTIAL_NAMES.key, c.tls.key),
          ca: c.tls.ca === null ? null : pick(CREDENTIAL_NAMES.ca, c.tls.ca),
        };
  const tokensFile = pick(CREDENTIAL_NAMES.tokens, tokenStorePath(c.stateDir));
  return { config: { ...c, tls }, tokensFile, fromCredentials: used };
}

/** Where the packaged unit's LoadCredential= lines take each credential from (systemd/xenherd-controller.service). */
const PACKAGED_SOURCES: Readonly<Record<string, string>> = { 'controller.json': '/etc/xenherd/controller.json', 'tokens.json': '/etc/xenherd/state/tokens.json' };

/**
 * MESSAGE with each path inside the credentials directory named as the file to edit: the copy
 * systemd made at start is what was read, but fixing it is pointless (it is made again at each
 * start). A TLS file's source is the path controller.json gives it (ORIGINALS: credential name
 * → that path); the others', where the packaged unit takes them from.
 */
export function credentialPathsShown(message: string, credentialsDir: string | undefined, originals: Readonly<Record<string, string>>): string {
  if (credentialsDir === undefined || credentialsDir === '') return message;
  const dir = credentialsDir.replace(/\/+$/, '');
  let named = 0;
  const text = message.replace(new RegExp(`${escapeRegExp(dir)}/([A-Za-z0-9._-]+)`, 'g'), (whole, name: string) => {
    const source = originals[name] ?? PACKAGED_SOURCES[name];
    if (source === undefined) return whole;
    named++;
    return `${source} (as systemd credential ${name})`;
  });
  return named === 0 ? text : `${text} (systemd copies credentials at each start: fix the file named, then \`systemctl restart xenherd-controller\`)`;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
