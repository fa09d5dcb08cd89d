import type { LinkStateDisk } from '../../shared/protocol/state-disk.js';
import { byteSizeText } from '../../shared/text/byte-size.js';
import { cannotRecordWords, noRoomFix, noRoomWords } from '../../shared/text/state-disk-words.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, onControllerClock, type Freshness, type HostRecord } from './host-record.js';

/**
 * When the free space under an agent's state or runtime dir is low enough to page: under 5 % of
 * the filesystem, though never more than 256 MiB, and under 1 MiB whatever its size. The records
 * there are small (a ledger of a few KiB, rewritten whole through a temporary file beside it), so
 * the cap keeps a large root filesystem with gigabytes left quiet, yet leaves minutes before a
 * runaway log fills it; 5 % keeps a small one quiet, such as /run on a tmpfs sized from a Dom0's
 * few hundred MiB of memory (a 50 MiB tmpfs nearly empty is no page); 5 % is also where most
 * filesystems' own reserve for root begins, so the agent (root) still writes but little else will.
 */
export const STATE_DISK_LOW = { fraction: 0.05, capBytes: 256 * 1024 * 1024, floorBytes: 1024 * 1024 } as const;

export const isLowOnSpace = (d: Pick<LinkStateDisk, 'freeBytes' | 'totalBytes'>): boolean =>
  d.freeBytes !== null &&
  (d.freeBytes < STATE_DISK_LOW.floorBytes || (d.totalBytes !== null && d.totalBytes > 0 && d.freeBytes < Math.min(d.totalBytes * STATE_DISK_LOW.fraction, STATE_DISK_LOW.capBytes)));

const freeText = (d: LinkStateDisk): string =>
  d.freeBytes === null ? 'free space unknown' : d.totalBytes === null || d.totalBytes === 0 ? `${byteSizeText(d.freeBytes)} free` : `${byteSizeText(d.freeBytes)} free of ${byteSizeText(d.totalBytes)}, ${percentText(d.freeBytes / d.totalBytes)}`;
const percentText = (f: number): string => `${f < 0.1 ? (Math.floor(f * 1000) / 10).toFixed(1) : String(Math.floor(f * 100))} %`;

/** The state dir (the ledger) before the runtime dir: a migration not recorded is worse than a boot record. */
const rankOf = (d: LinkStateDisk): number => (d.role === 'state' ? 0 : 1);

/**
 * What one of a host's reported directories says, or null when all is well: CRITICAL when the
 * agent's last write there failed for lack of room or a read-only filesystem (records are being
 * lost now), WARNING when its free space is below STATE_DISK_LOW (they soon will be).
 */
export function stateDiskProblem(r: HostRecord, d: LinkStateDisk): CheckProblem | null {
  const host = r.host;
  if (d.failure !== null) {
    const at = onControllerClock(r, d.failure.at);
    const when = Number.isNaN(at) ? '' : ` at ${utcMinuteText(at)}`;
    return {
      status: 'CRITICAL',
      kind: 'state-disk-failed',
      subject: `${host} ${d.dir}`,
      rank: rankOf(d),
      short: `${host} cannot write ${d.dir}`,
      text: `${host}: its agent cannot write under ${d.dir}: ${noRoomWords(d.failure.code)} (${freeText(d)}; ${d.failure.what} failed${when}): ${cannotRecordWords(d.role)}; ${noRoomFix(d.failure.code, host, d.dir)}`,
    };
  }
  if (!isLowOnSpace(d)) return null;
  return {
    status: 'WARNING',
    kind: 'state-disk-low',
    subject: `${host} ${d.dir}`,
    rank: rankOf(d),
    short: `${host} low on space for ${d.dir}`,
    text: `${host}: the filesystem holding ${d.dir} is nearly full (${freeText(d)}): once it is, ${cannotRecordWords(d.role)}; ${noRoomFix(null, host, d.dir)}`,
  };
}

/** The problems of R's state and runtime dirs as its agent last reported them. */
export const stateDiskProblemsOf = (r: HostRecord): CheckProblem[] => (r.state?.stateDisks ?? []).flatMap((d) => stateDiskProblem(r, d) ?? []);

/**
 * Every reachable host's full, nearly full or read-only state dirs. An unreachable host's last
 * report is left out: its own line pages already, and what its disk was then says nothing of now.
 */
export function stateDisksLow(index: FleetIndex, fresh: Freshness): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const r of index.hostRecords()) if (isReachable(r, fresh.now, fresh.staleAfterMs)) out.push(...stateDiskProblemsOf(r));
  return out;
}
