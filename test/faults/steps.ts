import { seededRandom } from '../../shared/random.js';
import type { FaultFleet } from './fault-fleet.js';

/**
 * One step of a fault run: something an operator asks, or something that goes wrong. A run is a
 * list of steps drawn from a seed, each followed by `waitMs` of simulated time; the same seed
 * always gives the same run. A step that names a host or resource to heal (power-on,
 * agent-restart, drbd-connect) heals one that needs it when the one named does not.
 */
export type Step = (
  /** to the other Dom0 holding its disks, from wherever it runs then */
  | { readonly kind: 'migrate'; readonly name: string }
  | { readonly kind: 'reverse'; readonly name: string }
  | { readonly kind: 'drain'; readonly host: string; readonly coldFallback: boolean }
  | { readonly kind: 'restore'; readonly host: string }
  | { readonly kind: 'rebalance' }
  | { readonly kind: 'force-start'; readonly name: string }
  | { readonly kind: 'power-off'; readonly host: string }
  | { readonly kind: 'power-on'; readonly host: string }
  | { readonly kind: 'agent-crash'; readonly host: string }
  | { readonly kind: 'agent-restart'; readonly host: string }
  | { readonly kind: 'controller-crash' }
  | { readonly kind: 'controller-restart' }
  | { readonly kind: 'link-cut'; readonly host: string }
  | { readonly kind: 'drbd-disconnect'; readonly resource: string }
  | { readonly kind: 'drbd-connect'; readonly resource: string }
  | { readonly kind: 'split-brain'; readonly resource: string }
  | { readonly kind: 'migration-fault'; readonly name: string; readonly phase: 'before' | 'target' | 'handshake' }
  | { readonly kind: 'tool-fault'; readonly host: string; readonly tool: 'xl' | 'drbdadm'; readonly fault: 'hang' | 'slow' | 'garbage' }
  | { readonly kind: 'clear-tool-faults' }
) & { readonly waitMs: number };

export type StepKind = Step['kind'];

/** How often each kind is drawn: operator commands and faults about evenly. */
const WEIGHTS: Readonly<Record<StepKind, number>> = {
  migrate: 4,
  reverse: 3,
  drain: 3,
  restore: 3,
  rebalance: 1,
  'force-start': 1,
  'power-off': 2,
  'power-on': 3,
  'agent-crash': 2,
  'agent-restart': 3,
  'controller-crash': 1,
  'controller-restart': 2,
  'link-cut': 2,
  'drbd-disconnect': 2,
  'drbd-connect': 3,
  'split-brain': 1,
  'migration-fault': 2,
  'tool-fault': 1,
  'clear-tool-faults': 2,
};

export function drawSteps(seed: number, fleet: FaultFleet, count: number): Step[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const kinds = Object.entries(WEIGHTS) as [StepKind, number][];
  const total = kinds.reduce((a, [, w]) => a + w, 0);
  const drawKind = (): StepKind => {
    let x = rnd() * total;
    for (const [k, w] of kinds) if ((x -= w) < 0) return k;
    return 'migrate';
  };
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    const d = pick(fleet.domus);
    const host = pick(fleet.hosts);
    // most steps come close together (faults during operations), some after things settle
    const waitMs = rnd() < 0.7 ? Math.floor(rnd() * 5_000) : 10_000 + Math.floor(rnd() * 60_000);
    const kind = drawKind();
    switch (kind) {
      case 'migrate':
      case 'reverse':
      case 'force-start':
        steps.push({ kind, name: d.name, waitMs });
        break;
      case 'migration-fault':
        steps.push({ kind, name: d.name, phase: pick(['before', 'target', 'handshake'] as const), waitMs });
        break;
      case 'drain':
        steps.push({ kind, host, coldFallback: rnd() < 0.5, waitMs });
        break;
      case 'restore':
      case 'power-off':
      case 'power-on':
      case 'agent-crash':
      case 'agent-restart':
      case 'link-cut':
        steps.push({ kind, host, waitMs });
        break;
      case 'drbd-disconnect':
      case 'drbd-connect':
      case 'split-brain':
        steps.push({ kind, resource: d.resource, waitMs });
        break;
      case 'tool-fault':
        steps.push({ kind, host, tool: pick(['xl', 'drbdadm'] as const), fault: pick(['hang', 'slow', 'garbage'] as const), waitMs });
        break;
      default:
        steps.push({ kind, waitMs });
    }
  }
  return steps;
}

/** One line per step, for traces and replays. */
export function describeStep(s: Step): string {
  const { kind, waitMs, ...rest } = s;
  const args = Object.values(rest).map(String).join(' ');
  return `${kind}${args ? ` ${args}` : ''} (then ${(waitMs / 1000).toFixed(1)} s)`;
}
