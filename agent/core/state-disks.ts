import { NO_ROOM_TEXT, TEST_WRITE, type LinkStateDisk, type StateDirRole } from '../../shared/protocol/state-disk.js';
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
  fx.push({ e: 'read-state-disks', after: null });
  return arm(s, fx, 'state-disks', STATE_DISK_EVERY_MS);
}

/**
 * A controller's migrate or reverse, run by the agent's own CLI, that failed writing under the
 * state dir (the ledger, its lock): the dirs are read at once, that move named, rather than at
 * the next minute. The CLI's words are all the agent has of it.
 */
export function afterCommandFailed(fx: Fx, c: { readonly op: string; readonly name: string | null }, o: { readonly ok: boolean; readonly message: string; readonly detail: string | null }): void {
  if (o.ok || !NO_ROOM_TEXT.test(`${o.message}\n${o.detail ?? ''}`)) return;
  fx.push({ e: 'read-state-disks', after: { role: 'state', what: `the ${c.op} of ${c.name ?? 'a domU'}` } });
}

/**
 * A command's write under DIR that failed for want of room or a read-only filesystem (control op
 * `write-failed`): the dirs are read at once, that write named, rather than at the next minute.
 */
export function afterWriteFailed(fx: Fx, failed: FailedWrite): void {
  fx.push({ e: 'read-state-disks', after: failed });
}

/**
 * A new reading of the dirs. A test write that failed keeps the first failure seen since the last
 * good write, as that one names what could not be recorded (the ledger, the boot record) where the
 * test write names only itself; a record's write found after a test write's takes its place. A
 * change of a dir's failure is logged once each way.
 */
export function onStateDisksRead(s: AgentState, fx: Fx, readings: readonly LinkStateDisk[]): AgentState {
  const before = new Map(s.stateDisks.map((d) => [d.role, d]));
  const next = readings.map((d): LinkStateDisk => {
    const old = before.get(d.role)?.failure ?? null;
    const namesMore = d.failure !== null && old !== null && old.what === TEST_WRITE && d.failure.what !== TEST_WRITE;
    return d.failure !== null && old !== null && old.code === d.failure.code && !namesMore ? { ...d, failure: old } : d;
  });
  for (const d of next) {
    const was = before.get(d.role)?.failure ?? null;
    // said again once a write that failed is known for what it recorded, not only as the test write
    if (d.failure !== null && (was === null || (was.what === TEST_WRITE && d.failure.what !== TEST_WRITE))) {
      fx.push(log('error', `cannot write under ${d.dir}: ${noRoomWords(d.failure.code)} (${d.failure.what}): ${cannotRecordWords(d.role)}; ${noRoomFix(d.failure.code, s.host, d.dir)}`, { code: 'XH_ERR_FILE', dir: d.dir, errno: d.failure.code }));
    } else if (d.failure === null && was !== null) {
      fx.push(log('info', `writes under ${d.dir} work again`, { dir: d.dir }));
    }
  }
  return { ...s, stateDisks: next };
}
