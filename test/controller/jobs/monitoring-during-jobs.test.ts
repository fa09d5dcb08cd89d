import { describe, expect, it } from 'vitest';
import { expectGoldenLog } from './golden-log.js';
import { metricFamilies } from '../../../controller/api/metric-families.js';
import { renderPrometheusText } from '../../../controller/api/prometheus-text.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { parsePrometheusText } from '../../helpers/prometheus-text-parser.js';
import { jobsBed, SPREAD } from './jobs-bed.js';

// The monitoring through a maintenance cycle of xen1 (fake agents, deterministic clock): a drain's
// progress and migration durations in the metrics; domUs away from a home in maintenance are
// fine, away from a home put back online a WARNING, CRITICAL 30 min later, and fine once restored.
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const MIN = 60_000;

describe('monitoring through drain, maintenance off and restore', () => {
  it('follows the jobs and the transition of xen1 back online', async () => {
    const bed = await jobsBed(SPREAD);
    const check = () => bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    const scrape = () => {
      const text = renderPrometheusText(metricFamilies(bed.core.monitor.metrics(), { memory: { resident: 1, heapTotal: 1, heapUsed: 1, external: 1, arrayBuffers: 1 }, eventLoopLagSeconds: 0, gcPauses: null }));
      return parsePrometheusText(text).flatMap((f) => f.samples);
    };
    const sample = (name: string, labels: Record<string, string> = {}) => scrape().find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(check()).toMatchObject({ status: 'OK', summary: '3 hosts reachable, 5 domUs running' });

    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job, 'moved').length === 1, 'the first move done');
    expect(bed.core.monitor.metrics().jobs).toEqual([expect.objectContaining({ kind: 'drain', hosts: ['xen1'], moved: 1, failed: 0, remaining: 3 })]);
    expect(sample('xenherd_job_moves_done', { kind: 'drain', hosts: 'xen1' })).toBe(1);
    expect(sample('xenherd_job_moves_remaining', { kind: 'drain', hosts: 'xen1' })).toBe(3);
    expect(sample('xenherd_jobs_running', { kind: 'drain' })).toBe(1);
    expect(sample('xenherd_hosts_by_maintenance_state', { state: 'draining' })).toBe(1);
    // a domU away from a draining home is what a drain is for
    expect(check().status).toBe('OK');

    await bed.finish(job);
    expect(bed.core.monitor.metrics().jobs).toEqual([]);
    expect(sample('xenherd_migration_duration_seconds_count', { outcome: 'ok' })).toBe(4);
    expect(sample('xenherd_migrations_in_flight')).toBe(0);
    expect(sample('xenherd_domus_away_from_home')).toBe(4);
    expect(sample('xenherd_domu_away_from_home_info', { domu: 'a1', home: 'xen1', host: 'xen2' })).toBe(1);
    expect(check()).toMatchObject({ status: 'OK', summary: '3 hosts reachable, 5 domUs running, 4 away from a home not online' });

    const offAt = bed.clock.now();
    await bed.finish(bed.start({ kind: 'maintenance', host: 'xen1', on: false }));
    const xen1 = bed.core.hosts().hosts.find((h) => h.host === 'xen1');
    expect(xen1?.maintenance.state).toBe('online');
    expect(xen1?.maintenanceSince).toBeGreaterThanOrEqual(offAt);
    expect(sample('xenherd_host_maintenance_state_since_timestamp_seconds', { host: 'xen1', state: 'online' })).toBe((xen1?.maintenanceSince ?? 0) / 1000);
    const warn = check();
    expect(warn.status).toBe('WARNING');
    expect(warn.details.map((d) => d.text)).toEqual(['a1', 'a2', 'b1', 'b2'].map((n) => expect.stringMatching(new RegExp(`^${n} runs on xen[23], not on its home xen1, which is online: for \\d+ s since xen1 came online; CRITICAL after 30 min: xenherdctl restore xen1 brings it home$`))));

    await bed.clock.advance(30 * MIN);
    const crit = check();
    expect(crit.status).toBe('CRITICAL');
    // four of a kind are counted, not three named and one hidden behind "and 1 more"
    expect(crit.summary).toBe('4 domUs away from home too long (a1, a2, b1, ...)');
    expect(crit.perfdata.find((p) => p.label === 'not_home_max_s')?.value).toBeGreaterThanOrEqual(1800);

    await bed.finish(bed.start({ kind: 'restore', host: 'xen1', timeoutMs: null }));
    expect(check()).toMatchObject({ status: 'OK', summary: '3 hosts reachable, 5 domUs running' });
    expect(sample('xenherd_migration_duration_seconds_count', { outcome: 'ok' })).toBe(8);
    expectGoldenLog('monitoring-during-jobs/follows-the-jobs-and-the-transition-of-xen1-back-online', bed.logs);
  });
});
