import { DRBD_IN_STEP, peerTowards } from '../../shared/drbd-readiness.js';
import { connectionAsPrinted, DRBD_LINK_DOWN } from '../../shared/drbd-words.js';
import type { XhError } from '../../shared/errors.js';
import type { DrbdResourceView } from '../../shared/inventory.js';

/**
 * Whether a live migration's disks stayed one: during the handover both Dom0s are Primary
 * (allow-two-primaries) and every write the domU makes on the source must reach the target's
 * replica before the target resumes it. A replication link lost in that window leaves the target
 * running on a disk without the writes made on the source since the loss, while xl reports a plain
 * success. Decided from reads of the domU's resources on the Dom0 running the plan: one as the
 * copy begins (the preflight has just seen them Connected, UpToDate on both sides), more while
 * it runs, and one after the handover.
 *
 * A handover with the link up passes through no other state: demoting the source changes a role,
 * not the disks, so DRBD 8.4 and 9 stay Connected (9: replication Established) with both disks
 * UpToDate, and no resync follows. A resync seen afterwards therefore means the link dropped and
 * came back during the move; it is worth a line, and an ALARM only when it flows toward the
 * source (the target's disk wins, and the writes made on the source are overwritten).
 */
export interface ReplicationSample {
  /** on the plan's clock (ms) */
  readonly at: number;
  readonly resource: string;
  /** null: the read failed (why in `error`) */
  readonly view: DrbdResourceView | null;
  readonly error?: string;
  /** read after the handover (true), or before/while the copy ran */
  readonly after: boolean;
}

export interface HandoverFacts {
  readonly name: string;
  /** where the domU ran, and writes were made, until the handover */
  readonly from: string;
  readonly to: string;
  /** the Dom0 that read the samples, and the other end of the resources' link */
  readonly host: string;
  readonly other: string;
  readonly resources: readonly string[];
  readonly samples: readonly ReplicationSample[];
}

export interface HandoverVerdict {
  /** the link was lost while both were Primary: the move happened, the disks may differ */
  readonly alarm: XhError | null;
  /** for the operator beside a success: a resync after the handover, a resource that could not be read */
  readonly lines: readonly string[];
}

type Seen = { readonly kind: 'in-step' } | { readonly kind: 'cut'; readonly words: string } | { readonly kind: 'out-of-step'; readonly words: string; readonly toHere: boolean | null };

// replication words of the side that receives a resync (…T), and of the side that sends one (…S)
const RECEIVING = new Set(['StartingSyncT', 'WFBitMapT', 'WFSyncUUID', 'SyncTarget', 'PausedSyncT', 'Behind']);
const SENDING = new Set(['StartingSyncS', 'WFBitMapS', 'SyncSource', 'PausedSyncS', 'Ahead']);

/** One read, as the link to OTHER shows it. */
export function seenOf(v: DrbdResourceView, other: string): Seen {
  if (!v.up) return { kind: 'cut', words: 'not up' };
  const peer = peerTowards(v, other);
  const disk = v.disk ?? 'unknown';
  if (!peer) return { kind: 'cut', words: `StandAlone (disk ${disk}, no connection to ${other})` };
  // terse `drbdadm status` prints no connection word while Connected
  const conn = peer.connection ?? 'Connected';
  const state = conn === 'Connected' && peer.replication !== null ? peer.replication : conn;
  const printed = connectionAsPrinted(peer.name, conn, peer.replication);
  const words = `${printed !== conn ? printed : state} (disk ${disk}, peer ${peer.disk ?? 'unknown'})`;
  if (DRBD_LINK_DOWN.has(conn)) return { kind: 'cut', words };
  if (DRBD_IN_STEP.has(state) && v.disk === 'UpToDate' && peer.disk === 'UpToDate') return { kind: 'in-step' };
  return { kind: 'out-of-step', words, toHere: RECEIVING.has(state) ? true : SENDING.has(state) ? false : null };
}

/** HH:MM:SS UTC of a moment on the plan's clock: the operator compares it with the guest's logs */
export const hms = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

interface Finding {
  readonly resource: string;
  /** writes on the source after this moment may be missing on the target */
  readonly since: number;
  readonly text: string;
}

export function handoverVerdict(f: HandoverFacts): HandoverVerdict {
  const lost: Finding[] = [];
  const lines: string[] = [];
  const began = f.samples.reduce((m, s) => Math.min(m, s.at), Number.POSITIVE_INFINITY);
  for (const r of f.resources) {
    const mine = f.samples.filter((s) => s.resource === r).sort((a, b) => a.at - b.at);
    const read = mine.filter((s): s is ReplicationSample & { view: DrbdResourceView } => s.view !== null).map((s) => ({ s, seen: seenOf(s.view, f.other) }));
    const cut = read.find((x) => x.seen.kind === 'cut');
    const last = read.filter((x) => x.s.after).at(-1);
    if (cut) {
      const inStep = read.filter((x) => x.s.at < cut.s.at && x.seen.kind === 'in-step').at(-1);
      const since = inStep?.s.at ?? began;
      const was = inStep ? `last seen Connected, UpToDate on both, at ${hms(since)}` : `not seen Connected since the move began at ${hms(since)}`;
      const words = 'words' in cut.seen ? cut.seen.words : '';
      const then = last && last !== cut && 'words' in last.seen ? last.seen.words : null;
      const now = last === undefined || last === cut ? '' : then === null ? ', Connected again after the handover' : then === words ? ', still so after the handover' : `, ${then} after the handover`;
      lost.push({ resource: r, since, text: `${r} on ${f.host} ${was}, seen ${words} at ${hms(cut.s.at)}${now}` });
      continue;
    }
    if (last === undefined) {
      const why = mine.filter((s) => s.after).at(-1)?.error ?? 'not read';
      lines.push(`${r} could not be read on ${f.host} after the handover (${why}): check that \`drbdadm status ${r}\` shows it Connected, UpToDate on both sides`);
      continue;
    }
    if (last.seen.kind !== 'out-of-step') continue;
    // which Dom0's disk receives the resync: the one that will hold the other's data
    const receiver = last.seen.toHere === null ? null : last.seen.toHere ? f.host : f.other;
    if (receiver === f.from) {
      lost.push({ resource: r, since: began, text: `${r} on ${f.host} is ${last.seen.words} after the handover: its link dropped and came back during the move, and DRBD resyncs ${f.from}'s disk from ${f.to}'s` });
      continue;
    }
    const flow = receiver === f.to ? `DRBD copies what ${f.to}'s disk lacks from ${f.from}: keep ${r} connected until it is done` : 'its disks are not in step';
    lines.push(`${r} on ${f.host} is ${last.seen.words} after the handover: its link to ${f.other} dropped and came back during the move; ${flow}, and check that \`drbdadm status ${r}\` shows UpToDate on both sides before moving ${f.name} again`);
  }
  return { alarm: lost.length === 0 ? null : alarmOf(f, lost), lines };
}

function alarmOf(f: HandoverFacts, lost: readonly Finding[]): XhError {
  const since = Math.min(...lost.map((l) => l.since));
  const names = lost.map((l) => l.resource);
  const res = names.join(', ');
  const message =
    `ALARM: ${f.name} moved from ${f.from} to ${f.to} and runs on ${f.to}, but the DRBD replication link of ${res} was lost during the move while both Dom0s were Primary ` +
    `(${lost.map((l) => l.text).join('; ')}): ${f.to}'s disk may lack writes ${f.name} made on ${f.from} after ${hms(since)}, and ${f.name} may have written to ${f.to}'s since. ` +
    `Do not reconnect ${res} with --discard-my-data on ${f.from} before checking which side has the newer data (\`drbdadm status ${names[0]}\` on both; on reconnecting, DRBD will likely report a split brain); ` +
    `the move itself is recorded (${f.name} runs on ${f.to})`;
  return { code: 'XH_ERR_MIGRATION_UNKNOWN', message };
}
