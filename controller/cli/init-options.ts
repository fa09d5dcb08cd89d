import { resolve } from 'node:path';
import type { ParsedArgv } from '../../shared/cli/argv.js';
import type { XhError } from '../../shared/errors.js';
import { HOST_NAME_STRICT_RE } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { ipBytes } from '../pki/ip-bytes.js';
import { ANY_ADDRESS } from '../config/listen-address.js';
import { optionString } from './common.js';

/** What each of init's options takes, for "--port needs a value (…)". */
export const NEEDS: Readonly<Record<string, string>> = {
  dir: 'a directory, e.g. /etc/xenherd',
  san: 'host names or IP addresses, comma-separated',
  listen: 'an IP address, :: for all interfaces (IPv6 and IPv4), 0.0.0.0 for IPv4 only',
  port: 'a port number, 1-65535',
};

export interface InitOptions {
  /** absolute */
  readonly dir: string;
  readonly listen: string;
  readonly port: number;
  /** every name the server certificate carries: this host (if a host name), localhost, loopbacks, --san */
  readonly names: readonly string[];
  /** the --san names alone, in the order given */
  readonly sans: readonly string[];
  readonly host: string;
}

const usage = (message: string): Result<never, XhError> => err({ code: 'XH_ERR_USAGE', message });

/**
 * A port as an operator types one: plain decimal digits only. Number() alone also took 1e3, 0x10
 * and 08 (as 1000, 16 and 8), silently writing a port nobody asked for. 0 stays allowed (any free
 * port, logged by serve: for tests), as --help says.
 */
export function parsePort(text: string): number | null {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return null;
  const n = Number(text);
  return n <= 65535 ? n : null;
}

/** Why NAME cannot be a name in the server certificate (with the fix), or null. */
export const sanProblem = (name: string): string | null => certNameProblem(name, '--san');

/** Why NAME, given with OPTION (init's --san, renew-cert's --name), cannot be a name in the server certificate, or null. */
export function certNameProblem(name: string, option: string): string | null {
  if (name === '') return `${option} has an empty name (an empty ${option}, or a stray comma): give host names or IP addresses, comma-separated`;
  if (name.includes('%')) return `${option} ${JSON.stringify(name)}: a zone id (${name.slice(name.indexOf('%'))}) cannot go in a certificate: give the address without it, e.g. ${name.slice(0, name.indexOf('%'))}`;
  if (ipBytes(name) !== null || HOST_NAME_STRICT_RE.test(name)) return null;
  return `${option} ${JSON.stringify(name)} is neither a host name (labels of letters, digits and -, joined by single dots) nor an IP address`;
}

/** init's options checked, each refusal naming the option and what it takes. */
export function initOptions(a: ParsedArgv, host: string): Result<InitOptions, XhError> {
  const dirText = optionString(a, 'dir') ?? '/etc/xenherd';
  // resolve('') is the current directory: an empty --dir would quietly write the controller there
  if (dirText.trim() === '') return usage(`--dir needs ${NEEDS['dir']} (an empty one would mean the current directory)`);
  const listen = optionString(a, 'listen') ?? ANY_ADDRESS;
  if (ipBytes(listen) === null) return usage('--listen must be an IP address (:: for all interfaces, IPv6 and IPv4; 0.0.0.0 for IPv4 only)');
  const portText = optionString(a, 'port') ?? '7443';
  const port = parsePort(portText);
  if (port === null) return usage(`--port must be a port number in plain decimal, 1-65535 (0: any free port), not ${JSON.stringify(portText)}`);
  const sanText = optionString(a, 'san');
  const extra = sanText === undefined ? [] : sanText.split(',');
  const bad = extra.map(sanProblem).find((p) => p !== null);
  if (bad !== undefined && bad !== null) return usage(bad);
  const names = [...new Set([...(HOST_NAME_STRICT_RE.test(host) ? [host] : []), 'localhost', '127.0.0.1', '::1', ...extra])];
  return ok({ dir: resolve(dirText), listen, port, names, sans: extra, host });
}
