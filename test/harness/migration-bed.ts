import { planMigrate, planReverse, type MigrationPlan, type MoveReason } from '../../agent/decide/migration-plan.js';
import { readMigrationFacts } from '../../agent/migrate/facts.js';
import { executePlan, type PlanDone } from '../../agent/migrate/plan-executor.js';
import type { MigrationPorts } from '../../agent/migrate/ports.js';
import { withAway } from '../../agent/state/ledger.js';
import type { XhError } from '../../shared/errors.js';
import type { Result } from '../../shared/result.js';
import { drive } from './drive.js';
import { startFleet, type Fleet } from './fleet.js';
import { simMigrationPorts } from './migration-on-sim.js';

/** A Dom0's toolstack and Xen release as the fleet file words them, when a test does not say. */
export const XL_417 = 'toolstack=xl xen=4.17.7';

export interface PairFleetOptions {
  /** every Dom0's toolstack and release (default XL_417) */
  readonly tools?: string;
  /** xen1's or xen2's own, where it differs from the others' */
  readonly xen1?: string;
  readonly xen2?: string;
  readonly drbd?: '8.4' | '9';
  /** the Dom0s keeping a migrate-tab (default both: web1's home and peer are known from it) */
  readonly migrateTab?: readonly string[];
  /** where web1 runs (default its home, xen1) */
  readonly running?: 'xen1' | 'xen2';
  /** web1's memory (default 2048) */
  readonly memMiB?: number;
  /** a third Dom0, xen3, holding no replica of r1 */
  readonly xen3?: boolean;
  /** further fleet lines (more domUs) */
  readonly more?: string;
}

/**
 * The fleet most migration tests start from: two Dom0s in a DRBD pair, web1 homed on xen1 with
 * its replica r1 on xen2 (test/sim/README.md words the fleet file).
 */
export function pairFleet(o: PairFleetOptions = {}): string {
  const tools = o.tools ?? XL_417;
  const tab = (h: string): string => ((o.migrateTab ?? ['xen1', 'xen2']).includes(h) ? ' migrate-tab=yes' : '');
  const host = (h: string, own?: string): string => `host ${h} mem=32768 cpus=8 ${own ?? tools} drbd=${o.drbd ?? '8.4'}${tab(h)}\n`;
  return (
    'option bandwidth=1024 connect-delay=0\n' +
    host('xen1', o.xen1) +
    host('xen2', o.xen2) +
    (o.xen3 === true ? host('xen3') : '') +
    `domu web1 mem=${o.memMiB ?? 2048} vcpus=2 home=xen1 peer=xen2 drbd=r1 running=${o.running ?? 'xen1'}\n` +
    (o.more ?? '')
  );
}

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
