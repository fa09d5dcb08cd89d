import type { CommandMessage } from '../../shared/protocol/agent-link.js';
import type { RefusedAgent } from '../fleet/refused-agents.js';
import type { Alert, StatusVerdict } from '../../shared/protocol/ctl-api.js';
import { DEFAULT_CHECK_THRESHOLDS, type CheckAnswer, type CheckThresholds } from '../../shared/protocol/ctl-check.js';
import { checkFleet } from '../fleet/fleet-check.js';
import { downForLostRecord, downGuarded } from '../fleet/down-guarded.js';
import { fleetCounts, type FleetCounts } from '../fleet/fleet-counts.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import type { Enrolment } from '../fleet/enrolment.js';
import type { Freshness } from '../fleet/host-record.js';
import { certificateLeftMs, type ServerCertificate } from '../fleet/server-certificate.js';
import type { JobProgress } from '../jobs/job-tally.js';
import type { FinishedJob } from '../../shared/protocol/ctl-jobs.js';
import { DurationHistogram, type HistogramSnapshot } from './duration-histogram.js';
import type { CommandObserver } from './pending-commands.js';

/** What the monitor reads of the controller core. */
export interface MonitorDeps {
  readonly index: FleetIndex;
  /** the current alerts, looked for again first */
  readonly alerts: () => Alert[];
  readonly fresh: () => Freshness;
  /** agent links that said hello and are open */
  readonly liveLinks: () => number;
  readonly inFlightOps: () => CommandMessage['op'][];
  readonly jobs: () => JobProgress[];
  /** the jobs this controller ran that ended, newest first (a host a failed drain left draining is said at once) */
  readonly finished?: () => readonly FinishedJob[];
  /** the enrolled hosts and which have not reported (enrolled-hosts.ts); undefined when not known */
  readonly enrolment?: () => Enrolment | undefined;
  /** the certificate serve presents (absent without TLS), judged on the core's clock */
  readonly certificate?: ServerCertificate;
  /** the hosts whose agent links are refused for their token (refused-agents.ts) */
  readonly refused?: (host: string) => RefusedAgent | undefined;
}

/** Everything GET /metrics exposes about the controller and its fleet. */
export interface ControllerMetrics extends FleetCounts {
  readonly at: number;
  readonly agentsConnected: number;
  /** migrate and reverse commands sent to agents and not finished */
  readonly migrationsInFlight: number;
  /** finished migrate and reverse commands, by outcome */
  readonly migrationDurations: { readonly ok: HistogramSnapshot; readonly failed: HistogramSnapshot };
  readonly jobs: readonly JobProgress[];
  readonly snapshotsReceived: number;
  readonly deltasReceived: number;
  /** until the certificate serve presents expires (negative: since it did); null without TLS */
  readonly certificateLeftMs: number | null;
  /** guarded domUs known down: check's CRITICAL down-guarded lines (its domus_down, status's `down`) and those a lost boot record keeps down */
  readonly domusDown: number;
}

const MIGRATIONS = new Set<CommandMessage['op']>(['migrate', 'reverse']);

/**
 * The controller's monitoring: the Nagios verdict over the fleet view, the numbers Prometheus
 * scrapes, and the counters behind them (what agents sent, how long migrations took: from the
 * moment the controller sent one until the agent's result, whoever asked for it: an operator's
 * `migrate` or a job's move).
 */
export class FleetMonitor {
  private snapshots = 0;
  private deltas = 0;
  private readonly durations = { ok: new DurationHistogram(), failed: new DurationHistogram() };

  constructor(private readonly d: MonitorDeps) {}

  check(t: CheckThresholds): CheckAnswer {
    return checkFleet(this.d.index, this.d.alerts(), this.d.fresh(), t, this.jobHosts(), this.d.enrolment?.(), this.d.certificate, this.d.refused, this.d.finished?.() ?? []);
  }

  /** The Dom0s a job of this controller works on: what happens to their domUs is the job's. */
  private jobHosts(): Set<string> {
    return new Set(this.d.jobs().flatMap((j) => j.hosts));
  }

  /** The verdict status carries: check's at its default thresholds, without the perfdata. */
  statusVerdict(): StatusVerdict {
    return this.statusOfFleet().verdict;
  }

  /** statusVerdict, with the guarded domUs that verdict counts down (its domus_down), which status says beside it. */
  statusOfFleet(): { readonly verdict: StatusVerdict; readonly down: number } {
    const { status, summary, details, perfdata } = this.check(DEFAULT_CHECK_THRESHOLDS);
    return { verdict: { status, summary, details }, down: perfdata.find((p) => p.label === 'domus_down')?.value ?? 0 };
  }

  metrics(): ControllerMetrics {
    const fresh = this.d.fresh();
    return {
      ...fleetCounts(this.d.index, this.d.alerts(), fresh),
      at: fresh.now,
      agentsConnected: this.d.liveLinks(),
      migrationsInFlight: this.d.inFlightOps().filter((op) => MIGRATIONS.has(op)).length,
      migrationDurations: { ok: this.durations.ok.snapshot(), failed: this.durations.failed.snapshot() },
      jobs: this.d.jobs(),
      snapshotsReceived: this.snapshots,
      deltasReceived: this.deltas,
      certificateLeftMs: this.d.certificate === undefined ? null : certificateLeftMs(this.d.certificate, fresh.now),
      // by check's own rules, so a graph and the pager never disagree; one a Dom0 unheard may run is not known down
      domusDown: downGuarded(this.d.index, fresh, this.jobHosts()).filter((p) => p.status === 'CRITICAL').length + downForLostRecord(this.d.index, fresh, this.jobHosts()).length,
    };
  }

  /** An agent's state message arrived (counted before the core looks at it). */
  received(type: 'snapshot' | 'delta'): void {
    if (type === 'snapshot') this.snapshots++;
    else this.deltas++;
  }

  readonly commandFinished: CommandObserver = (command, outcome, elapsedMs) => {
    if (MIGRATIONS.has(command.op)) this.durations[outcome.ok ? 'ok' : 'failed'].observe(elapsedMs);
  };
}
