import type { WhereMatch } from '../../../shared/protocol/ctl-api.js';
import { away, dom } from '../states.js';

/** The moment the where matches below are answered at. */
export const WHERE_NOW = Date.UTC(2024, 4, 1, 14, 30);

/** `where web01`'s match: running on xen2, away from its home xen1 for 28 min, heard 0.3 s ago; OVER replaces fields. */
export const whereMatch = (over: Partial<WhereMatch> = {}): WhereMatch => ({
  name: 'web01',
  places: [{ host: 'xen2', domain: dom('web01', { state: 'running' }), reachable: true, ageMs: 300 }],
  home: 'xen1',
  homeClaims: ['xen1'],
  away: away('xen1', 'xen2', { since: new Date(WHERE_NOW - 28 * 60_000).toISOString() }),
  visitor: null,
  autostart: [],
  midMigration: false,
  alerts: [],
  ageMs: 300,
  reachable: true,
  ...over,
});
