import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { planColdStart, type ColdStartPlan, type ColdStartRequest } from '../decide/cold-move-plan.js';
import { without, withVisitor } from '../state/ledger.js';
import { readColdStartFacts } from './cold-facts.js';
import type { MigrationPorts } from './ports.js';
import { whileWaiting } from './progress-ticker.js';

/**
 * The second half of a cold move, on the target: hold NAME, decide on fresh reads (xl list, the
 * DRBD roles now) with the guarded-autostart rules — a peer Primary, an unknown or disconnected
 * peer refuse, a deferral is a refusal — then `xl create` from this host's own config, check xl
 * list shows it, and record it (a visitor here, or home again). A failed create demotes the
 * resources again: the toolstack's block script may have promoted them before it failed.
 */
export interface ColdStartDone {
  readonly plan: ColdStartPlan;
  readonly message: string;
}

export async function runColdStart(p: MigrationPorts, r: ColdStartRequest, progress: (line: string) => void): Promise<Result<ColdStartDone, XhError>> {
  const held = await p.hold(r.name, 'move-start', r.operationId);
  if (!held.ok) return held;
  try {
    const facts = await readColdStartFacts(p, r.name);
    if (!facts.ok) return facts;
    const plan = planColdStart(facts.value, r);
    if (!plan.ok) return plan;
    return await createAndRecord(p, plan.value, progress);
  } finally {
    held.value.release();
  }
}

async function createAndRecord(p: MigrationPorts, plan: ColdStartPlan, progress: (line: string) => void): Promise<Result<ColdStartDone, XhError>> {
  const { name } = plan;
  progress(`starting ${name} on ${p.host} from ${plan.configPath} (cold move from ${plan.from}, operation ${plan.operationId})`);
  const created = await whileWaiting(p.clock, (s) => progress(`waiting for ${p.toolstack.kind} create ${name} (${s} s)`), p.toolstack.create(plan.configPath));
  const row = created.ok ? await p.toolstack.listOne(name) : null;
  const running = row?.ok === true && row.value !== null && row.value.domid !== null && row.value.state !== 'dying' && row.value.state !== 'shutdown';
  if (!running) {
    const why = !created.ok ? created.error.message : `${p.toolstack.kind} create exited 0 but xl list does not show ${name} running`;
    const demote = await demoteAll(p, plan.resources);
    return err({ code: created.ok ? 'XH_ERR_TOOL_FAILED' : created.error.code, message: `${name} was not started on ${p.host}: ${why}; ${demote}` });
  }
  const since = new Date(p.clock.now()).toISOString();
  const rec = plan.record;
  const w = await p.store.update((l) => (rec.kind === 'visitor' ? withVisitor(without(l, name), name, { home: rec.home, since, operationId: plan.operationId }) : Object.hasOwn(l.away, name) || Object.hasOwn(l.visitors, name) ? without(l, name) : null));
  await p.nudge(`cold start of ${name} here, moved from ${plan.from} (operation ${plan.operationId})`);
  if (!w.ok) return err({ code: 'XH_ERR_MIGRATION_PARTIAL', message: `${name} runs on ${p.host} now, but the ledger could not record it (${w.error.message}): \`xenherd-agent reconcile ${name}\` here` });
  const recorded = rec.kind === 'visitor' ? `recorded as a visitor from ${rec.home}` : 'home again, its away record ended';
  return ok({ plan, message: `${name} started on ${p.host} from ${plan.configPath} (cold move from ${plan.from}); ${recorded}` });
}

/** Every resource back to Secondary; what could not be demoted is said, not hidden. */
async function demoteAll(p: MigrationPorts, resources: readonly string[]): Promise<string> {
  if (resources.length === 0) return 'no DRBD resources to demote';
  const failed: string[] = [];
  for (const r of resources) {
    const s = await p.drbd.secondary(r);
    if (!s.ok) failed.push(`${r}: ${s.error.message}`);
  }
  return failed.length === 0 ? `${resources.join(', ')} demoted to Secondary again` : `could NOT demote ${failed.join('; ')}: check with drbdadm status before anything starts it`;
}
