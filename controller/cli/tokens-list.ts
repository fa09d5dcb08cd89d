import { wantsJson } from '../../shared/cli/argv.js';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { tokenRows, type TokenRow } from '../auth/token-match.js';
import { readTokenStore, tokenStorePath } from '../auth/token-store-file.js';
import { redactTokens } from '../../shared/text/redact-token.js';
import { BIN, fail, loadConfig, optionString, parseCommand, withHelp } from './common.js';

const USAGE = 'tokens [--json] [--config FILE]';

/** A table a person reads, the columns as wide as their widest cell. */
function table(rows: readonly TokenRow[]): string {
  const cells = [['ID', 'KIND', 'HOST/NAME', 'ROLE', 'CREATED'], ...rows.map((r) => [r.id, r.kind, r.kind === 'agent' ? r.host : r.name, r.kind === 'agent' ? '-' : r.role, r.createdAt])];
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => (row[i] as string).length))) ?? [];
  return cells.map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')}\n`).join('');
}

/**
 * What tokens.json holds, without the hashes: which hosts are enrolled and which operators hold a
 * token, with the ids `revoke --id` takes. Read without the lock: it changes nothing, and the file
 * is replaced whole (never seen half written).
 */
async function tokens(argv: readonly string[], io: CliIo): Promise<number> {
  const json = wantsJson(argv);
  const a = parseCommand(argv, [{ name: 'config', takesValue: true }, { name: 'json', takesValue: false }], 0, 0, USAGE, { config: 'the controller.json file' });
  if (!a.ok) return fail(a.error, io, json);
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return fail(c.error, io, json);
  const store = readTokenStore(tokenStorePath(c.value.stateDir));
  if (!store.ok) return fail(store.error, io, json);
  // a name stored before operator and enroll refused tokens as names may hold one: never listed whole
  const rows = tokenRows(store.value).map((r) => (r.kind === 'agent' ? { ...r, host: redactTokens(r.host) } : { ...r, name: redactTokens(r.name) }));
  if (a.value.options['json'] === true) {
    io.stdout(`${JSON.stringify({ tokens: rows })}\n`);
    return 0;
  }
  io.stdout(table(rows));
  if (rows.length === 0) io.stderr(`${BIN}: no tokens: \`${BIN} enroll HOST\` makes an agent's, \`${BIN} operator NAME\` an operator's\n`);
  return 0;
}

export const tokensCommand = (): Command =>
  withHelp({
    name: 'tokens',
    summary: 'List the tokens in tokens.json: id, agent (its host) or operator (name and role), when made. Never a secret.',
    usage: `${USAGE}\nAgents first by host, then operators by name. \`${BIN} revoke\` takes a HOST, --operator NAME or --id ID from this list.`,
    run: (argv, io) => tokens(argv, io),
  });
