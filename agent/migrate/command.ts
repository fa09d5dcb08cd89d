import type { CommandMessage } from '../../shared/protocol/agent-link.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import { DEFAULT_SHUTDOWN_WAIT_MS } from '../decide/cold-move-plan.js';
import { planMigrate, planReverse } from '../decide/migration-plan.js';
import { runColdStart } from './cold-start.js';
import { runColdStop } from './cold-stop.js';
import { readMigrationFacts } from './facts.js';
import { executePlan } from './plan-executor.js';
import type { MigrationPorts } from './ports.js';

/**
 * A controller's migrate, reverse, shutdown or start, run with the ports given (the CLI process's
 * own, or a test's simulator in process): what the agent reports back as the command's result.
 * A controller shuts a domU down only as a drain's cold fallback, so its away record says drain.
 * The daemon reaches this through its own CLI (`migrate`, `reverse`, `move-stop`, `move-start`).
 */
export type MigrationCommand = Extract<CommandMessage, { op: 'migrate' | 'reverse' | 'shutdown' | 'start' }>;

const failed = (e: { code: CommandOutcome['code']; message: string }): CommandOutcome => ({ ok: false, code: e.code, message: e.message, detail: null });

export async function runMigrationCommand(p: MigrationPorts, c: MigrationCommand, progress: (line: string) => void): Promise<CommandOutcome> {
  if (c.op === 'shutdown') {
    const r = await runColdStop(p, { name: c.name, target: c.target, reason: 'drain', operationId: c.operationId, shutdownWaitMs: DEFAULT_SHUTDOWN_WAIT_MS }, progress);
    return r.ok ? { ok: true, code: null, message: r.value.message, detail: JSON.stringify({ from: r.value.plan.from, to: r.value.plan.to, operationId: c.operationId }) } : failed(r.error);
  }
  if (c.op === 'start') {
    const r = await runColdStart(p, { name: c.name, from: c.from, operationId: c.operationId }, progress);
    return r.ok ? { ok: true, code: null, message: r.value.message, detail: JSON.stringify({ from: c.from, to: r.value.plan.to, operationId: c.operationId }) } : failed(r.error);
  }
  const facts = await readMigrationFacts(p, c.name);
  if (!facts.ok) return failed(facts.error);
  const plan = c.op === 'migrate' ? planMigrate(facts.value, { name: c.name, target: c.target, reason: c.reason, operationId: c.operationId, noPeer: false }) : planReverse(facts.value, c.name);
  if (!plan.ok) return failed(plan.error);
  const done = await executePlan(p, plan.value, progress);
  if (!done.ok) return failed(done.error);
  return { ok: true, code: null, message: [done.value.message, ...done.value.lines].join('; '), detail: JSON.stringify({ from: plan.value.from, to: plan.value.to, operationId: plan.value.operationId }) };
}
