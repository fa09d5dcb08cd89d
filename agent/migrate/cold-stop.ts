import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { planColdStop, type ColdStopPlan, type ColdStopRequest } from '../decide/cold-move-plan.js';
import { without, withAway, withVisitor, type Ledger } from '../state/ledger.js';
import { readColdStopFacts } from './cold-facts.js';
import { presentHere } from './plan-executor.js';
import type { MigrationPorts } from './ports.js';
import { whileWaiting } from './progress-ticker.js';

/**
 * The first half of a cold move, on the Dom0 running NAME: hold it, record in the ledger that it
 * leaves for the target (so nothing here starts it again), `xl shutdown -w` bounded, then demote
 * each of its DRBD resources so the target may promote them. A shutdown that fails or times out
 * while NAME still runs undoes the ledger change: NAME is then exactly where and as it was.
 */
export interface ColdStopDone {
  readonly plan: ColdStopPlan;
  readonly message: string;
}

type Entries = Pick<Ledger, 'away' | 'visitors'>;

export async function runColdStop(p: MigrationPorts, r: ColdStopRequest, progress: (line: string) => void): Promise<Result<ColdStopDone, XhError>> {
  const held = await p.hold(r.name, 'move-stop', r.operationId);
  if (!held.ok) return held;
  try {
    const facts = await readColdStopFacts(p, r.name);
    if (!facts.ok) return facts;
    const plan = planColdStop(facts.value, r);
    if (!plan.ok) return plan;
    return await stopAndDemote(p, plan.value, progress);
  } finally {
    held.value.release();
  }
}

async function stopAndDemote(p: MigrationPorts, plan: ColdStopPlan, progress: (line: string) => void): Promise<Result<ColdStopDone, XhError>> {
  const { name } = plan;
  let before: Entries = { away: {}, visitors: {} };
  const since = new Date(p.clock.now()).toISOString();
  const c = plan.change;
  const recorded = await p.store.update((l) => {
    const away = Object.hasOwn(l.away, name) ? l.away[name] : undefined;
    const visitor = Object.hasOwn(l.visitors, name) ? l.visitors[name] : undefined;
    before = { away: away ? { [name]: away } : {}, visitors: visitor ? { [name]: visitor } : {} };
    if (c.kind === 'away') return withAway(without(l, name), name, { home: p.host, currentHost: c.currentHost, since, operationId: plan.operationId, reason: c.reason });
    return away || visitor ? without(l, name) : null;
  });
  if (!recorded.ok) return err({ code: recorded.error.code, message: `${name} was not shut down: the ledger could not be written: ${recorded.error.message}` });
  await p.nudge(`cold move of ${name} to ${plan.to} recorded before its shutdown (operation ${plan.operationId})`);
  const secs = Math.round(plan.shutdownWaitMs / 1000);
  progress(`shutting ${name} down on ${p.host} for a cold move to ${plan.to} (operation ${plan.operationId}; xl shutdown -w, at most ${secs} s)`);
  const down = await whileWaiting(p.clock, (s) => progress(`waiting for ${name} to shut down (${s} s)`), p.toolstack.shutdown(name, { wait: true, timeoutMs: plan.shutdownWaitMs }));
  const listed = await presentHere(p, name);
  if (!down.ok || listed === true) {
    if (listed !== false) return err(await undone(p, name, before, down.ok ? { code: 'XH_ERR_TOOL_FAILED', message: `${p.toolstack.kind} shutdown -w ${name} exited 0 but xl list still shows it` } : down.error));
    progress(`${down.ok ? '' : `${down.error.message}; `}${name} is gone from xl list`);
  }
  const stuck: string[] = [];
  for (const res of plan.resources) {
    const s = await p.drbd.secondary(res);
    if (!s.ok) progress(`drbdadm secondary ${res}: ${s.error.message}`);
    const v = await p.drbd.readResource(res);
    const role = v.ok ? (v.value.up ? v.value.role : 'Secondary') : null;
    if (role !== 'Secondary') stuck.push(`${res} (${v.ok ? `role ${role ?? 'unknown'}` : v.error.message})`);
  }
  await p.nudge(`${name} shut down for its cold move to ${plan.to} (operation ${plan.operationId})`);
  if (stuck.length > 0) {
    return err({ code: 'XH_ERR_MIGRATION_PARTIAL', message: `${name} is shut down on ${p.host}, but ${stuck.join(', ')} is not Secondary here: ${plan.to} cannot take over its disks; demote by hand (drbdadm secondary) before starting ${name} anywhere` });
  }
  const demoted = plan.resources.length > 0 ? `; ${plan.resources.join(', ')} Secondary here` : '';
  return ok({ plan, message: `${name} is shut down on ${p.host}${demoted}; ready to start on ${plan.to}` });
}

/** NAME still runs: its ledger entries back as they were, and the failure said as it is. */
async function undone(p: MigrationPorts, name: string, before: Entries, failure: XhError): Promise<XhError> {
  const back = await p.store.update((l) => {
    let n = without(l, name);
    const a = Object.hasOwn(before.away, name) ? before.away[name] : undefined;
    const v = Object.hasOwn(before.visitors, name) ? before.visitors[name] : undefined;
    if (a) n = withAway(n, name, a);
    if (v) n = withVisitor(n, name, v);
    return n;
  });
  await p.nudge(`${name} still runs here: its cold move's ledger change undone`);
  const ledger = back.ok ? 'the ledger change is undone' : `the ledger change could NOT be undone (${back.error.message}): \`xenherd-agent reconcile ${name}\` here`;
  return { code: failure.code, message: `${name} still runs on ${p.host} (${failure.message}); ${ledger}` };
}
