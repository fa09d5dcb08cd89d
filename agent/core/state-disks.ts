import type { LinkStateDisk, StateDirRole } from '../../shared/protocol/state-disk.js';
import { noRoomFix, noRoomWords, cannotRecordWords } from '../../shared/text/state-disk-words.js';
import { log } from './effects.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/**
 * How often the agent reads the free space under its state and runtime dirs (and tries a small
 * write there). A full disk is otherwise found only by the next write that needs it, seen by the
 * one operator who ran the command and the journal; a minute keeps `check` close to the disk
 * at the cost of one statfs and one tiny file per dir.
 */
export const STATE_DISK_EVERY_MS = 60_000;

/** A write under one of the dirs that failed: the runner reads the dirs again at once and names it. */
export interface FailedWrite {
  readonly role: StateDirRole;
  readonly what: string;
}

/** Read the dirs now and every STATE_DISK_EVERY_MS from here. */
export function readStateDisks(s: AgentState, fx: Fx): AgentState {
  fx.push({ e: 'read-state-disks' });
  return arm(s, fx, 'state-disks', STATE_DISK_EVERY_MS);
}

/**
 * A new reading of the dirs. A test write that failed keeps the first failure seen since the last
 * good write, as that one names what could not be recorded (the ledger, the boot record) where the
 * test write names only itself. A change of a dir's failure is logged once each way.
 */
export function onStateDisksRead(s: AgentState, fx: Fx, readings: readonly LinkStateDisk[]): AgentState {
  const before = new Map(s.stateDisks.map((d) => [d.role, d]));
  const next = readings.map((d): LinkStateDisk => {
    const old = before.get(d.role)?.failure ?? null;
    return d.failure !== null && old !== null && old.code === d.failure.code ? { ...d, failure: old } : d;
  });
  for (const d of next) {
    const was = before.get(d.role)?.failure ?? null;
    if (d.failure !== null && was === null) {
      fx.push(log('error', `cannot write under ${d.dir}: ${noRoomWords(d.failure.code)} (${d.failure.what}): ${cannotRecordWords(d.role)}; ${noRoomFix(d.failure.code, s.host, d.dir)}`, { code: 'XH_ERR_FILE', dir: d.dir, errno: d.failure.code }));
    } else if (d.failure === null && was !== null) {
      fx.push(log('info', `writes under ${d.dir} work again`, { dir: d.dir }));
    }
  }
  return { ...s, stateDisks: next };
}
