import { drbdViewFor } from '../model/drbd-view.js';
import type { MigrationFaultPhase } from '../model/types.js';
import { startSim, type RunningTool, type Sim, type ToolRunResult } from '../sim.js';
import { parseScenario } from './parse.js';
import { summarize } from './summary.js';

export interface ScenarioOutcome {
  /** the expected-log text */
  readonly log: string;
  /** failed expectations and invariant violations; empty when the scenario passed */
  readonly failures: readonly string[];
}

const AUTO_STEP_MS = 100;
const AUTO_LIMIT_MS = 10 * 60_000;

async function finish(sim: Sim, t: RunningTool): Promise<ToolRunResult> {
  let settled: ToolRunResult | null = null;
  void t.done.then((r) => (settled = r));
  await sim.advance(0);
  for (let waited = 0; settled === null && waited < AUTO_LIMIT_MS; waited += AUTO_STEP_MS) await sim.advance(AUTO_STEP_MS);
  if (settled === null) {
    t.kill();
    return t.done;
  }
  return settled;
}

const indent = (prefix: string, text: string): string => (text ? text.replace(/\n$/, '').split('\n').map((l) => `${prefix}${l}`).join('\n') + '\n' : '');

/** Runs a scenario with the deterministic clock and returns its log (for the golden file). */
export async function runScenario(text: string): Promise<ScenarioOutcome> {
  const sc = parseScenario(text);
  const sim = await startSim({ fleet: sc.fleet, clock: 'deterministic' });
  const t0 = sim.state().now;
  const failures: string[] = [];
  const spawned = new Map<string, RunningTool>();
  let last: ToolRunResult | null = null;
  let log = `# fleet\n${summarize(sim.state()).map((l) => `  ${l}`).join('\n')}\n`;
  let seenViolations = 0;
  const fail = (line: number, why: string): void => {
    failures.push(`line ${line}: ${why}`);
    log += `  FAILED: ${why}\n`;
  };
  const showRun = (r: ToolRunResult): void => {
    log += `  exit ${r.exitCode}\n${indent('  | ', r.stdout)}${indent('  ! ', r.stderr)}`;
  };
  try {
    for (const c of sc.commands) {
      const at = ((sim.state().now - t0) / 1000).toFixed(3);
      log += `[+${at}s] ${c.text}\n`;
      const w = c.words;
      const res = (r: { ok: boolean }): void => { if (!r.ok) fail(c.line, `${c.text}: refused (${JSON.stringify(r)})`); };
      switch (w[0]) {
        case 'power': res(sim.power(w[1]!, w[2] === 'on' ? 'on' : 'off')); log += indent('  = ', summarize(sim.state()).join('\n')); break;
        case 'drbd': res(sim.drbd(w[1]!, w[2] as 'disconnect' | 'connect' | 'split-brain')); log += indent('  = ', summarize(sim.state()).join('\n')); break;
        case 'delay': await sim.advance(Number(w[1]) * 1000); log += indent('  = ', summarize(sim.state()).join('\n')); break;
        case 'state': log += indent('  = ', summarize(sim.state()).join('\n')); break;
        case 'run': last = await finish(sim, sim.start(w[1]!, w[2]!, w.slice(3))); showRun(last); break;
        case 'spawn': spawned.set(w[1]!, sim.start(w[2]!, w[3]!, w.slice(4))); await sim.advance(0); break;
        case 'wait': {
          const t = spawned.get(w[1]!);
          if (!t) { fail(c.line, `no spawned tool ${w[1]}`); break; }
          last = await finish(sim, t);
          showRun(last);
          break;
        }
        case 'fault':
          if (w[1] === 'migrate') sim.migrationFault(w[2]!, w[3] as MigrationFaultPhase);
          else if (w[1] === 'tool') {
            const kind = w[4];
            sim.toolFault(w[2]!, w[3]!, kind === 'hang' ? { kind: 'hang' } : kind === 'slow' ? { kind: 'slow', ms: Number(w[5]) } : { kind: 'garbage', text: `${w.slice(5).join(' ')}\n` });
          } else fail(c.line, `unknown fault ${w[1]}`);
          break;
        case 'expect': {
          const s = sim.state();
          if (w[1] === 'domu') {
            const hosts = s.domains.filter((d) => d.name === w[2]).map((d) => d.host).sort();
            const want = w[3] === 'nowhere' ? [] : [w[4]!];
            if (JSON.stringify(hosts) !== JSON.stringify(want)) fail(c.line, `domu ${w[2]} is on [${hosts.join(',')}], expected [${want.join(',')}]`);
          } else if (w[1] === 'drbd') {
            const r = drbdViewFor(s, w[3]!)?.resources.find((x) => x.name === w[2]);
            const got = r ? `${r.role}/${r.peerRole} ${r.cstate}` : 'down';
            if (got !== w.slice(4).join(' ')) fail(c.line, `drbd ${w[2]} on ${w[3]} is "${got}"`);
          } else if (w[1] === 'exit') {
            if (last?.exitCode !== Number(w[2])) fail(c.line, `last exit code was ${last?.exitCode}`);
          } else if (w[1] === 'output') {
            const want = w.slice(2).join(' ');
            if (!`${last?.stdout ?? ''}${last?.stderr ?? ''}`.includes(want)) fail(c.line, `last output lacks "${want}"`);
          } else fail(c.line, `unknown expectation ${w[1]}`);
          break;
        }
        default:
          fail(c.line, `unknown command ${w[0]}`);
      }
      for (const v of sim.violations.slice(seenViolations)) {
        for (const p of v.problems) {
          failures.push(`line ${c.line}: invariant: ${p}`);
          log += `  INVARIANT VIOLATED: ${p}\n`;
        }
      }
      seenViolations = sim.violations.length;
    }
  } finally {
    for (const t of spawned.values()) t.kill();
    await sim.stop();
  }
  return { log, failures };
}
