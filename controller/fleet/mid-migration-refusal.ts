import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { spanText } from '../../shared/text/span-text.js';
import type { FleetIndex } from './fleet-index.js';
import { hostList } from './finding.js';
import { noDisksThere } from './foreign-halves.js';
import { halfBound, halfOutlived, halfStoodMs } from './half-standing.js';
import type { Freshness } from './host-record.js';

/** One row of NAME a host reports. */
export interface HostRow {
  readonly host: string;
  readonly d: LinkDomain;
}

/**
 * Why a migrate or a reverse of NAME is refused while the fleet shows a migration half of it (ROWS:
 * every row of NAME; route.ts): each half with the host it stands on and for how long. "Wait for it to finish" while a
 * migration may still be running; once a half has outlived any migration (half-standing.ts), or
 * stands where NAME's disks are not (foreign-halves.ts), waiting will not end it, and the refusal
 * says what to look at instead.
 */
export function midMigrationRefusal(index: FleetIndex, name: string, rows: readonly HostRow[], fresh: Freshness): string {
  const stood = [...rows].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)).map((x) => ({ ...x, ms: x.d.migration === null ? null : halfStoodMs(index.record(x.host), x.d, fresh.now) }));
  const shown = stood.map((x) => (x.ms === null ? `${x.d.name} on ${x.host}` : `${x.d.name} on ${x.host} for ${spanText(x.ms)}`)).join(', ');
  const why: string[] = [];
  const hosts = new Set<string>();
  for (const x of stood) {
    if (x.d.migration === null) continue;
    const at = hostList(index, [x.host], fresh);
    const foreign = noDisksThere(index, name, x.host, fresh);
    if (foreign !== null) why.push(`${x.d.name} stands on ${at}, which holds no replica of ${name}'s disks (${foreign.resource} is on ${foreign.hosts.join(' and ')}, as ${foreign.by}'s config says): no migration of ${name} runs there`);
    else if (x.ms !== null && halfOutlived(index.record(x.host), x.d, x.ms)) why.push(`${x.d.name} has stood on ${at} for ${spanText(x.ms)}, longer than ${halfBound(x.d)}`);
    else continue;
    hosts.add(x.host);
  }
  if (why.length === 0) return `${name} is being migrated right now (${shown}): wait for it to finish`;
  return `${name} shows a migration half no migration explains any more (${shown}): ${why.join('; ')}, so waiting will not end it; nothing was sent. Check ${[...hosts].sort().join(' and ')} by hand (xenherd-agent status ${name} there; xl list): xenherdctl status says what the fleet shows of it (migration-stranded)`;
}
