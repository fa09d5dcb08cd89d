import type { HostBlock } from '../../shared/protocol/ctl-jobs.js';
import { isOlderRelease } from '../../shared/text/live-move-words.js';
import type { FactDomu, FactHost } from './facts.js';
import type { Blocker } from '../../shared/protocol/ctl-jobs.js';
import { isStranded } from '../../shared/stranded-half.js';
import { unsettledMessage } from '../fleet/unsettled.js';

/**
 * Why nothing HOST says can be acted on: no record at all (not in the fleet: revoked, or never
 * enrolled; an enrolled host not heard from has a placeholder), no report yet, or a report gone
 * silent. Null when it reported and is heard from.
 */
export function unheardBlock(h: FactHost | undefined): HostBlock | null {
  if (h === undefined) return 'not-in-fleet';
  if (!h.record.state) return 'not-reported';
  if (!h.reachable) return h.stale ? 'stale' : 'unreachable';
  return null;
}

/**
 * Whether HOST may receive a domU now: reported, reachable and fresh, online (never draining, in
 * maintenance or restoring — except the restore's own host, which is what it fills), with its
 * memory known. A host with no record at all is not in the fleet (an enrolled one not heard from
 * has a placeholder record): said so, for it will not report until someone enrolls it again.
 */
export function targetBlock(h: FactHost | undefined, restoring: string | null = null): HostBlock | null {
  const heard = unheardBlock(h);
  if (heard !== null || h === undefined) return heard;
  const s = h.maintenance.state;
  if (s !== 'online' && h.name !== restoring) return s;
  if (h.totalMiB === null || h.freeMiB === null) return 'no-memory-report';
  return null;
}

/**
 * Whether a domU on SOURCE can be live-migrated to TARGET by their toolstacks: `xm migrate --live`
 * needs the target's xend relocation server (an xl Dom0 has none: "can't connect: Connection
 * refused"), and xl's receiving end refuses to run beside xend. Null when they match or either is
 * not known (an agent that has not read its toolstack yet).
 */
export function toolstackBlock(source: Pick<FactHost, 'record'> | undefined, target: Pick<FactHost, 'record'> | undefined): HostBlock | null {
  const a = source?.record.state?.toolstack ?? null;
  const b = target?.record.state?.toolstack ?? null;
  return a !== null && b !== null && a !== b ? 'other-toolstack' : null;
}

/**
 * Whether TARGET runs an older Xen release (major.minor) than SOURCE: the older release's tools
 * refuse the newer one's migration stream (xl: "Savefile has mandatory flag(s) … need newer xl"),
 * and the domU stays where it ran. A newer point release of the same major.minor is no older.
 * Null when it is not older, or either release is not known (an agent that does not report it).
 */
export function xenBlock(source: Pick<FactHost, 'record'> | undefined, target: Pick<FactHost, 'record'> | undefined): HostBlock | null {
  return isOlderRelease(source?.record.state?.xen, target?.record.state?.xen) ? 'older-xen' : null;
}

/** Whether the tools of SOURCE and TARGET can live-migrate between them at all: the same toolstack, and no older Xen at TARGET. */
export const liveMoveBlock = (source: Pick<FactHost, 'record'> | undefined, target: Pick<FactHost, 'record'> | undefined): HostBlock | null =>
  toolstackBlock(source, target) ?? xenBlock(source, target);

/** Whether HOST's agent can be asked to move a domU away now. */
export function sourceBlock(h: FactHost | undefined, capability = 'migrate'): HostBlock | null {
  const heard = unheardBlock(h);
  if (heard !== null || h === undefined) return heard;
  if (!h.capabilities.includes(capability)) return 'no-capability';
  return null;
}

const LIVE_MIGRATABLE = new Set(['running', 'blocked', 'idle']);

/**
 * An ALARM on the domU, for a person to settle: nothing may move or start it. A migration of it
 * whose ending a ledger records as unknown (until `xenherd-agent reconcile` there drops the record),
 * or a sender's half standing so long that no handshake is still running (waiting cannot help).
 */
export function alarmBlock(d: FactDomu): Blocker | null {
  if (d.unsettled.length > 0) return { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN', message: unsettledMessage(d.name, d.unsettled) };
  if (d.senderHalf !== null && isStranded(d.senderHalf.forMs)) {
    const { host, row, forMs } = d.senderHalf;
    return {
      kind: 'alarm',
      code: 'XH_ERR_MIGRATION_UNKNOWN',
      message: `${row} has stood on ${host} for ${Math.round(forMs / 1000)} s: a migration of it from ${host} ended without its final handshake, and both halves may be kept; check both hosts by hand (xenherdctl where ${d.name}; the agent on ${host} logs an ALARM for it)`,
    };
  }
  return null;
}

/**
 * Whether the domU itself can be live-migrated now (wherever to). An ALARM on it comes first
 * (alarmBlock); one in the middle of a migration waits for it, unless a half of it stands that no
 * migration explains any more (FactDomu.unexplainedHalf).
 */
export function domuBlock(d: FactDomu): Blocker | null {
  const alarm = alarmBlock(d);
  if (alarm !== null) return alarm;
  // a half no migration explains any more is not waited for: the fleet's words say what to check
  if (d.midMigration) return d.unexplainedHalf !== null ? { kind: 'migration-stranded', message: d.unexplainedHalf } : { kind: 'mid-migration' };
  if (d.host === null && d.hosts.length > 1) return { kind: 'running-twice', hosts: [...d.hosts] };
  if (d.state !== null && !LIVE_MIGRATABLE.has(d.state)) return { kind: 'state', state: d.state };
  return null;
}

/** Where its disks let it go (its current host excluded); a visitor only back to its home. */
export function candidateTargets(d: FactDomu, allHosts: () => readonly string[]): readonly string[] | Blocker {
  if (d.visitorHome !== null) return [d.visitorHome];
  if (d.replicas === null) return { kind: 'no-config' };
  const hosts = (d.replicas === 'any' ? allHosts() : d.replicas).filter((h) => h !== d.host);
  return hosts.length > 0 ? hosts : { kind: 'no-replica', resources: [...d.resources] };
}
