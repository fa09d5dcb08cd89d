import { HOST_NAME_STRICT_RE } from '../../shared/names.js';
import { isLoopbackAddress } from '../config/loopback.js';
import { BIN, shellWord } from './common.js';

/** Where the host of the publicUrl init writes came from, each said differently to the operator. */
export type PublicUrlSource = 'listen' | 'san' | 'hostname' | 'loopback-fallback';

export interface PublicUrlChoice {
  readonly url: string;
  readonly from: PublicUrlSource;
  readonly host: string;
}

/** "localhost" counts here, unlike for plaintext: this is about who can reach the name, not trusting it. */
export const reachesOnlyThisMachine = (host: string): boolean => isLoopbackAddress(host) || host.toLowerCase() === 'localhost';

const inUrl = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/**
 * The URL agents will dial. A controller listening on loopback is reachable there alone. Otherwise
 * the first --san naming more than this machine wins: the operator typed the name the Dom0s know,
 * while the machine's own host name is often a bare name other machines do not resolve. A host
 * name that is no valid DNS name cannot go in a URL, so 127.0.0.1 stands in, and says so.
 */
export function choosePublicUrl(o: { readonly listen: string; readonly port: number; readonly sans: readonly string[]; readonly host: string }): PublicUrlChoice {
  const at = (host: string, from: PublicUrlSource): PublicUrlChoice => ({ url: `https://${inUrl(host)}:${o.port}`, from, host });
  if (isLoopbackAddress(o.listen)) return at(o.listen, 'listen');
  const san = o.sans.find((n) => !reachesOnlyThisMachine(n));
  if (san !== undefined) return at(san, 'san');
  if (HOST_NAME_STRICT_RE.test(o.host)) return at(o.host, 'hostname');
  return at('127.0.0.1', 'loopback-fallback');
}

/**
 * One line saying where publicUrl came from, and, when agents on other machines are unlikely to
 * reach it, plainly that it must change and how: enroll copies it into every agent's config.
 */
export function publicUrlNote(c: PublicUrlChoice, machineHost: string, configFile: string): { readonly line: string; readonly needsChange: boolean } {
  const cfg = shellWord(configFile);
  const fix = `set "publicUrl" in ${cfg} to an address they reach (e.g. "https://ctl.example.org:${new URL(c.url).port}"), and add that name to the certificate: \`${BIN} renew-cert --name ctl.example.org --config ${cfg}\`; or remove what init wrote and run it again with --san ctl.example.org`;
  switch (c.from) {
    case 'listen':
      return { line: `publicUrl: ${c.url}, the loopback address it listens on: only agents on this machine reach it`, needsChange: false };
    case 'san':
      return { line: `publicUrl: ${c.url}, from the first --san: agents dial it (enroll prints it as wss://${inUrl(c.host)}:${new URL(c.url).port})`, needsChange: false };
    case 'hostname':
      if (reachesOnlyThisMachine(c.host)) return { line: `publicUrl: ${c.url}, this machine's host name, which is a loopback name: agents on other machines need publicUrl changed: ${fix}`, needsChange: true };
      if (!c.host.includes('.')) return { line: `publicUrl: ${c.url}, from this machine's bare host name: agents on other machines need publicUrl changed unless they resolve ${JSON.stringify(c.host)}: ${fix}`, needsChange: true };
      return { line: `publicUrl: ${c.url}, from this machine's host name: if the Dom0s know this machine by another name, ${fix}`, needsChange: false };
    case 'loopback-fallback':
      return { line: `publicUrl: ${c.url}, a loopback address (this machine's host name ${JSON.stringify(machineHost)} is no valid DNS name, and no --san was given): agents on other machines would dial themselves and need publicUrl changed: ${fix}`, needsChange: true };
  }
}
