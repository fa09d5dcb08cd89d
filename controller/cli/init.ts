import { wantsJson } from '../../shared/cli/argv.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { makeCa, makeServerCert } from '../pki/certificate.js';
import { tokenStorePath, writeTokenStore } from '../auth/token-store-file.js';
import { emptyTokenStore, newToken } from '../auth/tokens.js';
import { writeOwnFile } from '../files/atomic-write.js';
import { takeLock } from '../../shared/fs/file-lock.js';
import type { ControllerConfigInput } from '../config/schema.js';
import { BIN, fail, parseCommand, shellWord, withHelp } from './common.js';
import { initOptions, NEEDS, type InitOptions } from './init-options.js';
import { choosePublicUrl, publicUrlNote } from './init-public-url.js';
import { DEFAULT_CONFIG_PATH, type ControllerHooks } from './hooks.js';
import type { XhError } from '../../shared/errors.js';
import { initLeftovers, leftoverWords, MARK_TEXT, removeWritten, unfinishedMark } from './init-leftovers.js';

const USAGE = 'init [--dir DIR] [--san NAME[,NAME...]] [--listen ADDRESS] [--port N] [--json]';

/** What init writes, from its options (init-options.ts) and the paths under --dir. */
interface InitPlan extends InitOptions {
  readonly files: { readonly config: string; readonly caCert: string; readonly caKey: string; readonly cert: string; readonly key: string };
  readonly stateDir: string;
  /** --json as parsed: the answer is one JSON line */
  readonly jsonOut: boolean;
}

/**
 * A quick start in one directory, every file owned by the user who runs it (run it as the
 * controller's user): a CA, a server certificate it signs, an admin token with the operate
 * role, and a controller.json pointing at them. Nothing existing is overwritten.
 */
async function init(argv: readonly string[], io: CliIo, hooks: ControllerHooks): Promise<number> {
  const json = wantsJson(argv);
  const specs = ['dir', 'san', 'listen', 'port'].map((name) => ({ name, takesValue: true })).concat([{ name: 'json', takesValue: false }]);
  const a = parseCommand(argv, specs, 0, 0, USAGE, NEEDS);
  if (!a.ok) return fail(a.error, io, json);
  const given = initOptions(a.value, hooks.hostname());
  if (!given.ok) return fail(given.error, io, json);
  const { dir } = given.value;

  const files = {
    config: join(dir, 'controller.json'),
    caCert: join(dir, 'tls', 'ca.crt'),
    caKey: join(dir, 'tls', 'ca.key'),
    cert: join(dir, 'tls', 'server.crt'),
    key: join(dir, 'tls', 'server.key'),
  };
  const stateDir = join(dir, 'state');
  // Two inits at once on one dir (a configuration run started twice) both found no file and
  // each wrote over the other's: one printed an admin token tokens.json did not hold, and a CA
  // key could be left beside the other's certificate. The lock makes the check and the writes one step.
  const lock = await takeLock(join(dir, 'init.lock'), `xenherd-controller init of ${dir}`);
  if (!lock.ok) {
    const error = lock.error.code === 'XH_ERR_LOCKED' ? { ...lock.error, message: `another xenherd-controller init is writing ${dir}: nothing was written by this one (${lock.error.message})` } : lock.error;
    return fail(error, io, json);
  }
  try {
    return writeAll({ ...given.value, files, stateDir, jsonOut: a.value.options['json'] === true }, io, hooks, json);
  } finally {
    lock.value.release();
  }
}

function writeAll(o: InitPlan, io: CliIo, hooks: ControllerHooks, json: boolean): number {
  const { dir, listen, port, names, sans, host, files, stateDir } = o;
  const all = [files.caKey, files.caCert, files.key, files.cert, files.config, tokenStorePath(stateDir)];
  // an init killed half-way: its files are named for removal, never completed beside new ones
  // (a server certificate from another CA than the ca.crt it left)
  const left = initLeftovers(dir, all);
  if (left !== null && left.length > 0) return fail({ code: 'XH_ERR_REFUSED', message: leftoverWords(dir, left) }, io, json);
  // every file init writes: its help promises that none is ever overwritten (an operator's own CA among them)
  const present = all.filter((f) => existsSync(f));
  if (present.length > 0) return fail({ code: 'XH_ERR_REFUSED', message: `${present.join(', ')} already exist: nothing was written (remove them, or choose another --dir)` }, io, json);

  const now = hooks.clock.now();
  const ca = makeCa(`xenherd controller CA (${host})`, now);
  const server = makeServerCert(ca, names, now);
  const admin = newToken();
  const store = emptyTokenStore();
  store.operators[admin.id] = { name: 'admin', role: 'operate', sha256: admin.sha256, createdAt: new Date(now).toISOString() };
  const chosen = choosePublicUrl({ listen, port, sans, host });
  const url = chosen.url;
  const config: ControllerConfigInput = {
    listen: { host: listen, port },
    tls: { cert: files.cert, key: files.key, ca: files.caCert },
    stateDir,
    publicUrl: port === 0 ? null : url,
  };
  const mark = writeOwnFile(unfinishedMark(dir), MARK_TEXT);
  if (!mark.ok) return fail(mark.error, io, json);
  const written: string[] = [];
  // a write that fails (a full disk) takes back the ones before it: the next init starts afresh
  const failed = (e: XhError): number => {
    const stuck = removeWritten(dir, written);
    const after = stuck.length === 0 ? 'what this init had written is removed again' : `remove what it wrote before: rm -f -- ${stuck.map(shellWord).join(' ')}`;
    return fail({ ...e, message: `${e.message}; ${after}` }, io, json);
  };
  for (const [file, text, mode] of [
    [files.caKey, ca.keyPem, 0o600],
    [files.caCert, ca.certPem, 0o644],
    [files.key, server.keyPem, 0o600],
    [files.cert, server.certPem, 0o644],
    [files.config, `${JSON.stringify(config, null, 2)}\n`, 0o600],
  ] as const) {
    const w = writeOwnFile(file, text, mode);
    if (!w.ok) return failed(w.error);
    written.push(file);
  }
  const w = writeTokenStore(tokenStorePath(stateDir), store);
  if (!w.ok) return failed(w.error);
  removeWritten(dir, []);

  const caFingerprint = new X509Certificate(ca.certPem).fingerprint256;
  // port 0 writes no publicUrl: enroll then refuses until one is set, and says so
  const note = port === 0 ? null : publicUrlNote(chosen, host, files.config);
  if (o.jsonOut) {
    io.stdout(`${JSON.stringify({ dir, config: files.config, url: port === 0 ? null : url, token: admin.token, ca: files.caCert, caFingerprint, names })}\n`);
    // stdout is the script's JSON: a publicUrl other machines cannot reach is still said, on stderr
    if (note !== null && note.needsChange) io.stderr(`${BIN}: warning: ${note.line}\n`);
    return 0;
  }
  io.stdout(
    [
      `${BIN}: wrote ${dir}: a CA (tls/ca.crt), a server certificate for ${names.join(', ')}, an admin token (role operate), controller.json`,
      ...(note === null ? [] : [note.line]),
      ...nextSteps(files.config),
      `CA fingerprint:   ${caFingerprint}`,
      'for xenherdctl (the token is shown only now):',
      `export XENHERD_URL=${shellWord(port === 0 ? 'https://ADDRESS:PORT-SERVE-LOGS' : url)} XENHERD_TOKEN=${shellWord(admin.token)} XENHERD_CA=${shellWord(files.caCert)}`,
      '',
    ].join('\n'),
  );
  return 0;
}

/**
 * How to start what init wrote to CONFIG. /etc/xenherd is where the packaged unit's credentials
 * come from: there the unit runs it (a `serve` started by hand as root runs unsandboxed, and the
 * unit's start then finds the port taken), and it reads tokens.json only as it starts, so the
 * Dom0s are enrolled first. Elsewhere it is a controller run by hand, as the user that owns the files.
 */
export function nextSteps(config: string): string[] {
  if (config === DEFAULT_CONFIG_PATH) {
    return [
      `enroll an agent:  ${BIN} enroll HOST`,
      `start it:         systemctl enable --now xenherd-controller   (the packaged service; after a later enroll: systemctl restart xenherd-controller)`,
    ];
  }
  return [`start it:         ${BIN} serve --config ${shellWord(config)}`, `enroll an agent:  ${BIN} enroll HOST --config ${shellWord(config)}`];
}

export const initCommand = (hooks: ControllerHooks): Command =>
  withHelp({
    name: 'init',
    summary: 'Write a quick-start controller: CA, server certificate, admin token, controller.json (owner-only files).',
    usage: `${USAGE}\nDefault DIR /etc/xenherd; --port 1-65535 (0: any free port, for tests: enroll then needs publicUrl). The certificate names this host, localhost, 127.0.0.1, ::1 and every --san.\npublicUrl in controller.json, the URL agents dial (enroll prints it): https://NAME:PORT with the first --san that is not a loopback name, else this host's name (127.0.0.1 when that is no valid DNS name: the output then says to change it), or the --listen address when that is a loopback one.\nFor the packaged service run it as root (systemd hands the files to the service's own user); for a controller you start by hand, as the user that runs it. Existing files are never overwritten.`,
    run: (argv, io) => init(argv, io, hooks),
  });
