import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { X509Certificate } from 'node:crypto';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { hostNameProblem } from '../../shared/names.js';
import { readTokenStore, tokenStorePath, writeTokenStore } from '../auth/token-store-file.js';
import { newToken } from '../auth/tokens.js';
import type { ControllerConfig } from '../config/schema.js';
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
 * only its hash stored. Prints the agent's `controller` config section on stdout.
 */
async function enroll(argv: readonly string[], io: CliIo, hooks: ControllerHooks): Promise<number> {
  const a = parseCommand(argv, [{ name: 'config', takesValue: true }], 1, 1, USAGE);
  if (!a.ok) return fail(a.error, io);
  const host = a.value.positionals[0] as string;
  const badHost = hostNameProblem(host);
  if (badHost !== null) return fail({ code: 'XH_ERR_USAGE', message: badHost }, io);
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return fail(c.error, io);
  let caFingerprint: string | null = null;
  if (c.value.tls !== false && c.value.tls.ca !== null) {
    const pem = readRegularFileSync(c.value.tls.ca, { symlinks: 'follow' });
    if (!pem.ok) return fail({ code: 'XH_ERR_CONFIG', message: `${c.value.file}: key "tls.ca": ${pem.error.message}` }, io);
    try {
      caFingerprint = new X509Certificate(pem.value).fingerprint256;
    } catch (e) {
      return fail({ code: 'XH_ERR_CONFIG', message: `${c.value.file}: key "tls.ca": ${c.value.tls.ca} is not a certificate (${(e as Error).message})` }, io);
    }
  }
  const file = tokenStorePath(c.value.stateDir);
  const store = readTokenStore(file);
  if (!store.ok) return fail(store.error, io);
  const replaced = Object.entries(store.value.agents).filter(([, e]) => e.host === host);
  for (const [id] of replaced) delete store.value.agents[id];
  const t = newToken();
  store.value.agents[t.id] = { host, sha256: t.sha256, createdAt: new Date(hooks.clock.now()).toISOString() };
  const w = writeTokenStore(file, store.value);
  if (!w.ok) return fail(w.error, io);
  const snippet = { controller: { url: agentUrl(c.value, hooks.hostname()), token: t.token, ...(caFingerprint !== null ? { caFingerprint } : {}) } };
  io.stdout(`${JSON.stringify(snippet, null, 2)}\n`);
  io.stderr(
    `${BIN}: enrolled ${host}${replaced.length > 0 ? ' (its previous token no longer works)' : ''}: put the "controller" section above into ${host}'s /etc/xenherd/agent.json; the token is shown only now (a controller run by the packaged service sees it after systemctl restart xenherd-controller)\n`,
  );
  return 0;
}

export const enrollCommand = (hooks: ControllerHooks): Command =>
  withHelp({
    name: 'enroll',
    summary: "Register HOST's agent and print its config section (controller URL, token, CA fingerprint).",
    usage: `${USAGE}\nThe token can only ever report as HOST. Enrolling HOST again replaces its token. A controller reading tokens.json itself picks it up at once; the packaged service reads a copy made when it starts (a systemd credential), so restart it: systemctl restart xenherd-controller (agents reconnect by themselves).`,
    run: (argv, io) => enroll(argv, io, hooks),
  });
