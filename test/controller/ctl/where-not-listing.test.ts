import { describe, expect, it } from 'vitest';
import { mayRunNote, staleWarning, whereColumns } from '../../../controller/ctl/where-line.js';
import type { NotListing, WhereMatch } from '../../../shared/protocol/ctl-api.js';
import { WhereAnswerSchema } from '../../../shared/protocol/ctl-where.js';

// A Dom0 whose `xl list` hangs reports no domains: a domU homed there reads as running nowhere.
// The controller's answer names the hosts that cannot list their domains (notListing), and the
// line must name them, not say a plain "not running".
const NOW = Date.UTC(2024, 4, 1, 14, 30);
const nowhere = (over: Partial<WhereMatch> = {}): WhereMatch => ({
  name: 'web1',
  places: [],
  home: 'xen1',
  homeClaims: ['xen1'],
  away: null,
  visitor: null,
  autostart: [{ host: 'xen1', decision: 'defer', reason: 'domains-unknown', since: new Date(NOW - 180_000).toISOString() }],
  midMigration: false,
  alerts: [],
  ageMs: 0,
  reachable: false,
  ...over,
});
const XEN1_UNKNOWN: NotListing[] = [{ host: 'xen1', view: 'unknown', forMs: 180_000 }];

describe('where, for a domU running nowhere while a host cannot list its domains', () => {
  it('says unknown and names the host, not "not running ... host unreachable or behind"', () => {
    const cols = whereColumns(nowhere(), NOW, new Map(), [], XEN1_UNKNOWN);
    expect(cols.slice(1, 5)).toEqual(['-', 'unknown', 'home xen1', 'as of 0.0 s, STALE (it may run on xen1: its agent cannot read its domains (xl list) for 3 min)']);
    expect(staleWarning(nowhere(), new Map(), [], XEN1_UNKNOWN)).toBe('the answer for web1 is stale (as of 0.0 s; it may run on xen1: its agent cannot read its domains (xl list) for 3 min)');
    expect(mayRunNote(nowhere(), XEN1_UNKNOWN)).toBe('web1 may run on xen1: its agent cannot read its domains (xl list) for 3 min');
  });

  it('homed elsewhere: any host that cannot list its domains at all may run it; one behind only if it is the home', () => {
    const db = nowhere({ name: 'db1', home: 'xen2', homeClaims: ['xen2'], autostart: [] });
    expect(whereColumns(db, NOW, new Map(), [], XEN1_UNKNOWN)[2]).toBe('unknown');
    const behind: NotListing[] = [{ host: 'xen1', view: 'behind', forMs: 5_000 }];
    expect(mayRunNote(db, behind)).toBeNull();
    expect(whereColumns(nowhere(), NOW, new Map(), [], behind).slice(2, 5)).toEqual(['not running', 'home xen1', "as of 0.0 s, STALE (it may run on xen1: its agent's xl list is behind (for 5.0 s))"]);
  });

  it('an answer with notListing reads; one from an older controller (none) reads as before', () => {
    const answer = { at: NOW, pattern: 'web1', matches: [nowhere()], notListing: XEN1_UNKNOWN };
    expect(WhereAnswerSchema.parse(answer).notListing).toEqual(XEN1_UNKNOWN);
    expect(whereColumns(nowhere(), NOW).slice(2, 5)).toEqual(['not running', 'home xen1', 'as of 0.0 s, STALE (host unreachable or behind)']);
  });
});
