import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { planReverse } from '../decide/migration-plan.js';
import { refusalOf } from '../decide/preflight.js';
import { openHost } from '../migrate/context.js';
import { readMigrationFacts } from '../migrate/facts.js';
import { executePlan } from '../migrate/plan-executor.js';
import { runPreflight } from '../migrate/preflight-run.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { BIN, fail, parseCommon } from './common.js';
import { renderPlan } from './plan-render.js';
import { AGENT_COMMAND_HELP } from './help.js';

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseCommon(argv, [{ name: 'dry-run', takesValue: false }], 1, 1, 'reverse NAME');
  if (!a.ok) return fail(a.error, io, false);
  const name = a.value.positionals[0] as string;
  const json = a.value.json;
  if (!DOMU_NAME_RE.test(name)) return fail({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(name)} is not a domU name` }, io, json);
  const ctx = await openHost(io, a.value.config, 'xenherd-agent reverse');
  if (!ctx.ok) return fail(ctx.error, io, json);
  const ports = processMigrationPorts(ctx.value);
  const facts = await readMigrationFacts(ports, name);
  if (!facts.ok) return fail(facts.error, io, json);
  const plan = planReverse(facts.value, name);
  if (!plan.ok) return fail(plan.error, io, json);
  if (a.value.options['dry-run'] === true) {
    const pf = plan.value.steps.find((s) => s.do === 'preflight');
    const checked = pf && pf.do === 'preflight' ? await runPreflight(ports, name, pf.checks) : null;
    if (checked && 'code' in checked) return fail(checked, io, json);
    const refusal = checked ? refusalOf(checked.verdicts) : null;
    if (json) io.stdout(jsonLine({ ok: refusal === null, dryRun: true, plan: plan.value, preflight: checked?.verdicts ?? [], refusal }));
    else io.stdout(renderPlan(plan.value, checked?.verdicts ?? []));
    return refusal ? fail(refusal, io, false) : 0;
  }
  const say = (line: string): void => (json ? io.stderr(`${printable(line)}\n`) : io.stdout(`${printable(line)}\n`));
  const done = await executePlan(ports, plan.value, say);
  if (!done.ok) return fail(done.error, io, json);
  const p = plan.value;
  const r = done.value.peerResult;
  for (const w of done.value.warnings) io.stderr(`${BIN}: warning: ${printable(w)}\n`);
  if (json) io.stdout(jsonLine({ ok: true, domu: name, from: p.from, to: p.to, message: r?.message ?? '', warnings: done.value.warnings }));
  else {
    const peerSaid = r ? `ok ${r.message}${r.operationId ? ` (operation ${r.operationId})` : ''}` : '(no result line)';
    io.stdout(`${printable(`${p.from}: ${peerSaid}`)}\n${printable(done.value.message)}\nSuccess.\n`);
  }
  return 0;
}

export const reverseCommand: Command = { ...AGENT_COMMAND_HELP.reverse, run };
