import { sameOwner } from '../../shared/owner-names.js';

/**
 * What a roll keeps of its progress beyond the controller's memory: for each host it finished
 * (drained, rebooted, restored, online again) the boot id the host came back with.
 *
 * A finished host's maintenance flag is online again and carries no mark of the roll, so without
 * this a rerun after a controller restart would drain and reboot it a second time. The mark is
 * only believed while the host still runs the boot it names: a host rebooted since (by hand, by
 * another roll) is no longer the host this roll finished, and is rolled again.
 *
 * A record names the controller that wrote it: a standby started from a copy of the state dir
 * has its own identity and ignores it (a host skipped wrongly would only be one already rebooted
 * in that roll, still on that boot; the identity check keeps even that from crossing controllers).
 */
export interface RollProgress {
  /** the identity of the controller that rolled */
  readonly controller: string;
  /** the roll's hosts, sorted */
  readonly hosts: readonly string[];
  /** when a host of it last finished (the controller's clock, ms) */
  readonly at: number;
  /** host → the boot id it came back with from this roll's reboot */
  readonly finished: Readonly<Record<string, string>>;
}

/**
 * How long a stopped roll's record is taken up. A roll is asked again within the hour it stopped,
 * or the next morning; after that the same command most likely starts a new roll (a new kernel
 * installed since), which must reboot every host again. 12 h is also how long a host may sit in
 * maintenance before `check` warns of it (its default --maintenance-warn).
 */
export const ROLL_RECORD_MAX_AGE_MS = 12 * 3_600_000;

/** The file the records are kept in, in the controller's state dir. */
export const ROLL_RECORDS_NAME = 'roll-progress.json';

/** Records kept at most: one per stopped roll, so a handful; a bound keeps the file small whatever happens. */
const MAX_RECORDS = 32;

const sorted = (hosts: readonly string[]): string[] => [...new Set(hosts)].sort();

/** Whether RECORD is one a roll of HOSTS by CONTROLLER takes up at NOW: its own, recent, and every host it finished is in this roll. */
export function takesUp(record: RollProgress, controller: string, hosts: readonly string[], now: number): boolean {
  if (!sameOwner(record.controller, controller) || now - record.at > ROLL_RECORD_MAX_AGE_MS || record.at > now + ROLL_RECORD_MAX_AGE_MS) return false;
  const finished = Object.keys(record.finished);
  return finished.length > 0 && finished.every((h) => hosts.includes(h));
}

/** host → boot id of the hosts of HOSTS that a stopped roll of them finished (the records it takes up). */
export function finishedMarks(records: readonly RollProgress[], controller: string, hosts: readonly string[], now: number): Map<string, string> {
  const marks = new Map<string, string>();
  for (const r of records.filter((x) => takesUp(x, controller, hosts, now)).sort((a, b) => a.at - b.at)) {
    for (const [h, boot] of Object.entries(r.finished)) marks.set(h, boot);
  }
  return marks;
}

/**
 * RECORDS once the roll of HOSTS has FINISHED these hosts (null: the roll completed, nothing of
 * it is kept): the records it took up are replaced by its own, those past the bound dropped.
 */
export function withProgress(records: readonly RollProgress[], controller: string, hosts: readonly string[], now: number, finished: ReadonlyMap<string, string> | null): RollProgress[] {
  const kept = records.filter((r) => !takesUp(r, controller, hosts, now) && now - r.at <= ROLL_RECORD_MAX_AGE_MS && r.at <= now + ROLL_RECORD_MAX_AGE_MS);
  if (finished === null || finished.size === 0) return kept.slice(-MAX_RECORDS);
  const own: RollProgress = { controller, hosts: sorted(hosts), at: now, finished: Object.fromEntries([...finished].sort(([a], [b]) => a.localeCompare(b))) };
  return [...kept, own].slice(-MAX_RECORDS);
}

/** Where a roll keeps its records: the controller's state dir, or memory when it has none. */
export interface RollRecords {
  /** what is kept; a record that cannot be read is a problem (its message), the roll goes on without it */
  load(): { readonly records: readonly RollProgress[]; readonly problem: string | null };
  /** replaces what is kept; a failure's message (null: written) */
  save(records: readonly RollProgress[]): string | null;
}

/** Records kept for the process alone (a controller without a state dir, tests). */
export function memoryRollRecords(): RollRecords {
  let kept: readonly RollProgress[] = [];
  return {
    load: () => ({ records: kept, problem: null }),
    save: (records) => {
      kept = [...records];
      return null;
    },
  };
}
