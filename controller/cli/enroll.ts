import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { hostNameProblem, sameHostName } from '../../shared/names.js';
import { ok } from '../../shared/result.js';
import { tokenStorePath, updateTokenStore } from '../auth/token-store-file.js';
import { newToken } from '../auth/tokens.js';
import type { ControllerConfig } from '../config/schema.js';
import { readCaCertificate, readTlsFiles } from '../config/tls-files.js';
import { holdsToken } from '../../shared/text/redact-token.js';
import { hostOf } from '../../shared/url-host.js';
import { reachesOnlyThisMachine } from './init-public-url.js';
import { BIN, fail, loadConfig, optionString, parseCommand, withHelp } from './common.js';
import type { ControllerHooks } from './hooks.js';

const USAGE = 'enroll HOST [--config FILE]';

/** The URL agents dial: publicUrl with ws(s)://, else this host on the configured port. */
export function agentUrl(c: ControllerConfig, hostname: string): string {
  const base = (c.publicUrl ?? `${c.tls === false ? 'http' : 'https'}://${hostname}:${c.listen.port}`).replace(/\/$/, '');
  return base.replace(/^http/, 'ws');
}

/**
 * Registers HOST's agent: a new token bound to HOST (an older token of HOST stops working),
 * only its hash stored. Host names compare without case (XEN1 and xen1 are one Dom0), so
 * enrolling XEN1 replaces xen1's token too, and the message says so: the agent must then report
 * as XEN1. Prints the agent's `controller` config section on stdout.
 */
async function enroll(argv: readonly string[], io: CliIo, hooks: ControllerHooks): Promise<number> {
  const a = parseCommand(argv, [{ name: 'config', takesValue: true }], 1, 1, USAGE, { config: 'the controller.json file' });
  if (!a.ok) return fail(a.error, io);
  const host = a.value.positionals[0] as string;
  // a token pasted as HOST could pass as a host name, and then be stored and listed as one
  if (holdsToken(host)) return fail({ code: 'XH_ERR_USAGE', message: `HOST is a token (xh1.…), not a host name: give the Dom0's name as its agent reports it (\`${BIN} tokens\` lists the enrolled hosts)` }, io);
  const badHost = hostNameProblem(host);
  if (badHost !== null) return fail({ code: 'XH_ERR_USAGE', message: badHost }, io);
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return fail(c.error, io);
  if (c.value.publicUrl === null && c.value.listen.port === 0) {
    return fail({ code: 'XH_ERR_CONFIG', message: `${c.value.file}: key "listen.port": is 0 (any free port), and the agent needs the controller's real port to dial: set listen.port (e.g. 7443), or publicUrl to the address agents reach` }, io);
  }
  // serve's whole check of the TLS files: a fingerprint of a CA that did not sign the server's
  // certificate (or a set serve refuses) would enroll an agent that can never connect
  const tls = readTlsFiles(c.value, c.value.file);
  if (!tls.ok) return fail(tls.error, io);
  let caFingerprint: string | null = null;
  if (c.value.tls !== false && c.value.tls.ca !== null) {
    const ca = readCaCertificate(c.value.tls.ca, c.value.file);
    if (!ca.ok) return fail(ca.error, io);
    caFingerprint = ca.value.fingerprint256;
  }
  const t = newToken();
  // under the store's lock: two enrolls at once must not each write back the store without the other's token
  const replaced = await updateTokenStore(tokenStorePath(c.value.stateDir), (store) => {
    const before = Object.entries(store.agents).filter(([, e]) => sameHostName(e.host, host));
    for (const [id] of before) delete store.agents[id];
    store.agents[t.id] = { host, sha256: t.sha256, createdAt: new Date(hooks.clock.now()).toISOString() };
    return ok(before.map(([, e]) => e.host));
  });
  if (!replaced.ok) return fail(replaced.error, io);
  const url = agentUrl(c.value, hooks.hostname());
  const snippet = { controller: { url, token: t.token, ...(caFingerprint !== null ? { caFingerprint } : {}) } };
  io.stdout(`${JSON.stringify(snippet, null, 2)}\n`);
  const loopback = loopbackWarning(url, c.value.file);
  if (loopback !== null) io.stderr(`${BIN}: warning: ${loopback}\n`);
  io.stderr(`${BIN}: enrolled ${host}${replacedNote(host, replaced.value)}: put the "controller" section above into ${host}'s /etc/xenherd/agent.json; the token is shown only now (a controller run by the packaged service sees it after systemctl restart xenherd-controller)\n`);
  return 0;
}

/**
 * An agent on another Dom0 given a loopback URL dials itself and never reports: said at the one
 * moment the URL is copied out, as it looks plausible in the section and fails only on the Dom0.
 */
export function loopbackWarning(url: string, configFile: string): string | null {
  let host: string;
  try {
    host = hostOf(new URL(url));
  } catch {
    return null;
  }
  if (!reachesOnlyThisMachine(host)) return null;
  return `the URL above, ${url}, is a loopback address: only an agent on this machine reaches it; for a Dom0 elsewhere set "publicUrl" in ${configFile} to an address it reaches (a name the certificate carries) and enroll it again, or give that address as "url" in the section above`;
}

/** What enrolling HOST did to earlier tokens of the same host (names that differ only in case included). */
function replacedNote(host: string, before: readonly string[]): string {
  if (before.length === 0) return '';
  const respelled = [...new Set(before.filter((h) => h !== host))];
  if (respelled.length === 0) return ' (its previous token no longer works)';
  const was = respelled.map((h) => JSON.stringify(h)).join(', ');
  return ` (host names ignore case: this is the host enrolled as ${was}, whose previous token no longer works; its agent must now report as ${JSON.stringify(host)})`;
}

export const enrollCommand = (hooks: ControllerHooks): Command =>
  withHelp({
    name: 'enroll',
    summary: "Register HOST's agent and print its config section (controller URL, token, CA fingerprint).",
    usage: `${USAGE}\nThe token can only ever report as HOST. Enrolling HOST again replaces its token (host names ignore case: XEN1 replaces xen1's). A controller reading tokens.json itself picks it up at once; the packaged service reads a copy made when it starts (a systemd credential), so restart it: systemctl restart xenherd-controller (agents reconnect by themselves).`,
    run: (argv, io) => enroll(argv, io, hooks),
  });
