import { MaintenanceSchema } from '../../shared/protocol/agent-link-state.js';
import { JobSummarySchema } from '../../shared/protocol/ctl-jobs.js';
import type { ControllerMetrics } from '../core/fleet-monitor.js';
import type { HistogramSnapshot } from '../core/duration-histogram.js';
import type { MetricFamily, Sample } from './prometheus-text.js';

/** What the controller's process measures of itself (controller/api/process-sample.ts). */
export interface ProcessSample {
  readonly memory: ProcessMemory;
  /** the event loop's 99th percentile delay since the previous scrape; null when not measured */
  readonly eventLoopLagSeconds: number | null;
  /** the garbage collector's pauses since the first scrape; null when not measured */
  readonly gcPauses: GcPauses | null;
}

/** The process's memory as Node counts it (process.memoryUsage()), in bytes. */
export interface ProcessMemory {
  /** all of it the kernel has in RAM: the heap below, what lies outside it, and the code */
  readonly resident: number;
  /** the JavaScript heap: what V8 has taken from the system for it, and what live and not yet collected objects fill */
  readonly heapTotal: number;
  readonly heapUsed: number;
  /** memory outside the heap that JavaScript objects hold (Buffers, ArrayBuffers, native strings), the next one included */
  readonly external: number;
  /** of that, Buffers' and ArrayBuffers' backing stores: socket reads, TLS records, ws frames */
  readonly arrayBuffers: number;
}

export interface GcPauses {
  readonly count: number;
  /** their total */
  readonly seconds: number;
  /** the longest since the previous scrape */
  readonly longestSeconds: number;
}

const gauge = (name: string, help: string, samples: readonly Sample[]): MetricFamily => ({ name, help, type: 'gauge', samples });
const counter = (name: string, help: string, value: number | null): MetricFamily => ({ name, help, type: 'counter', samples: value === null ? [] : [{ value }] });
const one = (value: number): Sample[] => [{ value }];
const seconds = (ms: number | null): number => (ms === null ? Number.NaN : ms / 1000);
const histogram = (labels: Record<string, string>, h: HistogramSnapshot) => ({ labels, buckets: h.buckets, sum: h.sumSeconds, count: h.count });

/**
 * The process's memory under the names Node's Prometheus client (prom-client) gives it, which stock
 * Node.js dashboards read: what is resident but neither heap nor external is native memory of
 * its own (TLS and socket state, malloc's free lists, code), which no JavaScript object accounts for.
 */
export function processMemoryFamilies(m: ProcessMemory): MetricFamily[] {
  return [
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', one(m.resident)),
    gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', one(m.heapTotal)),
    gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', one(m.heapUsed)),
    gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes (array buffers included).', one(m.external)),
    gauge('nodejs_array_buffers_bytes', 'Memory of Node.js Buffers and ArrayBuffers in bytes (part of the external memory).', one(m.arrayBuffers)),
  ];
}

/**
 * The controller's metrics as Prometheus families, names `xenherd_...` with their unit last.
 * Every label value of a closed set (reachability, maintenance state, domain state, alert kind)
 * is always present, zero included: a series that disappears reads as missing data, not as none.
 */
export function metricFamilies(m: ControllerMetrics, p: ProcessSample): MetricFamily[] {
  const reachable = m.hosts.filter((h) => h.reachable).length;
  const maintenanceStates = MaintenanceSchema.shape.state.options;
  const running = m.jobs;
  return [
    gauge('xenherd_agents_connected', 'Agent links open and past their hello.', one(m.agentsConnected)),
    gauge('xenherd_hosts_by_reachability', 'Dom0s known to the controller, by whether their agent is reachable (link up and heard from recently).', [
      { labels: { reachability: 'reachable' }, value: reachable },
      { labels: { reachability: 'unreachable' }, value: m.hosts.length - reachable },
    ]),
    gauge(
      'xenherd_hosts_by_maintenance_state',
      'Dom0s by the maintenance state their agent last reported (unknown before its first report: the state lives on the agent).',
      [
        ...maintenanceStates.map((state) => ({ labels: { state }, value: m.hosts.filter((h) => h.reported && h.maintenance.state === state).length })),
        { labels: { state: 'unknown' }, value: m.hosts.filter((h) => !h.reported).length },
      ],
    ),
    gauge('xenherd_host_reachable', 'Whether the agent of the Dom0 is reachable (1) or not (0).', m.hosts.map((h) => ({ labels: { host: h.host }, value: h.reachable ? 1 : 0 }))),
    gauge(
      'xenherd_host_maintenance_state_since_timestamp_seconds',
      "When the controller saw the Dom0 enter its current maintenance state (after a controller restart: when it first heard of it), in seconds since the epoch.",
      m.hosts.filter((h) => h.maintenanceSince !== null).map((h) => ({ labels: { host: h.host, state: h.maintenance.state }, value: seconds(h.maintenanceSince) })),
    ),
    gauge(
      'xenherd_host_state_dir_free_bytes',
      "Free space (df's Avail) on the filesystem under each Dom0 agent's state dir (role=\"state\": ledger, maintenance flag) and runtime dir (role=\"runtime\": boot record, locks), as the agent last read it.",
      m.hosts.flatMap((h) => (h.stateDisks ?? []).flatMap((d) => (d.freeBytes === null ? [] : [{ labels: { host: h.host, role: d.role, dir: d.dir }, value: d.freeBytes }]))),
    ),
    gauge(
      'xenherd_host_state_dir_write_failed',
      "Whether the agent's last write under the dir failed for lack of space or a read-only filesystem (1) or not (0): check's CRITICAL state-disk-failed.",
      m.hosts.flatMap((h) => (h.stateDisks ?? []).map((d) => ({ labels: { host: h.host, role: d.role, dir: d.dir }, value: d.failure === null ? 0 : 1 }))),
    ),
    gauge('xenherd_agent_info', "The agent version each Dom0's agent announced; always 1.", m.hosts.filter((h) => h.agentVersion !== null).map((h) => ({ labels: { host: h.host, version: h.agentVersion ?? '' }, value: 1 }))),
    gauge('xenherd_domus_by_state', 'Toolstack rows of domUs (migration rows excluded) by state, over every Dom0.', [...m.domusByState].map(([state, value]) => ({ labels: { state }, value }))),
    gauge('xenherd_domus_migrating', 'DomUs with a migration row (--incoming or --migratedaway) on some Dom0, not those whose migration ended in an ALARM a ledger keeps (xenherd_alerts{kind="migration-unsettled"}).', one(m.domusMigrating)),
    gauge('xenherd_domus_away_from_home', 'DomUs running, but not on their home Dom0.', one(m.away.length)),
    gauge('xenherd_domu_away_from_home_info', 'Each domU away from its home: where it runs; always 1.', m.away.flatMap((a) => a.runningOn.map((host) => ({ labels: { domu: a.name, home: a.home, host }, value: 1 })))),
    gauge(
      'xenherd_domus_down',
      "Guarded domUs running nowhere that no Dom0 will start on its own: every reachable Dom0 guarding them starts them no more (skip handled-this-boot: stopped with nobody of the fleet asking), past check's 30 s settle, as check's CRITICAL down-guarded lines; or one defers them because its record of what autostart handled this boot was lost (defer boot-record-lost, check's start-deferred lines), which holds until an operator acts or the Dom0 boots again.",
      one(m.domusDown),
    ),
    gauge('xenherd_alerts', 'Current alerts (conflicts no single Dom0 sees), by kind.', [...m.alertsByKind].map(([kind, value]) => ({ labels: { kind }, value }))),
    gauge('xenherd_migrations_in_flight', 'Migrate and reverse commands sent to agents and not finished (operators\' and jobs\').', one(m.migrationsInFlight)),
    {
      name: 'xenherd_migration_duration_seconds',
      help: 'Finished migrate and reverse commands: from sending to the agent\'s result, by outcome.',
      type: 'histogram',
      series: [histogram({ outcome: 'ok' }, m.migrationDurations.ok), histogram({ outcome: 'failed' }, m.migrationDurations.failed)],
    },
    gauge('xenherd_jobs_running', 'Orchestration jobs running in this controller, by kind.', JobSummarySchema.shape.kind.options.map((kind) => ({ labels: { kind }, value: running.filter((j) => j.kind === kind).length }))),
    gauge('xenherd_job_moves_done', 'Moves a running job has finished.', running.map((j) => ({ labels: { job: j.jobId, kind: j.kind, hosts: j.hosts.join(',') }, value: j.moved }))),
    gauge('xenherd_job_moves_failed', 'Moves of a running job that failed.', running.map((j) => ({ labels: { job: j.jobId, kind: j.kind, hosts: j.hosts.join(',') }, value: j.failed }))),
    gauge('xenherd_job_moves_remaining', 'Moves of a running job not finished yet (running ones included).', running.map((j) => ({ labels: { job: j.jobId, kind: j.kind, hosts: j.hosts.join(',') }, value: j.remaining }))),
    counter('xenherd_agent_snapshots_received_total', 'Full state snapshots received from agents.', m.snapshotsReceived),
    counter('xenherd_agent_deltas_received_total', 'State deltas received from agents.', m.deltasReceived),
    gauge('xenherd_process_resident_memory_bytes', "The controller process's resident memory (the same as process_resident_memory_bytes).", one(p.memory.resident)),
    ...processMemoryFamilies(p.memory),
    gauge('xenherd_event_loop_lag_seconds', "The 99th percentile of the controller's event loop delay since the previous scrape.", p.eventLoopLagSeconds === null ? [] : one(p.eventLoopLagSeconds)),
    counter('xenherd_gc_pauses_total', "Garbage collection pauses of the controller's event loop since its first scrape.", p.gcPauses?.count ?? null),
    counter('xenherd_gc_pause_seconds_total', 'Time the event loop spent paused in those.', p.gcPauses?.seconds ?? null),
    gauge('xenherd_gc_pause_longest_seconds', 'The longest garbage collection pause since the previous scrape.', p.gcPauses === null ? [] : one(p.gcPauses.longestSeconds)),
    gauge('xenherd_tls_cert_expiry_seconds', 'Seconds until the TLS certificate the controller serves expires (negative: since it expired); none without TLS.', m.certificateLeftMs === null ? [] : one(Math.floor(m.certificateLeftMs / 1000))),
  ];
}
