import { wantsJson } from '../../shared/cli/argv.js';
import { existsSync } from 'node:fs';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import type { XhError } from '../../shared/errors.js';
import { HOST_NAME_RE, sameHostName } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { operateTokensLeft, removeTokens, selectTokens, tokenIdOf, tokenRows, type TokenRow, type TokenSelector } from '../auth/token-match.js';
import { tokenStorePath, updateTokenStore } from '../auth/token-store-file.js';
import { authenticate, type TokenStore } from '../auth/tokens.js';
import { holdsToken, redactTokens } from '../../shared/text/redact-token.js';
import { BIN, fail, loadConfig, optionString, parseCommand, withHelp } from './common.js';

// withHelp prefixes the first line with "usage: xenherd-controller "; the others align under it
const USAGE = [
  'revoke HOST [--json] [--config FILE]',
  `       ${BIN} revoke --operator NAME [--force] [--json] [--config FILE]`,
  `       ${BIN} revoke --id TOKENID|TOKEN [--force] [--json] [--config FILE]`,
].join('\n');

/**
 * Where systemd puts the copy of tokens.json it hands the packaged service (LoadCredential=
 * tokens.json in systemd/xenherd-controller.service): present exactly while that service runs.
 * That copy is read at start, so a revocation reaches the service only when it restarts.
 */
export const SERVICE_TOKENS_CREDENTIAL = '/run/credentials/xenherd-controller.service/tokens.json';

const SPECS = [
  { name: 'config', takesValue: true },
  { name: 'operator', takesValue: true },
  { name: 'id', takesValue: true },
  { name: 'force', takesValue: false },
  { name: 'json', takesValue: false },
];
const NEEDS = { config: 'the controller.json file', operator: "the operator's NAME", id: 'a token id (12 hex digits) or the whole token' };
const OPERATOR_NAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;
const LIST_HINT = `\`${BIN} tokens\` lists every token`;

/** What ARGV asks to revoke, or a usage error saying what is wrong with it. */
function selectorOf(positionals: readonly string[], operator: string | undefined, id: string | undefined): Result<TokenSelector, XhError> {
  const given = [positionals.length > 0, operator !== undefined, id !== undefined].filter(Boolean).length;
  if (given !== 1) return err({ code: 'XH_ERR_USAGE', message: `give exactly one of HOST, --operator NAME or --id TOKENID (${LIST_HINT})` });
  // a token pasted where a name goes would be echoed by the messages below, its secret with it
  const pasted = [positionals[0], operator].find((w) => w !== undefined && (holdsToken(w) || /^xh1\./i.test(w.trim())));
  if (pasted !== undefined) return err({ code: 'XH_ERR_USAGE', message: `${operator === pasted ? '--operator' : 'HOST'} is a token (xh1.ID.SECRET), not a name: to revoke that token, give it as --id TOKEN` });
  if (operator !== undefined) {
    if (!OPERATOR_NAME_RE.test(operator)) return err({ code: 'XH_ERR_USAGE', message: `--operator ${JSON.stringify(operator)}: NAME is letters, digits, . _ @ - (at most 64)` });
    return ok({ by: 'operator', name: operator });
  }
  if (id !== undefined) {
    const parsed = tokenIdOf(id);
    // the word is not echoed: it may be a mangled token, whose secret must not reach a log
    if (parsed === null) return err({ code: 'XH_ERR_USAGE', message: `--id takes a token id (12 hex digits, as ${BIN} tokens lists them) or a whole token xh1.ID.SECRET` });
    return ok({ by: 'id', id: parsed.id });
  }
  const host = positionals[0] as string;
  // the stored rule, not enroll's stricter one: a host enrolled under the older rule must stay revocable
  if (!HOST_NAME_RE.test(host)) return err({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(host)} is not a host name (letters, digits, . and -, starting with a letter or digit): give the name the host was enrolled as (${LIST_HINT})` });
  return ok({ by: 'host', host });
}

const listed = (names: readonly string[]): string => [...new Set(names)].join(', ');

/** Nothing matched SELECTOR in STORE: what is there instead, so the operator sees the right name. */
function notFound(store: TokenStore, selector: TokenSelector): XhError {
  const rows = tokenRows(store);
  const hosts = rows.flatMap((r) => (r.kind === 'agent' ? [r.host] : []));
  const names = rows.flatMap((r) => (r.kind === 'operator' ? [r.name] : []));
  const message =
    selector.by === 'host'
      ? `no agent token for ${selector.host}; ${hosts.length === 0 ? 'no host is enrolled' : `enrolled hosts: ${listed(hosts)}`}`
      : selector.by === 'operator'
        ? `no operator token for ${selector.name}; ${names.length === 0 ? 'there are no operator tokens' : `operators: ${listed(names)}`}`
        : `no token with id ${selector.id}; ${LIST_HINT} with its id`;
  return { code: 'XH_ERR_NOT_FOUND', message: `${message}${otherKind(rows, selector)}; nothing was changed` };
}

/** The word given names a token of another kind: say how to revoke that one. */
function otherKind(rows: readonly TokenRow[], selector: TokenSelector): string {
  if (selector.by === 'id') return '';
  const word = selector.by === 'host' ? selector.host : selector.name;
  if (rows.some((r) => r.id === word.toLowerCase())) return `; ${word} is a token id: ${BIN} revoke --id ${word}`;
  if (selector.by === 'host' && rows.some((r) => r.kind === 'operator' && r.name.toLowerCase() === word.toLowerCase())) return `; ${word} is an operator: ${BIN} revoke --operator ${word}`;
  if (selector.by === 'operator' && rows.some((r) => r.kind === 'agent' && sameHostName(r.host, word))) return `; ${word} is an enrolled host: ${BIN} revoke ${word}`;
  return '';
}

/**
 * The tokens to revoke from STORE, or why not. A whole token given to --id must be that token:
 * one whose secret does not match works nowhere, and revoking the id's real holder for it would
 * cut off a host or operator by mistake.
 */
function chosen(store: TokenStore, selector: TokenSelector, idWord: string | undefined, force: boolean): Result<TokenRow[], XhError> {
  const rows = selectTokens(store, selector);
  if (rows.length === 0) return err(notFound(store, selector));
  if (selector.by === 'id' && idWord !== undefined && tokenIdOf(idWord)?.wholeToken === true && !authenticate(store, `Bearer ${idWord}`).ok) {
    return err({ code: 'XH_ERR_NOT_FOUND', message: `the token given is not the one stored under id ${selector.id} (its secret does not match: mistyped, or cut short), so it works nowhere; to revoke the token with id ${selector.id} regardless: --id ${selector.id}; nothing was changed` });
  }
  const cutsOperate = rows.some((r) => r.kind === 'operator' && r.role === 'operate');
  if (cutsOperate && !force && operateTokensLeft(store, rows) === 0) {
    return err({
      code: 'XH_ERR_REFUSED',
      message: `that is the last operator token with the role operate: without it nobody could drain, migrate or restore through xenherdctl; make another first (${BIN} operator NAME --role operate), or pass --force (${BIN} operator can still make one afterwards); nothing was changed`,
    });
  }
  return ok(rows);
}

// a name stored before operator refused tokens as names may hold one
const rowText = (r: TokenRow): string =>
  r.kind === 'agent' ? `revoked agent token ${r.id} of ${redactTokens(r.host)} (made ${r.createdAt})` : `revoked operator token ${r.id} of ${redactTokens(r.name)} (role ${r.role}, made ${r.createdAt})`;

/** What the revocation does to a running controller, as far as this command can know it. */
function effectText(rows: readonly TokenRow[], serviceReadsCopy: boolean): string {
  if (serviceReadsCopy) {
    return `${BIN}: xenherd-controller.service is running on a copy of tokens.json made at its start, which still holds these tokens: restart xenherd-controller.service (systemctl restart xenherd-controller; agents reconnect by themselves) to apply it\n`;
  }
  const hosts = listed(rows.flatMap((r) => (r.kind === 'agent' ? [r.host] : [])));
  // a revoked host leaves the fleet view once its link is down: fine for a Dom0 decommissioned,
  // a blind spot for one still running domUs whose token only leaked
  const agents =
    hosts === ''
      ? ''
      : `: it refuses new links of ${hosts}, and closes an open one at its next message (within a heartbeat); the agent keeps retrying and is refused: stop it, or enroll the host again. Once its link is down the controller forgets the host: its domUs leave where, status and check. To replace a leaked token of a Dom0 still in service, enroll it again instead (that replaces the token; the host stays in the fleet, unreachable until its agent has the new one)`;
  // this command reads tokens.json alone and cannot see the controller's jobs: it says where they
  // are. They are not cancelled: a drain stopped halfway by surprise is worse than one cancelled knowingly
  const names = listed(rows.flatMap((r) => (r.kind === 'operator' ? [redactTokens(r.name)] : [])));
  const operators =
    names === ''
      ? ''
      : `${agents === '' ? ':' : ';'} the operator's requests are refused from now on, and a job or command they follow stops streaming to them at its next line; the jobs they started go on (not cancelled): \`xenherdctl jobs\` lists them (BY ${names}), and \`xenherdctl cancel JOB\` with another operate token stops one`;
  return `${BIN}: a running \`${BIN} serve\` reading this tokens.json applies it at once${agents}${operators}\n`;
}

async function revoke(argv: readonly string[], io: CliIo, serviceCredential: string): Promise<number> {
  const json = wantsJson(argv);
  const a = parseCommand(argv, SPECS, 0, 1, `revoke HOST | --operator NAME | --id TOKENID (${BIN} revoke --help)`, NEEDS);
  if (!a.ok) return fail(a.error, io, json);
  const idWord = optionString(a.value, 'id');
  const selector = selectorOf(a.value.positionals, optionString(a.value, 'operator'), idWord);
  if (!selector.ok) return fail(selector.error, io, json);
  const force = a.value.options['force'] === true;
  // taken silently, it would let someone believe HOST's revocation needed or got an override
  if (force && selector.value.by === 'host') {
    return fail({ code: 'XH_ERR_USAGE', message: `--force applies only with --operator NAME or --id TOKENID, to revoke the last operator token with the role operate; HOST's agent tokens need no --force (${BIN} revoke --help)` }, io, json);
  }
  const c = loadConfig(optionString(a.value, 'config'));
  if (!c.ok) return fail(c.error, io, json);
  // under the store's lock: an enroll at the same moment keeps its token, and the checks above
  // (what matches, the last operate token) are made on the store as it is written back
  const revoked = await updateTokenStore(tokenStorePath(c.value.stateDir), (store) => {
    const rows = chosen(store, selector.value, idWord, force);
    if (rows.ok) removeTokens(store, rows.value);
    return rows;
  });
  if (!revoked.ok) return fail(revoked.error, io, json);
  const serviceReadsCopy = existsSync(serviceCredential);
  if (a.value.options['json'] === true) io.stdout(redactTokens(`${JSON.stringify({ revoked: revoked.value, applied: serviceReadsCopy ? 'after-restart' : 'at-once' })}\n`));
  else io.stdout(revoked.value.map((r) => `${rowText(r)}\n`).join(''));
  io.stderr(effectText(revoked.value, serviceReadsCopy));
  return 0;
}

export const revokeCommand = (serviceCredential: string = SERVICE_TOKENS_CREDENTIAL): Command =>
  withHelp({
    name: 'revoke',
    summary: "Revoke tokens: every agent token of HOST, every token of an operator, or one token by its id.",
    usage: `${USAGE}\nHost and operator names ignore case. TOKENID is the 12 hex digits after "xh1." (${BIN} tokens lists them); a whole leaked token xh1.ID.SECRET is taken too. Revoking the last operator token with the role operate needs --force. Nothing matching is an error (exit 1), listing what is enrolled.\nA controller reading tokens.json itself applies it at once (open agent links of the host close at their next message). The packaged service reads a copy made when it starts (a systemd credential): restart xenherd-controller.service; the command says so when it sees that service running.`,
    run: (argv, io) => revoke(argv, io, serviceCredential),
  });
