import { planMigrate, planReverse, type MigrationPlan, type MoveReason } from '../../agent/decide/migration-plan.js';
import { readMigrationFacts } from '../../agent/migrate/facts.js';
import { executePlan, type PlanDone } from '../../agent/migrate/plan-executor.js';
import type { MigrationPorts } from '../../agent/migrate/ports.js';
import { withAway } from '../../agent/state/ledger.js';
import type { XhError } from '../../shared/errors.js';
import type { Result } from '../../shared/result.js';
import { drive } from './drive.js';
import { startFleet, type Fleet } from './fleet.js';
import { pairFleet, XL_417 } from './pair-fleet.js';
import { simMigrationPorts } from './migration-on-sim.js';

/**
 * pairFleet with web1 running on xen2, xen1's ledger recording it away there (moved by hand): a
 * reverse's starting point. XEN1 and XEN2: each Dom0's toolstack and release.
 */
export async function awayOnXen2(xen1 = XL_417, xen2 = XL_417): Promise<Fleet> {
  const f = await startFleet(pairFleet({ xen1, xen2, running: 'xen2' }));
  const away = { home: 'xen1', currentHost: 'xen2', since: '2026-12-06T00:00:00.000Z', operationId: 'op-by-hand', reason: 'manual' as const };
  const w = await simMigrationPorts({ sim: f.sim }, 'xen1').store.update((l) => withAway(l, 'web1', away));
  if (!w.ok) throw new Error(w.error.message);
  return f;
}

/** What `xenherd-agent migrate` or `reverse` is asked, as its CLI would pass it to the plan. */
export interface MoveAsk {
  /** default migrate */
  readonly kind?: 'migrate' | 'reverse';
  /** default web1 */
  readonly name?: string;
  /** migrate's HOST (default: none given, the plan finds it) */
  readonly target?: string | null;
  readonly reason?: MoveReason;
  /** default the ports' next (op-HOST-N) */
  readonly operationId?: string;
  readonly noPeer?: boolean;
}

/** The plan for ASK from the facts read through P, or why none is made. */
export async function planMove(p: MigrationPorts, ask: MoveAsk = {}): Promise<Result<MigrationPlan, XhError>> {
  const name = ask.name ?? 'web1';
  const facts = await readMigrationFacts(p, name);
  if (!facts.ok) return facts;
  if (ask.kind === 'reverse') return planReverse(facts.value, name);
  return planMigrate(facts.value, { name, target: ask.target ?? null, reason: ask.reason ?? 'manual', operationId: ask.operationId ?? p.newOperationId(), noPeer: ask.noPeer ?? false });
}

/** planMove's plan, which the test needs made: a test of what a run does fails here, saying why there was none. */
export async function mustPlan(p: MigrationPorts, ask: MoveAsk = {}): Promise<MigrationPlan> {
  const plan = await planMove(p, ask);
  if (!plan.ok) throw new Error(`no plan for ${ask.kind ?? 'migrate'} ${ask.name ?? 'web1'}: ${plan.error.code}: ${plan.error.message}`);
  return plan.value;
}

export interface MoveRun {
  readonly result: Result<PlanDone, XhError>;
  /** the progress lines, in order */
  readonly progress: string[];
}

/** PLAN run by the plan executor through P on F's clock to its end; ON_LINE sees each progress line as it comes. */
export async function runPlan(f: Fleet, p: MigrationPorts, plan: MigrationPlan, onLine: (line: string) => void = () => undefined): Promise<MoveRun> {
  const progress: string[] = [];
  const result = await drive(f, executePlan(p, plan, (l) => (progress.push(l), onLine(l))));
  return { result, progress };
}

/** ASK planned (mustPlan) and run (runPlan): a migrate or reverse by hand, no controller. */
export async function runMove(f: Fleet, p: MigrationPorts, ask: MoveAsk = {}, onLine?: (line: string) => void): Promise<MoveRun> {
  return runPlan(f, p, await mustPlan(p, ask), onLine);
}
