import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { readTokenStore, tokenStorePath, writeTokenStore } from '../auth/token-store-file.js';
import { newToken } from '../auth/tokens.js';
import { BIN, fail, loadConfig, optionString, parseCommand, withHelp } from './common.js';
import type { ControllerHooks } from './hooks.js';

const USAGE = 'operator NAME [--role read|operate] [--config FILE]';

/** A token for an operator (xenherdctl): `read` may ask, `operate` may also migrate. */
async function operator(argv: readonly string[], io: CliIo, hooks: ControllerHooks): Promise<number> {
  const a = parseCommand(argv, [{ name: 'config', takesValue: true }, { name: 'role', takesValue: true }], 1, 1, USAGE);
  if (!a.ok) return fail(a.error, io);
  const name = a.value.positionals[0] as string;
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) return fail({ code: 'XH_ERR_USAGE', message: 'NAME: letters, digits, . _ @ - (at most 64)' }, io);
  const role = optionString(a.value, 'role') ?? 'read';
  if (role !== 'read' && role !== 'operate') return fail({ code: 'XH_ERR_USAGE', message: '--role must be read or operate' }, io);
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return fail(c.error, io);
  const file = tokenStorePath(c.value.stateDir);
  const store = readTokenStore(file);
  if (!store.ok) return fail(store.error, io);
  const t = newToken();
  store.value.operators[t.id] = { name, role, sha256: t.sha256, createdAt: new Date(hooks.clock.now()).toISOString() };
  const w = writeTokenStore(file, store.value);
  if (!w.ok) return fail(w.error, io);
  io.stdout(`${t.token}\n`);
  io.stderr(`${BIN}: token for ${name} (role ${role}); shown only now: export XENHERD_TOKEN=... or put it in ~/.config/xenherd/ctl.json (a controller run by the packaged service sees it after systemctl restart xenherd-controller)\n`);
  return 0;
}

export const operatorCommand = (hooks: ControllerHooks): Command =>
  withHelp({
    name: 'operator',
    summary: 'Make a token for an operator of xenherdctl, with the role read (default) or operate.',
    usage: USAGE,
    run: (argv, io) => operator(argv, io, hooks),
  });
