import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * What a peer may ask through the forced command (`SSH_ORIGINAL_COMMAND`), nothing else:
 *
 *   ping
 *   status NAME [--not-mine] [--tools]
 *   migrate2 NAME [--live]
 *
 * `--not-mine`: the asker does not call NAME its own (it moved NAME here as a visitor's host, or
 * for a restore, or NAME never was in its ledger). A domU guarded on this Dom0 with the asker as
 * its partner may have either for its home; without the word, this Dom0 takes the asker's
 * question as the asker's claim and records NAME as its visitor. `--tools`: the answer also names
 * this Dom0's toolstack and Xen release, which a live migration's sender needs before it sends
 * (an asker older than the fields would refuse an answer carrying them, so they come only asked).
 *
 * Words are separated by exactly one space; NAME matches ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ (so it
 * can never be an option), and never ends in --incoming or --migratedaway: libxl gives those names
 * to a migration's two halves, so such a name is a row of some domU, never a domU of its own, and
 * a question about it would be answered (and recorded in the ledger) as if it were one. The whole
 * line is printable ASCII, at most 128 characters. No quoting, no escapes, no shell: anything else
 * is rejected before any tool runs.
 */
export type Migrate2Request =
  | { readonly op: 'ping' }
  | { readonly op: 'status'; readonly name: string; readonly notMine: boolean; readonly tools?: true }
  | { readonly op: 'migrate2'; readonly name: string; readonly live: boolean };

export const MAX_COMMAND_LENGTH = 128;
const NAME = '([A-Za-z0-9][A-Za-z0-9._-]{0,63})';
const PING_RE = /^ping$/;
const STATUS_RE = new RegExp(`^status ${NAME}( --not-mine)?( --tools)?$`);
const MIGRATE2_RE = new RegExp(`^migrate2 ${NAME}( --live)?$`);
const PRINTABLE_ASCII_RE = /^[\x20-\x7e]*$/;
/** libxl's names for a migration's halves (agent/parse/xl-state.ts splitDomainName) */
const HALF_NAME_RE = /^(.+)(--incoming|--migratedaway)$/;

export const GRAMMAR_HELP = 'accepted: "ping", "status NAME [--not-mine] [--tools]", "migrate2 NAME [--live]"';

const reject = (why: string): Result<never, XhError> => err({ code: 'XH_ERR_COMMAND_REJECTED', message: `rejected: ${why}; nothing was run (${GRAMMAR_HELP})` });

/** The request line, as the escaped text a log or a person may see. */
export const showCommand = (raw: string): string =>
  `${JSON.stringify(raw.length > 80 ? raw.slice(0, 80) : raw).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}${raw.length > 80 ? '...' : ''}`;

export function parseMigrate2Command(raw: string | undefined): Result<Migrate2Request, XhError> {
  if (raw === undefined) return reject('no command (SSH_ORIGINAL_COMMAND is unset: an interactive login is not allowed)');
  if (raw.length > MAX_COMMAND_LENGTH) return reject(`command longer than ${MAX_COMMAND_LENGTH} characters`);
  if (!PRINTABLE_ASCII_RE.test(raw)) return reject(`command ${showCommand(raw)} contains a control or non-ASCII character`);
  if (PING_RE.test(raw)) return ok({ op: 'ping' });
  const s = STATUS_RE.exec(raw);
  if (s) return halfName(raw, s[1] as string) ?? ok({ op: 'status', name: s[1] as string, notMine: s[2] !== undefined, ...(s[3] === undefined ? {} : { tools: true as const }) });
  const m = MIGRATE2_RE.exec(raw);
  if (m) return halfName(raw, m[1] as string) ?? ok({ op: 'migrate2', name: m[1] as string, live: m[2] !== undefined });
  const verb = raw.split(' ')[0] ?? '';
  if (verb === 'ping' || verb === 'status' || verb === 'migrate2') return reject(`${showCommand(raw)}: wrong arguments for ${verb}`);
  return reject(`${showCommand(raw)} is not a migrate2 command`);
}

/** The refusal of NAME when it is a migration half's name (the domU it belongs to named), or null. */
function halfName(raw: string, name: string): Result<never, XhError> | null {
  const h = HALF_NAME_RE.exec(name);
  return h === null ? null : reject(`${showCommand(raw)}: ${name} ends in ${h[2] as string}, a name libxl gives a migration's half, never a domU's own: ask about ${h[1] as string}`);
}
