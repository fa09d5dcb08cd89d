import type { JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { describeArrival, type Arrival } from './arrival.js';
import type { UnitState } from './agent-units.js';

/** What the controller check measured (controller-checks.ts), and its log lines. */
export interface MoveFigure {
  label: string;
  exitCode: number | null;
  /** host clock around the xenherdctl command */
  durationS: number;
  /** the controller's own figure: elapsedMs of the move's last event */
  moveS: number | null;
  /** migration attempts the job made (a retry is a spontaneous failure) */
  attempts: number;
  ok: boolean;
  provoked: boolean;
  /** the controller heard nothing for migrations.stuckAfterSeconds and settled the move by asking both agents */
  settled: boolean;
}

export interface ControllerFigures {
  agentStartS: Record<string, number | null>;
  /** agents started -> both listed reachable with a first report */
  firstReportS: number | null;
  moves: MoveFigure[];
  arrivals: { label: string; to: string; a: Arrival }[];
  units: UnitState[];
  controllerExit: number | null;
}

export function describeEvent(e: JobEvent): string {
  switch (e.type) {
    case 'move':
      return `move ${e.name} ${e.from}->${e.to} ${e.phase} (attempt ${e.attempt}, ${(e.elapsedMs / 1000).toFixed(1)} s)${e.line ? `: ${e.line}` : ''}`;
    case 'host':
      return `host ${e.host}: ${e.maintenance.state}`;
    case 'plan':
      return `plan: ${JSON.stringify(e.plan).slice(0, 400)}`;
    default:
      return JSON.stringify(e).slice(0, 400);
  }
}

export function describeControllerFigures(f: ControllerFigures): string[] {
  const s = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : `${x.toFixed(1)} s`);
  return [
    `controller: agent unit start -> READY=1: ${Object.entries(f.agentStartS).map(([h, x]) => `${h} ${s(x)}`).join(', ')}; both reported to the controller ${s(f.firstReportS)} after the starts began; agent restarts: ${f.units.map((u) => `${u.host} ${u.restarts}`).join(', ') || 'n/a'}; controller exit ${String(f.controllerExit)}`,
    `controller: moves: ${f.moves.map((m) => `${m.label}: ${m.ok ? 'ok' : `exit ${String(m.exitCode)}`} in ${s(m.durationS)} (xenherdctl${m.moveS !== null ? `; the controller's move ${s(m.moveS)}` : ''}${m.attempts > 1 ? `; ${m.attempts} attempts` : ''}${m.settled ? '; settled after migrations.stuckAfterSeconds of silence' : ''})`).join('; ') || 'none'}`,
    ...f.arrivals.map((x) => `controller: ${describeArrival(x.label, x.to, x.a)}`),
  ];
}
