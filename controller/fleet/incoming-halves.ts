import { finding, hostList, type Finding } from './finding.js';
import { noDisksThere } from './foreign-halves.js';
import type { FleetIndex } from './fleet-index.js';
import { isCurrent, type Freshness } from './host-record.js';
import { standingIncoming } from './incoming-since.js';
import { isLive } from './live-row.js';
import { tickCounter, TICK, type Tick } from './scan-tick.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * How long a receiving half (`NAME--incoming`) may stand before no migration explains it. Unlike
 * the sender's half (a handshake's seconds: shared/stranded-half.ts), it stands for the whole
 * copy of the domU's memory, so a minute is no bound; but the agent kills an `xl migrate` after
 * 30 minutes (agent/adapters/toolstack.ts, not configurable), and libxl destroys the receiving
 * half when its stream ends. Five minutes more is room for that, and still far short of "for ever".
 */
export const INCOMING_STRANDED_MS = 35 * 60_000;

/**
 * A receiving half standing on a host whose view is current for longer than any migration takes:
 * no migration is running into that host, yet the row hides NAME's being away from home (a domU
 * being migrated is left out of that), and every plan refuses to move NAME while it stands. A
 * half whose sender's half still stands is left to migration-stranded, which names both.
 */
export function* strandedIncoming(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  for (const r of index.hostRecords()) {
    if (tick()) yield TICK;
    if (r.incomingSince === undefined || !isCurrent(r, fresh.now, fresh.staleAfterMs)) continue;
    for (const h of standingIncoming(r, fresh.now)) {
      // one on a host that cannot hold the disks is said at once, by halvesWithoutDisks
      if (h.forMs <= INCOMING_STRANDED_MS || noDisksThere(index, h.name, r.host, fresh) !== null) continue;
      const others = [...(index.running.get(h.name) ?? [])].filter(([host]) => host !== r.host);
      if (others.some(([, rows]) => rows.some((d) => d.migration === 'migratedaway'))) continue;
      const runsOn = others.filter(([, rows]) => rows.some((d) => d.migration === null && isLive(d))).map(([host]) => host).sort(nameOrder);
      const where = runsOn.length > 0 ? `${h.name} runs on ${hostList(index, runsOn, fresh)}` : `no other host reports ${h.name} running`;
      yield finding(
        'migration-stranded',
        `${h.name}@${r.host}`,
        [r.host, ...runsOn],
        `${h.row} (a receiving half) has stood on ${r.host} for ${Math.round(h.forMs / 60_000)} min, longer than any migration takes, and no host reports the sender's half: no migration into ${r.host} explains it; ${where}. While it stands, ${h.name} is not counted as away from home and every plan refuses to move it. Nothing is started, destroyed or recorded for you: check ${r.host} by hand (xenherd-agent status ${h.name} there; xl list)`,
      );
    }
  }
}
