import { describe, expect, it } from 'vitest';
import { formatAge, formatSince } from '../../../controller/ctl/format.js';
import { dom0Of, isStale, staleReason, staleWarning, whereColumns } from '../../../controller/ctl/where-line.js';
import type { HostView, WhereMatch } from '../../../shared/protocol/ctl-api.js';
import { away, dom } from '../states.js';
import { WHERE_NOW, whereMatch } from './where-match.js';

const NOW = WHERE_NOW;
const match = whereMatch;

describe('a where line', () => {
  it('reads like the issue says', () => {
    const cols = whereColumns(match(), NOW);
    expect(cols.slice(0, 3)).toEqual(['web01', 'xen2', 'running']);
    expect(cols[3]).toMatch(/^home xen1 \(away since \d\d:\d\d, manual\)$/);
    expect(cols[4]).toBe('as of 0.3 s');
  });

  it('away from home with no ledger record (started by hand on the peer): says away, as check does; an older controller sends no mark', () => {
    expect(whereColumns(match({ away: null, awayFromHome: true }), NOW)[3]).toBe('home xen1 (away, no ledger records it)');
    expect(whereColumns(match({ away: null }), NOW)[3]).toBe('home xen1');
  });

  it('stale when unheard for more than 30 s, or from an unreachable host', () => {
    expect(isStale(match({ ageMs: 30_000 }))).toBe(false);
    expect(isStale(match({ ageMs: 30_001 }))).toBe(true);
    expect(whereColumns(match({ ageMs: 45_000 }), NOW)[4]).toBe('as of 45 s, STALE');
    const silent = match({ reachable: false, places: [{ host: 'xen2', domain: dom('web01'), reachable: false, ageMs: 3_000 }] });
    expect(whereColumns(silent, NOW)[4]).toBe('as of 0.3 s, STALE (xen2 unreachable or behind)');
  });

  it("-q's warning gives the age and the same reasons as the full line", () => {
    expect(staleWarning(match({ ageMs: 45_000 }))).toBe('the answer for web01 is stale (as of 45 s)');
    const silent = match({ reachable: false, places: [{ host: 'xen2', domain: dom('web01'), reachable: false, ageMs: 95_000 }] });
    expect(staleWarning(silent)).toBe('the answer for web01 is stale (as of 0.3 s; xen2 unreachable or behind)');
    expect(staleWarning(silent, new Map([['xen2', 'xen2: agent link down, last heard 95 s ago']]))).toBe('the answer for web01 is stale (as of 0.3 s; xen2: agent link down, last heard 95 s ago)');
    // a name or reason from the controller reaches the terminal only printable
    expect(staleWarning({ ...silent, name: 'web\u001b[2J' })).toBe('the answer for web\\x1b[2J is stale (as of 0.3 s; xen2 unreachable or behind)');
  });

  it('a stale line says for each silent host why, when /v1/hosts told', () => {
    const host = (over: Partial<HostView>): HostView => ({
      host: 'xen2', reachable: true, linkUp: true, lastSeen: NOW - 300, ageMs: 300, bootId: 'b', agentVersion: '0.1.0', toolstack: 'xl',
      memory: { totalMiB: 1024, freeMiB: 512 }, maintenance: { state: 'online', operationId: null, owner: null }, maintenanceSince: null,
      domains: 1, homes: 0, reported: true, view: 'current', ...over,
    });
    expect(staleReason(host({ linkUp: false, reachable: false, ageMs: 95_000 }))).toBe('xen2: agent link down, last heard 95 s ago');
    expect(staleReason(host({ linkUp: false, reachable: false, ageMs: null, lastSeen: null }))).toBe('xen2: agent link down, last heard never');
    expect(staleReason(host({ reachable: false, ageMs: 45_000 }))).toBe('xen2: agent silent for 45 s');
    // an agent that said it is stopping: a restart on its way, said with when it stopped
    expect(staleReason(host({ linkUp: false, reachable: false, ageMs: 4_000, agentStoppedAt: Date.UTC(2024, 4, 1, 15, 57, 15) }))).toBe(
      'xen2: agent stopped cleanly at 15:57:15 UTC (restarting? upgrading?), last heard 4.0 s ago',
    );
    // an agent gone back to the primary: what runs there is another controller's to say
    expect(staleReason(host({ linkUp: false, reachable: false, ageMs: 4_000, reportsElsewhereSince: Date.UTC(2024, 4, 1, 15, 57, 15) }))).toBe(
      'xen2: reports to another controller since 15:57:15 UTC: what runs there is not known here',
    );
    // silent is said first, as `hosts` says it: what a silent agent last said of its view is old
    expect(staleReason(host({ reachable: false, ageMs: 45_000, view: 'behind' }))).toBe('xen2: agent silent for 45 s');
    expect(staleReason(host({ reachable: true, view: 'behind' }))).toBe("xen2: its agent's xl list is behind");
    expect(staleReason(host({ reachable: true, view: 'unknown' }))).toBe('xen2: its agent cannot read xl list, its rows are the last it read');
    expect(staleReason(host({}))).toBeNull();
    const both = match({
      reachable: false,
      places: [
        { host: 'xen2', domain: dom('web01'), reachable: false, ageMs: 3_000 },
        { host: 'xen3', domain: dom('web01'), reachable: false, ageMs: 3_000 },
      ],
    });
    // a host /v1/hosts said nothing about keeps the general words
    expect(whereColumns(both, NOW, new Map([['xen2', 'xen2: agent link down, last heard 3.0 s ago']]))[4]).toBe('as of 0.3 s, STALE (xen2: agent link down, last heard 3.0 s ago; xen3 unreachable or behind)');
  });

  it('at home, migrating, nowhere', () => {
    expect(whereColumns(match({ places: [{ host: 'xen1', domain: dom('web01'), reachable: true, ageMs: 1 }], away: null }), NOW)[3]).toBe('home xen1');
    const moving = match({
      midMigration: true,
      places: [
        { host: 'xen1', domain: dom('web01', { migration: 'migratedaway' }), reachable: true, ageMs: 1 },
        { host: 'xen2', domain: dom('web01', { migration: 'incoming' }), reachable: true, ageMs: 1 },
      ],
    });
    expect(whereColumns(moving, NOW)[2]).toBe('migrating from xen1 to xen2');
    expect(dom0Of(moving)).toBe('xen1');
    // the target lost power mid-move and the source resumed: the incoming half is a silent host's last word, not a move under way
    const resumed = match({
      midMigration: true,
      reachable: false,
      places: [
        { host: 'xen1', domain: dom('web01', { state: 'blocked' }), reachable: true, ageMs: 1 },
        { host: 'xen2', domain: dom('web01', { migration: 'incoming', state: 'paused' }), reachable: false, ageMs: 95_000 },
      ],
    });
    expect(whereColumns(resumed, NOW).slice(1, 3)).toEqual(['xen1,xen2', 'running (xen2, unheard, last reported it incoming)']);
    expect(dom0Of(resumed)).toBe('xen1');
    // the controller no longer counts that half as a move (the source was heard since): it runs on xen1, and the half is said as what it is
    const overtaken = match({ ...resumed, midMigration: false, reachable: true });
    expect(whereColumns(overtaken, NOW).slice(1, 3)).toEqual(['xen1', 'running (xen2 last reported an incoming copy before it went silent; xen1, heard since, still runs web01)']);
    // a half a current host reports is a move under way, whoever else is silent
    const halfHeard = match({ midMigration: true, places: [resumed.places[0]!, { ...resumed.places[1]!, reachable: true }] });
    expect(whereColumns(halfHeard, NOW)[2]).toBe('migrating to xen2');
    const nowhere = match({ places: [], autostart: [{ host: 'xen1', decision: 'defer', reason: 'peer-unknown', since: 'x' }] });
    expect(whereColumns(nowhere, NOW).slice(1, 3)).toEqual(['-', 'not running']);
    expect(whereColumns(nowhere, NOW)).toContain('autostart on xen1: defer peer-unknown');
    expect(dom0Of(nowhere)).toBeNull();
  });

  it('running nowhere while every Dom0 guarding it skips it as handled-this-boot: down, since the oldest of their words', () => {
    const skip = (host: string, ago: number) => ({ host, decision: 'skip', reason: 'handled-this-boot', since: new Date(NOW - ago).toISOString() });
    const down = match({ places: [], away: null, autostart: [skip('xen1', 10 * 60_000), skip('xen2', 9 * 60_000)] });
    const at = formatSince(NOW - 10 * 60_000, NOW);
    expect(whereColumns(down, NOW).slice(1, 3)).toEqual(['-', `down since ${at} (the autostarts of xen1 and xen2 started or saw it run this boot, start it no more)`]);
    expect(whereColumns(down, NOW)).toContain('autostart on xen1: skip handled-this-boot');
    // another Dom0 deciding otherwise, a ledger sending it elsewhere, or a Dom0 unheard that may run it: not said down
    expect(whereColumns(match({ ...down, autostart: [skip('xen1', 60_000), { ...skip('xen2', 60_000), reason: 'maintenance' }] }), NOW)[2]).toBe('not running');
    expect(whereColumns(match({ ...down, away: away('xen1', 'xen3') }), NOW)[2]).toBe('not running');
    expect(whereColumns(down, NOW, new Map(), ['xen3'])[2]).toBe('not running');
  });

  it('names from remote hosts are shown escaped', () => {
    expect(whereColumns(match({ name: 'web01', alerts: ['a\u001b[2Jb'] }), NOW).at(-1)).toBe('ALERT a\\x1b[2Jb');
  });

  it('ages and times for people', () => {
    expect([0, 300, 9_949, 45_000, 600_000, 3 * 3_600_000, 5 * 86_400_000].map(formatAge)).toEqual(['0.0 s', '0.3 s', '9.9 s', '45 s', '10 min', '3 h', '5 d']);
    expect(formatSince(NOW - 86_400_000 * 3, NOW)).toMatch(/^2024-04-2\d \d\d:\d\d$/);
    expect(formatSince('not a time', NOW)).toBe('not a time');
  });
});
