import { randomBytes } from 'node:crypto';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { createLogger } from '../../shared/logger.js';
import { startServer } from '../api/server.js';
import { readTokenStore, TokenBook } from '../auth/token-store-file.js';
import { CREDENTIAL_NAMES, credentialPathsShown, serveFiles } from '../config/credentials.js';
import type { XhError } from '../../shared/errors.js';
import { jobSettingsOf, settingsOf } from '../config/load.js';
import { readTlsFiles } from '../config/tls-files.js';
import { ControllerCore } from '../core/controller-core.js';
import { controllerIdentity, controllerInstance } from '../files/controller-instance.js';
import { rollRecordsFile } from '../files/roll-records-file.js';
import { writableStateDir } from '../files/writable-state-dir.js';
import { fail, loadConfig, optionString, parseCommand, withHelp } from './common.js';
import { tokensWritableByOthers } from './tokens-guard.js';
import { enrolledHostsOf } from './enrolled-hosts-of.js';
import type { ControllerHooks } from './hooks.js';
import { clockStepText } from './clock-step-text.js';
import { agentUrl } from './enroll.js';
import { certificateNotes, renewAdvice, servedCertificate } from './served-certificate.js';
import { stopServing } from './stop-serving.js';

const USAGE = 'serve [--config FILE]';

/** The installed copy of the README is named: "see README" left an operator on a Dom0 without a checkout looking for one. */
export const RUNNING_AS_ROOT =
  'running as root: the controller needs no privileges; the packaged unit runs it as a user of its own (systemctl start xenherd-controller); by hand, run `xenherd-controller init --dir DIR` and `xenherd-controller serve --config DIR/controller.json` as an ordinary user that owns DIR (README, section "The controller and xenherdctl": /usr/share/doc/xenherd-controller/README.md.gz)';

async function serve(argv: readonly string[], io: CliIo, hooks: ControllerHooks): Promise<number> {
  const a = parseCommand(argv, [{ name: 'config', takesValue: true }], 0, 0, USAGE);
  if (!a.ok) return fail(a.error, io);
  const credentialsDir = process.env['CREDENTIALS_DIRECTORY'];
  // a refusal names the file to fix, not the copy systemd made of it at start
  const refused = (e: XhError, originals: Readonly<Record<string, string>> = {}): number => fail({ ...e, message: credentialPathsShown(e.message, credentialsDir, originals) }, io);
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return refused(c.error);
  const originals = c.value.tls === false ? {} : { [CREDENTIAL_NAMES.cert]: c.value.tls.cert, [CREDENTIAL_NAMES.key]: c.value.tls.key, ...(c.value.tls.ca !== null ? { [CREDENTIAL_NAMES.ca]: c.value.tls.ca } : {}) };
  // under systemd, LoadCredential= copies of the TLS files and tokens.json replace the paths
  const files = serveFiles(c.value, credentialsDir);
  const config = { ...files.config, file: c.value.file };
  const tls = readTlsFiles(config, config.file);
  if (!tls.ok) return refused(tls.error, originals);
  // At start there are no last good tokens to keep: an unreadable tokens.json is refused here, as
  // `enroll` refuses it (while running, TokenBook keeps the last good ones instead).
  if (!files.fromCredentials.includes('tokens.json')) {
    const exposed = tokensWritableByOthers(files.tokensFile);
    if (exposed !== null) return fail(exposed, io);
  }
  const firstTokens = readTokenStore(files.tokensFile);
  if (!firstTokens.ok) return refused(firstTokens.error, originals);
  const log = createLogger({ name: 'xenherd-controller', level: config.logLevel });
  // the signals are taken before the first log line: a SIGTERM during start-up or just after the
  // "listening" line (a quick systemctl restart) stops it cleanly, never kills it by Node's default
  const fromCredential = files.fromCredentials.includes('tokens.json');
  let stopAsked = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      stopAsked = true;
      resolve();
    };
    hooks.onSignal('SIGTERM', stop);
    hooks.onSignal('SIGINT', stop);
    // tokens.json is re-read whenever it changes; SIGHUP needs to do nothing else. A credential
    // is a copy made when the service started: only a restart brings a new one.
    hooks.onSignal('SIGHUP', () =>
      log.info({ event: 'sighup' }, fromCredential ? 'SIGHUP: tokens come from a systemd credential, read at start: restart the service to apply new ones' : 'SIGHUP: tokens are re-read on change; nothing else to reload'),
    );
  });
  const certificate = tls.value === null ? null : servedCertificate(tls.value.leaf, renewAdvice(config.file, files.fromCredentials.includes('tls.cert')));
  if (tls.value !== null && certificate !== null) {
    // the URL enroll gives agents: none while the port is 0 and publicUrl unset (enroll refuses then)
    const dialled = config.publicUrl !== null || config.listen.port !== 0 ? agentUrl(config, hooks.hostname()) : null;
    for (const n of certificateNotes(certificate, tls.value.leaf, dialled, hooks.clock.now())) log[n.level](n.fields, n.message);
  }
  if (files.fromCredentials.length > 0) log.info({ event: 'credentials', names: files.fromCredentials }, `read from systemd credentials: ${files.fromCredentials.join(', ')}`);
  if (hooks.heapGrowth !== undefined) log.info({ event: 'heap-growth', growth: hooks.heapGrowth }, hooks.heapGrowth === 'given by the operator' ? 'V8 old-space growth: as the operator gave Node' : `V8 old space grows by at most ${hooks.heapGrowth} of the live heap between full collections`);
  hooks.onClockStep?.((difference) => log.warn({ event: 'clock-step', differenceMs: difference }, clockStepText(difference)));
  if (hooks.isRoot) log.warn({ event: 'running-as-root' }, RUNNING_AS_ROOT);
  const tokens = new TokenBook(files.tokensFile, (event, message) => log.error({ event, reason: message }, message), fromCredential);
  const store = tokens.current();
  if (Object.keys(store.agents).length + Object.keys(store.operators).length === 0) {
    log.warn({ event: 'no-tokens', file: files.tokensFile }, 'no tokens yet: nobody can connect; run `xenherd-controller enroll HOST` for each agent');
  }
  // what a stopped roll finished and this controller's instance id, kept where the service may
  // write: under systemd its StateDirectory= (stateDir holds root's tokens.json, which the unit
  // only reads as a credential, and which a standby is made from a copy of)
  const ownDir = writableStateDir(process.env['STATE_DIRECTORY'], config.stateDir);
  // the owner of the maintenance flags this controller claims: stable across its restarts (so a
  // re-run drain continues its own operation at once), distinct from any other controller's
  const instance = controllerInstance(ownDir, () => randomBytes(4).toString('hex'));
  const identity = controllerIdentity(hooks.hostname(), config.listen.port, instance.id);
  if (instance.problem !== null) log.warn({ event: 'controller-instance', identity }, instance.problem);
  log.info({ event: 'identity', identity }, `owner of the maintenance flags it claims: ${identity}`);
  // which Dom0s belong to the fleet: one enrolled and silent since the start is reported, not unknown;
  // one whose last token is removed is forgotten once its link is down
  const enrolled = enrolledHostsOf(tokens);
  const rollRecords = rollRecordsFile(ownDir);
  const core = new ControllerCore({ clock: hooks.clock, log, newId: hooks.newId, settings: settingsOf(config), jobs: jobSettingsOf(config), identity, enrolled, rollRecords, ...(certificate !== null ? { certificate } : {}) });
  let server;
  try {
    server = await startServer({ core, tokens, log, host: config.listen.host, port: config.listen.port, tls: tls.value, maxMessageBytes: config.maxMessageBytes, clock: hooks.clock });
  } catch (e) {
    core.close();
    // the TLS files are checked when read (readTlsFiles); should OpenSSL still refuse them, say so
    const tlsRefused = /^error:[0-9A-Fa-f]{8}:/.test((e as Error).message) || ((e as NodeJS.ErrnoException).code ?? '').startsWith('ERR_OSSL');
    const where = tlsRefused ? `key "tls": the TLS files were refused (${(e as Error).message}): check tls.cert, tls.key and tls.ca` : `key "listen": cannot listen on ${config.listen.host}:${config.listen.port}: ${(e as Error).message}`;
    return refused({ code: 'XH_ERR_CONFIG', message: `${config.file}: ${where}` }, originals);
  }
  // Type=notify: `systemctl start`/`restart` returns once this arrives, so a controller that
  // cannot serve (a refused config, certificate or port: the returns above) fails the start itself;
  // stopped while it started, it says nothing: READY=1 during a stop told systemd it had started
  const agents = enrolled().size;
  const notified = stopAsked ? null : await hooks.notify?.({ ready: true, status: `listening on ${server.url}, ${agents} agent${agents === 1 ? '' : 's'} enrolled` });
  if (notified) log.warn({ event: 'sd-notify' }, `${notified}: systemd was not told the controller is ready`);
  await stopped;
  log.info({ event: 'stopping' }, 'stopping: closing agent links');
  await stopServing(core, server, hooks.clock);
  return 0;
}

export const serveCommand = (hooks: ControllerHooks): Command =>
  withHelp({
    name: 'serve',
    summary: 'Run the controller: agents report to it over WSS, xenherdctl asks it over HTTPS (one port).',
    usage: `${USAGE}\nDefault config: /etc/xenherd/controller.json (make one with \`xenherd-controller init\`).\nLogs JSON to stdout, each line with its syslog priority when stdout is the journal\n(journalctl -p err shows errors); SIGTERM/SIGINT stop it.\nNotifies systemd (READY=1, STATUS=...) once it listens, when NOTIFY_SOCKET is set (a Type=notify unit).\nUnder systemd, credentials (LoadCredential=) named tls.cert, tls.key, tls.ca and tokens.json replace\nthe config's paths: root keeps the files, the unprivileged service reads the copies.`,
    run: (argv, io) => serve(argv, io, hooks),
  });
