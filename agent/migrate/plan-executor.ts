import type { XhError } from '../../shared/errors.js';
import type { PeerResult } from '../../shared/protocol/peer.js';
import { err, ok, type Result } from '../../shared/result.js';
import { lineSplitter } from '../../shared/text/lines.js';
import type { MigrationPlan, PlanStep } from '../decide/migration-plan.js';
import { refusalOf } from '../decide/preflight.js';
import { askPeerWhere, reverseVerdict } from '../decide/reverse-verdict.js';
import { migrationVerdict } from '../decide/migration-verdict.js';
import { awayAfterTell } from '../decide/tell-answer.js';
import { handoverVerdict, type ReplicationSample } from '../decide/handover-replication.js';
import type { MigrationOutcome } from '../parse/xl-migrate.js';
import { libxlSays } from '../parse/xl-stderr.js';
import { landed, settled, without, withAway, withInflight, withUnsettled } from '../state/ledger.js';
import { processIdentity } from '../../shared/fs/file-lock.js';
import { printable } from '../../shared/text/printable.js';
import { askMigrate2, askStatus, runsOnPeer } from './peer-requests.js';
import type { HeldDomu, MigrationPorts, PeerAnswer } from './ports.js';
import { preflightLine } from './preflight-line.js';
import { unrecordedMove } from './unrecorded-move.js';
import { runPreflight } from './preflight-run.js';
import { whileWaiting } from './progress-ticker.js';
import { readReplication, watchReplication } from './replication-watch.js';

/**
 * The one executor of migration plans: the CLI's `migrate` and `reverse`, the forced `migrate2`,
 * and (through the agent) a controller's command all run their plan here, step by step. A step
 * that fails ends the plan with its typed error; the hold is always released.
 */
export interface PlanDone {
  readonly message: string;
  /** what the operator should read besides the message (e.g. the target confirmed) */
  readonly lines: readonly string[];
  readonly warnings: readonly string[];
  /** reverse: the peer's own result line */
  readonly peerResult: PeerResult | null;
}

interface Run {
  outcome: MigrationOutcome | null;
  peer: { answer: PeerAnswer; result: PeerResult | null } | null;
  lines: string[];
  warnings: string[];
  /** the domU's DRBD resources as read while it moved (plans with a replication step) */
  replication: ReplicationSample[];
  /** the read after the handover, begun beside the `tell` step's ssh round trip (readAfter) */
  after: Promise<ReplicationSample[]> | null;
  /** the running agent's re-read asked for by `record`, waited for before the hold ends (record step) */
  nudged: Promise<void> | null;
}

export async function presentHere(p: MigrationPorts, name: string): Promise<boolean | null> {
  const l = await p.toolstack.list();
  // any row of NAME counts, a migration's transient ones too (xl's NAME--migratedaway, xend's migrating-NAME)
  return l.ok ? l.value.some((d) => d.baseName === name) : null;
}

export async function executePlan(p: MigrationPorts, plan: MigrationPlan, progress: (line: string) => void): Promise<Result<PlanDone, XhError>> {
  const run: Run = { outcome: null, peer: null, lines: [], warnings: [], replication: [], after: null, nudged: null };
  let held: HeldDomu | null = null;
  let inflight = false;
  try {
    for (const step of plan.steps) {
      if (step.do === 'hold') {
        const h = await p.hold(plan.name, step.purpose, plan.operationId);
        if (!h.ok) return h;
        held = h.value;
        continue;
      }
      if (held !== null && (step.do === 'migrate' || step.do === 'ask-peer')) {
        const gone = await held.stillHeld(progress);
        if (gone) return err(unheld(plan, gone));
      }
      if (!inflight && movesSomething(plan, step)) {
        const w = await recordInflight(p, plan);
        if (w) return err(w);
        inflight = true;
      }
      const failed = await watchedStep(p, plan, step, run, progress);
      if (failed) return err(failed.code === 'XH_ERR_MIGRATION_UNKNOWN' && plan.kind !== 'migrate2' ? await recordUnsettled(p, plan, failed) : failed);
    }
  } catch (e) {
    // no verdict: where the domU runs is as unknown as after an ALARM
    if (inflight) await recordUnsettled(p, plan, { code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: the ${plan.kind} of ${plan.name} stopped on an internal error (${e instanceof Error ? e.message : String(e)}) before its outcome was known: check both hosts` });
    throw e;
  } finally {
    // every ending with a verdict has said where the domU is (or recorded the ALARM): the record goes
    if (inflight) await p.store.update((l) => (Object.hasOwn(l.inflight, plan.name) ? landed(l, plan.name) : null));
    // nothing begun beside a step outlives the command, and the agent has re-read the ledger before it lets go
    await Promise.allSettled([run.after, run.nudged]);
    held?.release();
  }
  const how = run.outcome && run.outcome.kind !== 'success' ? ` (after ${run.outcome.kind}: both hosts' xl list agree)` : '';
  const message = plan.kind === 'reverse' ? `${plan.name} is back on ${plan.to}; ledger updated` : `${plan.name} migrated from ${plan.from} to ${plan.to}${how}`;
  if (!plan.steps.some((s) => s.do === 'tell') && plan.kind === 'migrate') return err(partial(plan, `--no-peer: ${plan.to} was not told`));
  return ok({ message, lines: run.lines, warnings: run.warnings, peerResult: run.peer?.result ?? null });
}

/**
 * The migration is written to the ledger before the first step that moves anything, so a process
 * killed in the middle leaves a trace: the record names this process, and once that is gone the
 * ledger reads it as unsettled (agent/state/interrupted.ts). The forced `migrate2` writes none:
 * the home that asked for it holds the record of the whole reverse.
 */
const movesSomething = (plan: MigrationPlan, step: Exclude<PlanStep, { do: 'hold' }>): boolean => plan.kind !== 'migrate2' && (step.do === 'migrate' || step.do === 'ask-peer');

/**
 * The step that moves the domU does not start once the running agent here stopped holding it and
 * did not take it again (migrate/kept-hold.ts): nothing has moved, so nothing is left to settle.
 */
function unheld(plan: MigrationPlan, gone: XhError): XhError {
  const again = plan.kind === 'migrate2' ? `xenherd-agent reverse ${plan.name} on ${plan.to}` : `the ${plan.kind}`;
  const check = '`systemctl status xenherd-agent`, `journalctl -u xenherd-agent`, `xenherd-agent autostart status`';
  return { code: gone.code, message: `${plan.name} was not moved, it still runs on ${plan.from}: ${gone.message}; check the agent on this Dom0 (${check}), then run ${again} again` };
}

async function recordInflight(p: MigrationPorts, plan: MigrationPlan): Promise<XhError | null> {
  if (plan.kind === 'migrate2') return null;
  const peer = plan.from === p.host ? plan.to : plan.from;
  const rec = { peer, since: new Date(p.clock.now()).toISOString(), operationId: plan.operationId, operation: plan.kind, holder: processIdentity() };
  const w = await p.store.update((l) => withInflight(l, plan.name, rec));
  return w.ok ? null : { code: w.error.code, message: `${plan.name} was not migrated: the ledger could not record the migration before it began (${w.error.message}); it still runs on ${plan.from}` };
}

/**
 * An ALARM outlives the command that raised it: the ledger keeps it as unsettled, so autostart
 * never starts the domU here, the controller shows it and its plans leave it alone, until a
 * person has looked at both hosts and runs `reconcile` here. Only the Dom0 that started the
 * operation keeps it: the forced `migrate2` answers its ALARM to the home that asked, which then
 * looks at both hosts itself and either settles the ending or keeps the ALARM as its own.
 * A link lost mid-move (the plan's last step, `replication`) comes after `record` and `tell`: the
 * away and visitor records stay, as the domU does run at the target, and the unsettled record
 * beside them keeps the disks a person's question (nothing starts it here, no plan moves it back).
 */
async function recordUnsettled(p: MigrationPorts, plan: MigrationPlan, alarm: XhError): Promise<XhError> {
  const peer = plan.from === p.host ? plan.to : plan.from;
  const rec = { peer, since: new Date(p.clock.now()).toISOString(), operationId: plan.operationId, operation: plan.kind, message: printable(alarm.message).slice(0, 2000) };
  const w = await p.store.update((l) => withUnsettled(landed(l, plan.name), plan.name, rec));
  if (!w.ok) return { ...alarm, message: `${alarm.message}; recording it as unsettled in the ledger failed too: ${w.error.message}` };
  await p.nudge(`${plan.kind} of ${plan.name} (operation ${plan.operationId}) recorded as unsettled`);
  return { ...alarm, message: `${alarm.message}; ${p.host}'s ledger keeps it as unsettled until \`xenherd-agent reconcile ${plan.name}\` on ${p.host}` };
}

/** The step that moves the domU, with its DRBD resources read beside it when the plan watches them. */
async function watchedStep(p: MigrationPorts, plan: MigrationPlan, step: Exclude<PlanStep, { do: 'hold' }>, run: Run, progress: (line: string) => void): Promise<XhError | null> {
  const watched = plan.steps.find((s) => s.do === 'replication');
  if (!watched || watched.do !== 'replication' || (step.do !== 'migrate' && step.do !== 'ask-peer')) return runStep(p, plan, step, run, progress);
  const watch = watchReplication(p, watched.resources);
  try {
    return await runStep(p, plan, step, run, progress);
  } finally {
    run.replication.push(...(await watch.stop()));
  }
}

/** The domU moved; the other Dom0's ledger did not follow. The command that finishes it, exactly. */
function partial(plan: MigrationPlan, why: string): XhError {
  return { code: 'XH_ERR_MIGRATION_PARTIAL', message: `${plan.name} now runs on ${plan.to} and ${plan.from}'s ledger records it, but ${why}; to finish: ${tellFinish(plan)}` };
}

/** what the `tell` step does, as the command an operator runs on the target */
function tellFinish(plan: MigrationPlan): string {
  const away = plan.steps.some((s) => s.do === 'record' && s.change.kind === 'away');
  return away ? `on ${plan.to}: xenherd-agent reconcile ${plan.name} --home ${plan.from}` : `on ${plan.to}: xenherd-agent reconcile ${plan.name}`;
}

async function runStep(p: MigrationPorts, plan: MigrationPlan, step: Exclude<PlanStep, { do: 'hold' }>, run: Run, progress: (line: string) => void): Promise<XhError | null> {
  switch (step.do) {
    case 'preflight': {
      progress(preflightLine(plan, step.checks));
      const pf = await whileWaiting(p.clock, (s) => progress(`still checking before moving ${plan.name} (${s} s)`), runPreflight(p, plan.name, step.checks));
      if ('code' in pf) return pf;
      return refusalOf(pf.verdicts);
    }
    case 'migrate': {
      progress(`migrating ${plan.name} from ${plan.from} to ${plan.to} (operation ${plan.operationId})`);
      const split = lineSplitter((line) => {
        const t = line.trimEnd();
        if (t !== '') progress(t);
      });
      const m = await p.toolstack.migrate(plan.name, step.target, { onProgress: split.push });
      split.end();
      if (!m.ok) return m.error;
      run.outcome = m.value.outcome;
      return null;
    }
    case 'ask-peer': {
      progress(`asking ${step.peer} to migrate ${plan.name} back to ${p.host} (migrate2 over ssh)`);
      const a = await askMigrate2(p, step.peer, plan.name, (line) => progress(`${step.peer}: ${line}`));
      if ('code' in a) return a;
      run.peer = a;
      return null;
    }
    case 'verify':
      return run.peer ? verifyReturn(p, plan, step.other, run) : verifyMove(p, plan, step.other, step.askOther, run);
    case 'record': {
      const now = new Date(p.clock.now()).toISOString();
      const c = step.change;
      // the plan has just seen where the domU runs: an older ALARM about it here is answered
      const w = await p.store.update((l) => {
        const base = landed(settled(l, plan.name), plan.name);
        if (c.kind === 'away') return withAway(without(base, plan.name), plan.name, { home: p.host, currentHost: c.currentHost, since: now, operationId: plan.operationId, reason: c.reason });
        return base.away[plan.name] || base.visitors[plan.name] ? without(base, plan.name) : base === l ? null : base;
      });
      if (!w.ok) return unrecordedMove(p.host, plan, c, w.error.message, plan.steps.some((s) => s.do === 'tell') ? tellFinish(plan) : null);
      // The agent's re-read (a few hundred ms on a busy Dom0) runs beside the steps after this one,
      // which neither read nor need it: the `tell` is an ssh round trip of seconds. It is waited
      // for before the hold ends, so the agent still knows the new record before it may start NAME.
      run.nudged = p.nudge(`${plan.kind} of ${plan.name} from ${plan.from} to ${plan.to} (operation ${plan.operationId})`).catch(() => undefined);
      return null;
    }
    case 'tell': {
      readAfter(p, plan, run);
      // goingHome false: this Dom0 is NAME's home and the peer records its visitor; else this Dom0 does not claim NAME
      const s = await askStatus(p, step.peer, plan.name, step.goingHome !== false);
      if ('code' in s) return partial(plan, `${step.peer} could not be told (${s.message})`);
      if (s.present === 'absent') return { code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${step.peer} answers that ${plan.name} does not run there although the migration succeeded and ${p.host} no longer lists it: check both hosts (\`status ALL\`)` };
      run.lines.push(`${step.peer} confirmed it runs ${plan.name}`);
      if (awayAfterTell(step, s.home) === 'drop-away') {
        const w = await p.store.update((l) => (l.away[plan.name]?.currentHost === step.peer ? without(l, plan.name) : null));
        if (!w.ok) return partial(plan, `${step.peer} calls ${plan.name} its own, but the away record here could not be dropped (${w.error.message}): this ledger still says ${plan.name} is away at ${step.peer}`);
        run.lines.push(`${step.peer} calls ${plan.name} its own (its home): this ledger keeps no away record of it`);
      }
      return null;
    }
    case 'replication': {
      const after = await (run.after ?? readReplication(p, step.resources, true));
      const v = handoverVerdict({ name: plan.name, from: plan.from, to: plan.to, host: p.host, other: step.peer, resources: step.resources, samples: [...run.replication, ...after] });
      run.lines.push(...v.lines);
      return v.alarm;
    }
  }
}

/**
 * The plan's read of NAME's DRBD resources after the handover, begun as the `tell` starts rather
 * than after it: the domU already runs at the target (verify said so), and the ssh round trip to
 * the peer changes nothing DRBD shows, so the read is as much "after" and the seconds overlap.
 * Judged only by the `replication` step, after the tell, as before.
 */
function readAfter(p: MigrationPorts, plan: MigrationPlan, run: Run): void {
  const watched = plan.steps.find((s) => s.do === 'replication');
  if (watched?.do === 'replication' && run.after === null) run.after = readReplication(p, watched.resources, true);
}

/** After our own xl migrate: where is it? Both hosts' xl list decide an unclear ending. */
async function verifyMove(p: MigrationPorts, plan: MigrationPlan, other: string, askOther: boolean, run: Run): Promise<XhError | null> {
  const outcome = run.outcome;
  if (!outcome) return { code: 'XH_ERR_INTERNAL', message: 'verify before migrate in the plan' };
  const atSource = await presentHere(p, plan.name);
  const needTarget = !(outcome.kind === 'success' && atSource === false) && !(outcome.domainAt === 'source' && atSource === true);
  const atTarget = needTarget ? (askOther ? await runsOnPeer(p, other, plan.name) : null) : outcome.kind === 'success';
  const verdict = migrationVerdict(outcome, atSource, atTarget);
  const first = outcome.decisiveLine ?? outcome.errorLines[0];
  const said = first === undefined ? undefined : libxlSays(first);
  // a toolstack that keeps the reason in its log (xend) is read there: "success: xm migrate exited 0" told nobody anything
  const inLog = outcome.reasonLog === undefined ? '' : `; the reason is in ${outcome.reasonLog} on ${p.host}`;
  const why = `${said ?? `${p.toolstack.kind} migrate exited ${String(outcome.exitCode)}${outcome.kind === 'success' ? ' saying nothing' : ''}`}${inLog}`;
  if (verdict.kind === 'stayed') {
    const detail = outcome.errorLines.filter((l) => l !== first).slice(0, 3).map(libxlSays);
    const what = outcome.kind === 'success' && said === undefined ? `${p.toolstack.kind} migrate exited ${String(outcome.exitCode)} saying nothing, yet ${p.host} still lists it${inLog}` : `${outcome.kind}: ${why}`;
    const told = [what, ...(outcome.meaning === undefined ? [] : [outcome.meaning]), ...detail].join('; ');
    return { code: 'XH_ERR_MIGRATION_FAILED', message: `${plan.name} was not migrated to ${plan.to} (${told}); it still runs on ${p.host}, the ledger is unchanged` };
  }
  if (verdict.kind === 'alarm') {
    return { code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: migration of ${plan.name} to ${plan.to} ended undefined (${outcome.kind}: ${why}) and ${verdict.why} (${presence(p.host, atSource)}, ${presence(plan.to, atTarget)}); nothing recorded, check both hosts by hand` };
  }
  return null;
}

/** What a Dom0's list said of the domU, for a person to read in the ALARM: null is a list not read or not asked for. */
const presence = (host: string, there: boolean | null): string => (there === null ? `${host}: unknown` : there ? `${host} lists it` : `${host} does not list it`);

/** After the peer's migrate2 (reverse): is it here, and is the peer done with it? */
async function verifyReturn(p: MigrationPorts, plan: MigrationPlan, peer: string, run: Run): Promise<XhError | null> {
  const a = run.peer;
  if (!a) return { code: 'XH_ERR_INTERNAL', message: 'verify before ask-peer in the plan' };
  const here = await presentHere(p, plan.name);
  const there = askPeerWhere(here, a.answer.exitCode) ? await runsOnPeer(p, peer, plan.name) : null;
  const v = reverseVerdict({ name: plan.name, host: p.host, peer, here, there, exitCode: a.answer.exitCode, result: a.result, stderr: a.answer.stderr, cut: a.answer.cut, dropped: a.answer.dropped });
  if (v.kind === 'failed') return v.error;
  if (v.warning) run.warnings.push(v.warning);
  return null;
}
