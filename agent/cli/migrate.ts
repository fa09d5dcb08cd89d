import * as z from 'zod';
import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { DOMU_NAME_RE, hostNameProblem } from '../../shared/names.js';
import { OPERATION_ID_RE } from '../../shared/protocol/agent-link-values.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { planMigrate } from '../decide/migration-plan.js';
import { refusalOf } from '../decide/preflight.js';
import { openHost } from '../migrate/context.js';
import { readMigrationFacts } from '../migrate/facts.js';
import { executePlan } from '../migrate/plan-executor.js';
import { runPreflight } from '../migrate/preflight-run.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { fail, parseCommon } from './common.js';
import { renderPlan } from './plan-render.js';
import { AGENT_COMMAND_HELP } from './help.js';

/** what a move is for; `reverse` is the reverse command's own word, never given here */
const ReasonSchema = z.enum(['manual', 'drain', 'rebalance', 'restore']);

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'reason', takesValue: true }, { name: 'no-peer', takesValue: false }, { name: 'dry-run', takesValue: false }, { name: 'operation-id', takesValue: true }], 1, 2, 'migrate NAME [HOST]');
  if (!a.ok) return fail(a.error, io, false);
  const [name, hostArg] = a.value.positionals as [string, string | undefined];
  const json = a.value.json;
  if (!DOMU_NAME_RE.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(name)} is not a domU name` }, io, json);
  const badHost = hostArg === undefined ? null : hostNameProblem(hostArg);
  if (badHost !== null) return fail({ code: 'XH_ERR_USAGE', message: badHost }, io, json);
  const reason = ReasonSchema.safeParse(a.value.options['reason'] ?? 'manual');
  if (!reason.success) return fail({ code: 'XH_ERR_USAGE', message: `--reason must be one of ${ReasonSchema.options.join(', ')}, not ${JSON.stringify(a.value.options['reason'])}` }, io, json);
  const opArg = a.value.options['operation-id'];
  if (opArg !== undefined && (typeof opArg !== 'string' || !OPERATION_ID_RE.test(opArg))) return fail({ code: 'XH_ERR_USAGE', message: '--operation-id needs an id of letters, digits and . _ : - (not first), at most 100' }, io, json);
  const ctx = await openHost(io, a.value.config, 'xenherd-agent migrate');
  if (!ctx.ok) return fail(ctx.error, io, json);
  const ports = processMigrationPorts(ctx.value);
  const facts = await readMigrationFacts(ports, name);
  if (!facts.ok) return fail(facts.error, io, json);
  const plan = planMigrate(facts.value, { name, target: hostArg ?? null, reason: reason.data, operationId: typeof opArg === 'string' ? opArg : ports.newOperationId(), noPeer: a.value.options['no-peer'] === true });
  if (!plan.ok) return fail(plan.error, io, json);
  const say = (line: string): void => (json ? io.stderr(`${printable(line)}\n`) : io.stdout(`${printable(line)}\n`));
  if (a.value.options['dry-run'] === true) {
    const pf = plan.value.steps.find((s) => s.do === 'preflight');
    const checked = pf && pf.do === 'preflight' ? await runPreflight(ports, name, pf.checks) : null;
    if (checked && 'code' in checked) return fail(checked, io, json);
    const refusal = checked ? refusalOf(checked.verdicts) : null;
    if (json) io.stdout(jsonLine({ ok: refusal === null, dryRun: true, plan: plan.value, preflight: checked?.verdicts ?? [], refusal }));
    else io.stdout(renderPlan(plan.value, checked?.verdicts ?? []));
    return refusal ? fail(refusal, io, false) : 0;
  }
  for (const n of plan.value.notes) io.stderr(`${ctx.value.host}: ${printable(n)}\n`);
  const done = await executePlan(ports, plan.value, say);
  if (!done.ok) return fail(done.error, io, json);
  const p = plan.value;
  if (json) io.stdout(jsonLine({ ok: true, domu: name, from: p.from, to: p.to, operationId: p.operationId, message: done.value.message, targetConfirmed: done.value.lines.length > 0 }));
  else io.stdout(`${[done.value.message, ...done.value.lines].map(printable).join('\n')}\nSuccess.\n`);
  return 0;
}

export const migrateCommand: Command = { ...AGENT_COMMAND_HELP.migrate, run };
