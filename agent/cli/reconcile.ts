import { randomUUID } from 'node:crypto';
import { realClock } from '../../shared/clock/real-clock.js';
import { join } from 'node:path';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { DOMU_NAME_RE, hostNameProblem } from '../../shared/names.js';
import { takeLock } from '../../shared/fs/file-lock.js';
import { acceptXlList, type AcceptVerdict } from '../decide/ledger-accept.js';
import { homeAmongReplicas } from '../decide/reconcile-home.js';
import { openHost, type HostContext } from '../migrate/context.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { homedHere, type HomeEntry } from '../decide/home-claim.js';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { domuResources, readHomesReadingGuarded, resourceHosts } from '../host/homes.js';
import type { ListedDomain } from '../state/ledger.js';
import { fail, parseCommon } from './common.js';
import { AGENT_COMMAND_HELP } from './help.js';
import { domuCaseHint } from '../../shared/domu-case-hint.js';
import { standbyHere } from './standby-here.js';
import { jsonLine, printable } from '../../shared/text/printable.js';

/**
 * Whether NAME means anything on this host: homed here, in the ledger, running here, or with a
 * config here (a standby replica). An unknown name is an error, not "nothing to reconcile": a
 * typo must not read as "the ledger and xl list agree".
 */
async function isKnown(c: HostContext, homes: ReadonlyMap<string, HomeEntry>, running: readonly ListedDomain[], name: string): Promise<Result<true, XhError>> {
  const ledger = c.store.read();
  if (!ledger.ok) return ledger;
  const here = running.some((d) => d.baseName === name);
  const l = ledger.value;
  if (homes.has(name) || here || l.away[name] !== undefined || l.visitors[name] !== undefined || l.unsettled[name] !== undefined) return ok(true);
  if ((await domuResources(c, homes, name, c.toolstack.kind)) !== null) return ok(true);
  // read only for the hint: the standby replicas' names, as `status ALL` lists them
  const standby = await standbyHere(c, homes);
  const names = [...homes.keys(), ...running.map((d) => d.baseName ?? d.name), ...Object.keys(l.away), ...Object.keys(l.visitors), ...Object.keys(l.unsettled), ...standby.found.map((s) => s.name)];
  return err({ code: 'XH_ERR_NOT_FOUND', message: `unknown domU ${name} on ${c.host}: not homed here, not in the ledger, not running here, no config in the guarded dir or ${c.config.migration.configDir}${domuCaseHint(name, names)}` });
}

/** --home checked against the .res files of NAME's DRBD resources (see homeAmongReplicas). */
async function checkedHome(c: HostContext, homes: ReadonlyMap<string, HomeEntry>, name: string, home: string): Promise<Result<string, XhError>> {
  const resources = await domuResources(c, homes, name, c.toolstack.kind);
  if (resources === null || resources.length === 0) return ok(home);
  return homeAmongReplicas(name, home, await resourceHosts(c, resources));
}

/**
 * The line a person reads after a change. Its words quote the ledger (hosts, operation ids, times),
 * which the store's schema keeps printable today; escaped here as every other human line is, so a
 * looser field tomorrow cannot steer the terminal.
 */
export function reconciledLine(host: string, toolstack: string, v: Extract<AcceptVerdict, { kind: 'change' }>, operationId: string): string {
  const what = v.mismatch?.kind ?? 'unsettled';
  return `${host}: ${what}: ${printable(v.says)} (${v.mismatch ? `${toolstack} list confirms; ` : ''}operation ${operationId})\n`;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'home', takesValue: true }], 1, 1, 'reconcile NAME');
  if (!a.ok) return fail(a.error, io, false);
  const name = a.value.positionals[0] as string;
  const json = a.value.json;
  const homeOption = a.value.options['home'] ?? null;
  if (!DOMU_NAME_RE.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(name)} is not a domU name` }, io, json);
  if (homeOption === true) return fail({ code: 'XH_ERR_USAGE', message: `--home needs a host name: the Dom0 that is ${name}'s home` }, io, json);
  const home = homeOption;
  const badHome = home === null ? null : hostNameProblem(home, '--home');
  if (badHome !== null) return fail({ code: 'XH_ERR_USAGE', message: badHome }, io, json);
  const ctx = await openHost(io, a.value.config, 'xenherd-agent reconcile');
  if (!ctx.ok) return fail(ctx.error, io, json);
  const c = ctx.value;
  // a migration of NAME from this host holds this lock: never reconcile under a running one
  const lock = await takeLock(join(c.stateDirReal, 'locks', `${name}.lock`), `domU ${name}`);
  if (!lock.ok) return fail(lock.error, io, json);
  try {
    const list = await c.toolstack.list();
    if (!list.ok) return fail(list.error, io, json);
    const { homes } = await readHomesReadingGuarded(c, c.toolstack.kind);
    const known = await isKnown(c, homes, list.value, name);
    if (!known.ok) return fail(known.error, io, json);
    const homeChecked = home === null ? ok(null) : await checkedHome(c, homes, name, home);
    if (!homeChecked.ok) return fail(homeChecked.error, io, json);
    const operationId = `reconcile-${randomUUID()}`;
    let verdict: ReturnType<typeof acceptXlList> | null = null;
    const w = await c.store.update((l) => {
      verdict = acceptXlList({ ledger: l, running: list.value, toolstack: c.toolstack.kind, homedHere: homedHere(homes, l), name, home: homeChecked.value, now: new Date(realClock.now()).toISOString(), operationId });
      return verdict.kind === 'change' ? verdict.ledger : null;
    });
    if (!w.ok) return fail(w.error, io, json);
    const v = verdict as ReturnType<typeof acceptXlList> | null;
    if (v === null) return fail({ code: 'XH_ERR_INTERNAL', message: 'the ledger store did not run the change' }, io, json);
    if (v.kind === 'refused') return fail({ code: 'XH_ERR_REFUSED', message: v.why }, io, json);
    if (v.kind === 'nothing') {
      if (json) io.stdout(jsonLine({ ok: true, domu: name, changed: false, message: v.why }));
      else io.stdout(`${printable(v.why)}\n`);
      return 0;
    }
    await processMigrationPorts(c).nudge(`reconcile of ${name} (operation ${operationId})`);
    if (json) io.stdout(jsonLine({ ok: true, domu: name, changed: true, mismatch: v.mismatch?.kind ?? null, settled: v.settled, message: v.says, operationId }));
    else io.stdout(reconciledLine(c.host, c.toolstack.kind, v, operationId));
    return 0;
  } finally {
    lock.value.release();
  }
}

export const reconcileCommand: Command = { ...AGENT_COMMAND_HELP.reconcile, run };
