import { describe, expect, it } from 'vitest';
import { renderCheck } from '../../../controller/ctl/nagios-output.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { dom, hostState, record, unsettled } from '../states.js';
import { checkAt } from './check-bed.js';

// The verdict as an operator measured it on a large fleet: what a pager shows (the status line)
// must name a split brain and a migration ALARM before the hosts nobody hears from, whatever
// their number, and what Nagios keeps of the output (8 KB) must hold the worst of it.
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const iso = (ms: number): string => new Date(ms).toISOString();

const HOSTS = 2000;
const PER_HOST = 5;
const name = (i: number): string => `xen${i}`;
const partner = (i: number): number => (i % 2 === 1 ? i + 1 : i - 1);
/** odd hosts from xen101: 50 of them nobody hears from */
const unreachable = new Set(Array.from({ length: 50 }, (_, k) => 101 + 2 * k));
/** 30 hosts in maintenance, empty */
const inMaintenance = new Set(Array.from({ length: 30 }, (_, k) => 1501 + k));
/** 400 hosts whose first domU runs on its partner (a visitor there) while the home is online */
const leftHome = new Set(Array.from({ length: 400 }, (_, k) => 601 + 2 * k));

interface Options {
  /** who is unreachable: the default 50, or more */
  readonly silent?: ReadonlySet<number>;
}

function fleet(o: Options = {}): HostRecord[] {
  const silent = o.silent ?? unreachable;
  const out: HostRecord[] = [];
  for (let i = 1; i <= HOSTS; i++) {
    const h = name(i);
    if (inMaintenance.has(i)) {
      const state = hostState({ maintenance: { state: 'maintenance', operationId: null, owner: 'ctl' } });
      out.push({ ...record(h, state, NOW), maintenanceSince: { state: 'maintenance', since: NOW - 60 * MIN } });
      continue;
    }
    const mine = Array.from({ length: PER_HOST }, (_, d) => `${h}-d${d}`);
    const visitorFrom = leftHome.has(partner(i)) ? `${name(partner(i))}-d0` : null;
    const parts: Partial<HostState> = {
      homes: mine.map((n) => ({ name: n, peer: name(partner(i)), source: 'migrate-tab' as const })),
      domains: [...(leftHome.has(i) ? mine.slice(1) : mine), ...(visitorFrom === null ? [] : [visitorFrom])].map((n) => dom(n)),
      ledger: { seq: 1, away: {}, visitors: visitorFrom === null ? {} : { [visitorFrom]: { home: name(partner(i)), since: iso(NOW - 10 * MIN), operationId: 'op-1' } } },
    };
    // the split brain: web0 runs on xen1 and xen7; xen1200 ran a migration that ended unknown
    if (i === 1 || i === 7) parts.domains = [...(parts.domains ?? []), dom('web0')];
    if (i === 1200) parts.ledger = { ...(parts.ledger ?? { seq: 1, away: {}, visitors: {} }), seq: 2, unsettled: { web1200: unsettled('xen1199') } };
    const state = hostState(parts);
    const seen = silent.has(i) ? NOW - 10 * MIN : NOW;
    out.push({ ...record(h, state, seen, !silent.has(i)), maintenanceSince: { state: 'online', since: NOW - 10 * MIN } });
  }
  return out;
}

const check = checkAt(fresh);

describe('check on 2,000 Dom0s: 50 unreachable, 30 in maintenance, 400 domUs away, a split brain', () => {
  const a = check(fleet());
  const out = renderCheck(a);
  const lines = out.text.split('\n');

  it('the status line names the split brain and the ALARM first, then the silent hosts, counted, and stays short', () => {
    expect(a.status).toBe('CRITICAL');
    expect(a.summary).toBe(
      '1 domU running on two hosts (web0), 1 migration ended unknown (web1200), 50 hosts unreachable (xen101, xen103, xen105, ...), 400 domUs away from home (xen601-d0, xen603-d0, xen605-d0, ...)',
    );
    expect(a.summary.length).toBeLessThanOrEqual(250);
    expect(lines[0]).toMatch(/^XENHERD CRITICAL - 1 domU running on two hosts \(web0\), 1 migration ended unknown \(web1200\), 50 hosts unreachable /);
  });

  it('the API answer keeps every problem, each with its kind and subject', () => {
    expect(a.details).toHaveLength(1 + 1 + 50 + 400);
    expect(a.details.slice(0, 3).map((d) => [d.status, d.kind, d.subject])).toEqual([
      ['CRITICAL', 'running-on-two-hosts', 'web0'],
      ['CRITICAL', 'migration-unsettled', 'web1200'],
      ['CRITICAL', 'host-unreachable', 'xen101'],
    ]);
    expect(a.details.filter((d) => d.kind === 'away-from-home')).toHaveLength(400);
  });

  it('the text output is under 8 KB: one line per kind of many, worst first, each naming at most 20', () => {
    expect(Buffer.byteLength(out.text)).toBeLessThan(8000);
    expect(out.exitCode).toBe(2);
    expect(lines[1]).toMatch(/^CRITICAL: alert running-on-two-hosts: web0 /);
    expect(lines[2]).toMatch(/^CRITICAL: alert migration-unsettled: web1200: /);
    const silent = Array.from({ length: 20 }, (_, k) => `xen${101 + 2 * k}`).join(', ');
    expect(lines[3]).toBe(`CRITICAL: 50 hosts unreachable: ${silent}, ... (30 more) (xenherdctl status lists them)`);
    expect(lines[4]).toMatch(/^WARNING: 400 domUs away from home: xen601-d0, xen603-d0, .*, xen639-d0, \.\.\. \(380 more\) \(xenherdctl where '\*' lists them\)$/);
    expect(lines.slice(5)).toEqual(['']);
  });

  it('perfdata as before: the whole fleet counted, whatever the lines fold', () => {
    const value = (label: string) => a.perfdata.find((p) => p.label === label)?.value;
    expect([value('hosts'), value('hosts_unreachable'), value('hosts_in_maintenance'), value('domus_away'), value('alerts')]).toEqual([2000, 50, 30, 400, 2]);
    expect(lines[0]).toContain(" | 'hosts'=2000;;;0 'hosts_unreachable'=50;;;0;2000 'hosts_in_maintenance'=30;;;0;2000 ");
  });

  it('with 600 hosts unreachable the split brain still leads, and the line does not grow', () => {
    const many = check(fleet({ silent: new Set(Array.from({ length: 600 }, (_, k) => 2 + 2 * k).filter((i) => i !== 1200 && !inMaintenance.has(i))) }));
    expect(many.summary).toBe('1 domU running on two hosts (web0), 1 migration ended unknown (web1200), 599 hosts unreachable (xen2, xen4, xen6, ...), 400 domUs away from home (xen601-d0, xen603-d0, xen605-d0, ...)');
    expect(many.summary.length).toBeLessThanOrEqual(250);
    const text = renderCheck(many).text;
    expect(Buffer.byteLength(text)).toBeLessThan(8000);
    expect(text.split('\n')[1]).toMatch(/^CRITICAL: alert running-on-two-hosts: web0 /);
  });
});
