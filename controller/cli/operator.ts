import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { ok } from '../../shared/result.js';
import { tokenStorePath, updateTokenStore } from '../auth/token-store-file.js';
import { newToken } from '../auth/tokens.js';
import { holdsToken } from '../../shared/text/redact-token.js';
import { BIN, fail, loadConfig, optionString, parseCommand, withHelp } from './common.js';
import type { ControllerHooks } from './hooks.js';

const USAGE = 'operator NAME [--role read|operate] [--config FILE]';

/**
 * A token for an operator (xenherdctl): `read` may ask, `operate` may also migrate. One token per
 * NAME, as `enroll` keeps one per host: making NAME's token again replaces the old one (which
 * stops working at once), so a lost or leaked token is dealt with by running this again. Names
 * compare without case: Alice and alice are one operator.
 */
async function operator(argv: readonly string[], io: CliIo, hooks: ControllerHooks): Promise<number> {
  const a = parseCommand(argv, [{ name: 'config', takesValue: true }, { name: 'role', takesValue: true }], 1, 1, USAGE, { role: 'read or operate', config: 'the controller.json file' });
  if (!a.ok) return fail(a.error, io);
  const name = a.value.positionals[0] as string;
  // a token pasted as the name would be stored as a name, listed by `tokens` and echoed back
  if (holdsToken(name) || /^xh1\./i.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `NAME is a token (xh1.…), not a name: give the operator's name (\`${BIN} tokens\` lists the tokens there are)` }, io);
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) return fail({ code: 'XH_ERR_USAGE', message: 'NAME: letters, digits, . _ @ - (at most 64)' }, io);
  const role = optionString(a.value, 'role') ?? 'read';
  if (role !== 'read' && role !== 'operate') return fail({ code: 'XH_ERR_USAGE', message: `--role must be read or operate, not ${JSON.stringify(role)}` }, io);
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return fail(c.error, io);
  const t = newToken();
  // under the store's lock, as enroll: a token made meanwhile by another run is kept
  const updated = await updateTokenStore(tokenStorePath(c.value.stateDir), (store) => {
    const before = Object.entries(store.operators).filter(([, e]) => e.name.toLowerCase() === name.toLowerCase());
    for (const [id] of before) delete store.operators[id];
    store.operators[t.id] = { name, role, sha256: t.sha256, createdAt: new Date(hooks.clock.now()).toISOString() };
    return ok(before.map(([, e]) => e));
  });
  if (!updated.ok) return fail(updated.error, io);
  const replaced = updated.value;
  io.stdout(`${t.token}\n`);
  const before = replaced.map((e) => `${JSON.stringify(e.name)} (role ${e.role})`).join(', ');
  const respelled = replaced.some((e) => e.name !== name);
  const replacedNote = replaced.length === 0 ? '' : ` (${respelled ? 'operator names ignore case: ' : ''}it replaces the token of ${before}, which no longer works)`;
  io.stderr(`${BIN}: token for ${name} (role ${role})${replacedNote}; shown only now: export XENHERD_TOKEN=... or put it in ~/.config/xenherd/ctl.json (a controller run by the packaged service sees it after systemctl restart xenherd-controller)\n`);
  return 0;
}

export const operatorCommand = (hooks: ControllerHooks): Command =>
  withHelp({
    name: 'operator',
    summary: 'Make a token for an operator of xenherdctl, with the role read (default) or operate.',
    usage: `${USAGE}\nOne token per NAME (names ignore case): making NAME's token again replaces the old one, which stops working.`,
    run: (argv, io) => operator(argv, io, hooks),
  });
