import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { asideName, setAside } from '../../shared/fs/set-aside.js';
import { bootRecordVerdict, unreadRecordVerdict, type ThisBoot } from '../decide/boot-record-verdict.js';
import type { BootRecordLost } from '../state/snapshot.js';
import type { BootRecordAgain } from '../core/events.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';
export type { ThisBoot } from '../decide/boot-record-verdict.js';
import { readBootIdFile, recordDigest, writeBootIdFile } from './boot-record-id.js';
import { mtimeOf, readRecordFile, type OnDisk, type Unread } from './boot-record-read.js';
import { lostFix, NOTHING_ON_ITS_OWN, notSetAside } from './boot-record-words.js';

/**
 * The guarded domUs autostart has dealt with since this Dom0 booted (started by us, or seen
 * running here or, as the controller said, elsewhere), kept beside the control socket so an agent restarted mid-boot knows them, and a domU
 * an operator stops later is not started again.
 *
 * The control socket may be configured outside a tmpfs (/var/lib/…), where the record survives a
 * reboot, and a record from an earlier boot would keep every domU from starting after it: only a
 * record of this boot is used. The record itself stays `{"handled":[…]}`, what agents older than
 * the boot id read (their schema refuses any other key, and one that cannot read it starts again
 * what an operator stopped); its boot goes in the id file beside it (boot-record-id.ts). The boot
 * of a record is, in this order:
 * 1. the `bootId` key in it: the builds between (they wrote the id inline; still read);
 * 2. the id file's, when the id file was written with this very record (its digest matches);
 * 3. unknown: an older agent's record (rewritten after the id file, or no id file). Where the dir
 *    is one every boot empties (`emptiedByBoot`, /run) it can only be this boot's. Elsewhere it is
 *    this boot's when its mtime is at or after this boot's start (now − uptime), else an earlier
 *    boot's: an agent upgraded mid-boot must not start again what an operator stopped under the
 *    older one. Only a fallback, as the system clock may have been stepped between the write and
 *    now: a step forward makes the record look older, so it is set aside (what every such record
 *    outside /run got before: never worse); a step back across a reboot lets a record an older
 *    agent wrote less than the step before that reboot pass for this boot's. Rules 1 and 2 do not
 *    depend on the clock, which is why they come first.
 *
 * Read back as strictly as live input: a regular file (no symlink, no FIFO that would block the
 * daemon), every name a domU name. A record that fails is not used, `problem` says why, for the
 * daemon's log, and it is moved to FILE.unreadable before a new record is written in its place;
 * where it cannot be moved (a read-only fs, EACCES) it is left as it is and never written over, so
 * an agent started later this boot finds it and the loss again, and `lost` names it with why.
 * One that may be this boot's (its dir, or its mtime, as rule 3) is `lost`: which domUs were
 * handled is not known, so autostart starts none on its own this boot, as an unreadable
 * maintenance flag starts nothing; FILE.unreadable (a rename keeps its mtime) says so to the
 * agents started later this boot, until a reload (readAgain) or a start finds it mended or moved away. One of
 * an earlier boot is as if there was none. An id file
 * that fails is taken as absent (`idFileProblem`): the record is judged by rule 3, never left
 * unused for it. Both written through the atomic-file
 * helper, the id file after the record.
 */
export class BootRecord {
  private readonly names = new Set<string>();
  /** the boot the record on disk belongs to (null: none, or unknown); written back with every add */
  private bootId: string | null = null;
  /** why the record on disk was not used; null when it was, or there was none */
  private readProblem: string | null = null;
  /** the record on disk could not be read and is still there, to be set aside before the first write */
  private unreadOnDisk = false;
  /** why setting it aside failed (an errno); it is then never written over, and tried again at the next write */
  private asideFailed: string | null = null;
  /** a record of another boot that was set aside (normal after a reboot where the dir is not a tmpfs) */
  readonly earlierBoot: string | null = null;
  /** a record of unknown boot taken for this boot's by its mtime alone (an upgrade mid-boot, outside /run) */
  readonly byTimeAlone: string | null = null;
  /** the copy set aside earlier this boot, found mended at this start: what became of it, as a reload says it */
  readonly mended: string | null = null;
  /** why the id file beside the record was not used (the record was judged without it) */
  private idProblem: string | null = null;
  /** the boot was known from the id file (not an inline bootId, which older agents cannot read) */
  private pairedById = false;
  /**
   * A record that may be this boot's could not be read (now, or by an agent earlier this boot, its
   * copy set aside): which domUs were handled is not known, and none is started on its own
   * (agent/decide/autostart-all.ts). Why, for the decisions; null when the record is known.
   */
  private lostNow: BootRecordLost | null = null;

  /**
   * Without THIS: the record as it is on disk, its boot kept (the saver, after the start stamped it).
   * With THIS: only a record of this boot is used, and both files are stamped with this boot now.
   */
  constructor(
    private readonly file: string,
    boot?: ThisBoot,
  ) {
    // null: absent, the first start since boot
    const read = this.read();
    if (read !== null && 'problem' in read) {
      const v = boot === undefined ? null : unreadRecordVerdict({ file, mtimeMs: read.mtimeMs }, boot);
      if (v !== null && 'lost' in v) {
        this.lostNow = { why: `${file} could not be read, kept as ${asideName(file)}`, file: asideName(file) };
        this.readProblem = `${read.problem}; ${v.lost}: ${NOTHING_ON_ITS_OWN}`;
      } else this.readProblem = `${read.problem}; ${v === null ? '' : `${v.earlier}, `}starting as if nothing was handled since boot`;
      this.unreadOnDisk = true;
    } else if (read !== null) {
      const verdict = boot === undefined ? { used: null } : bootRecordVerdict({ file, bootId: read.bootId, mtimeMs: read.mtimeMs }, boot);
      if ('aside' in verdict) {
        this.earlierBoot = verdict.aside;
      } else {
        for (const n of read.handled) this.names.add(n);
        this.bootId = read.bootId;
        this.byTimeAlone = verdict.used;
      }
    }
    // a record set aside earlier this boot: a restart since must not forget that it was lost
    const asideMtime = boot === undefined || this.unreadOnDisk ? undefined : mtimeOf(asideName(file));
    const aside = boot === undefined || asideMtime === undefined ? null : unreadRecordVerdict({ file: asideName(file), mtimeMs: asideMtime }, boot);
    // mended in place since (the way out the lost record's words give): read as a reload would, or this start
    // and every later one this boot would find the loss again though the operator did what was asked
    const copy = boot === undefined || aside === null || !('lost' in aside) ? undefined : this.read(asideName(file));
    if (boot !== undefined && copy !== undefined && (copy === null || !('problem' in copy))) {
      this.mended = this.endLoss(asideName(file), copy, boot);
    } else if (aside !== null && 'lost' in aside) {
      this.lostNow = { why: `${asideName(file)}, the record an agent could not read earlier this boot`, file: asideName(file) };
      this.readProblem = `${asideName(file)}: a record of this boot an agent could not read and set aside (${aside.lost}): ${NOTHING_ON_ITS_OWN}`;
    }
    // a record already paired with this boot's id file needs no stamp
    if (boot === undefined || (this.bootId === boot.bootId && this.pairedById)) return;
    // stamp now, so that the saver's adds keep this boot's id (and the record is in the format older agents read)
    this.bootId = boot.bootId;
    const w = this.write();
    if (this.asideFailed !== null) {
      // still on disk, still unread: an agent started later this boot finds it and knows it lost, as this one does
      this.readProblem = `${this.readProblem ?? file}; ${notSetAside(file, this.asideFailed)}: the domUs handled from now on are remembered only while this agent runs`;
      if (this.lost !== null) this.lostNow = { why: `${file} could not be read, nor set aside as ${asideName(file)} (${this.asideFailed})`, file };
    } else if (!w.ok && this.readProblem === null) this.readProblem = `${w.error.message}; the domUs handled since boot may not be remembered across an agent restart`;
  }

  get lost(): BootRecordLost | null {
    return this.lostNow;
  }

  /**
   * `autostart reload` after an operator mended the lost record or moved it out of its dir: it is
   * read again, as strictly as at a start. Gone: the loss ends. Read now, and not another boot's:
   * the loss ends too, its names join those handled (the record on disk, which the saver kept,
   * read first: this instance's own names are the start's), written to the record, and a copy set
   * aside is removed once they are. Another boot's: the loss ends, its copy left as it is. Still unreadable:
   * the loss stays and `problem` says why. What became of it, for the journal; null: none was lost.
   */
  readAgain(boot: ThisBoot): { readonly ended: boolean; readonly said: string } | null {
    const lost = this.lostNow;
    if (lost === null) return null;
    const read = this.read(lost.file);
    if (read !== null && 'problem' in read) {
      this.readProblem = `${read.problem} (read again at a reload): ${NOTHING_ON_ITS_OWN}`;
      this.lostNow = { why: `${lost.file} read again at a reload, and it still cannot be read: ${read.problem}`, file: lost.file };
      return { ended: false, said: `${lost.file} read again at the reload, and it still cannot be read: ${read.problem}; ${NOTHING_ON_ITS_OWN}` };
    }
    const saved = lost.file === this.file ? null : this.read(this.file);
    if (saved !== null && !('problem' in saved)) for (const n of saved.handled) this.names.add(n);
    return { ended: true, said: this.endLoss(lost.file, read, boot) };
  }

  /**
   * The loss of LOST ends, READ being what is there now (null: gone): its names join those
   * handled when it is this boot's, all are written, and a copy set aside goes once they are (a
   * restart then reads them in the record). What became of it, for the journal.
   */
  private endLoss(lost: string, read: OnDisk | null, boot: ThisBoot): string {
    // a record naming another boot says nothing of this one's stops
    const mine = read !== null && (read.bootId === null || read.bootId === boot.bootId);
    if (mine) for (const n of read.handled) this.names.add(n);
    this.lostNow = null;
    this.readProblem = null;
    this.unreadOnDisk = false;
    this.asideFailed = null;
    this.bootId = boot.bootId;
    const w = this.write();
    const what = read === null ? `${lost} is gone` : mine ? `${lost} read again: the ${read.handled.length} domUs it names are taken as handled this boot` : `${lost} read again: a record of another boot, which says nothing of this one`;
    if (!w.ok) return `${what}; ${w.error.message}, so an agent started again this boot may find the loss again`;
    const removed = mine && lost !== this.file;
    if (removed) rmSync(lost, { force: true });
    const kept = removed ? ` (kept in ${this.file}, ${lost} removed)` : read !== null && !mine ? ' (left as it is)' : '';
    return `${what}${kept}: autostart starts guarded domUs on its own again`;
  }

  /** Why the record was not used (with what to do when it was lost); null when it was, or there was none. */
  get problem(): string | null {
    return this.lost === null || this.readProblem === null ? this.readProblem : `${this.readProblem}. To go on: ${lostFix(this.lost)}`;
  }

  get idFileProblem(): string | null {
    return this.idProblem;
  }

  /** The record on disk at FILE; null when there is none. */
  private read(file = this.file): OnDisk | Unread | null {
    // the id file pairs with the record alone, not with a copy set aside
    return readRecordFile(file, file === this.file ? (text) => this.bootIdBeside(text) : null);
  }

  /** The id file's boot when it was written with the record read as TEXT; else null (unknown). */
  private bootIdBeside(text: string): string | null {
    const id = readBootIdFile(this.file);
    if (id !== null && 'problem' in id) {
      this.idProblem = id.problem;
      return null;
    }
    if (id === null || id.digest !== recordDigest(text)) return null;
    this.pairedById = true;
    return id.bootId;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  get all(): ReadonlySet<string> {
    return this.names;
  }

  /** Remembers NAME (in memory at once; on disk unless the result says otherwise). */
  add(name: string): Result<void, XhError> {
    if (!DOMU_NAME_RE.test(name)) return err({ code: 'XH_ERR_INTERNAL', message: `refusing to record ${JSON.stringify(name)} in ${this.file}: not a domU name` });
    if (this.names.has(name)) return ok(undefined);
    this.names.add(name);
    return this.write();
  }

  private write(): Result<void, XhError> {
    const dir = ensurePrivateDir(dirname(this.file), { create: true, repair: false });
    if (!dir.ok) return err({ code: 'XH_ERR_FILE', message: `${dir.error.message}; ${this.file} not written` });
    // no bootId key: older agents refuse a record with one (boot-record-id.ts)
    const text = JSON.stringify({ handled: [...this.names].sort() });
    if (this.unreadOnDisk) {
      // what it held may be the only account of this boot's stops, and its being there tells a later agent it was lost
      const failed = setAside(this.file);
      this.asideFailed = failed;
      if (failed !== null) return err({ code: 'XH_ERR_FILE', message: `${this.file} could not be read and ${notSetAside(this.file, failed)}: the domUs handled since boot are not recorded for an agent started later` });
      this.unreadOnDisk = false;
      this.readProblem = `${this.readProblem ?? this.file}; it is kept as ${asideName(this.file)} (the domUs it names were handled since boot: started, or stopped by an operator)`;
    }
    const w = writeFileAtomic(this.file, text);
    if (!w.ok) return err({ code: 'XH_ERR_FILE', message: w.error.message });
    // an unknown boot is not guessed: the id file left does not match this record, so it says nothing of it
    if (this.bootId === null) return ok(undefined);
    const id = writeBootIdFile(this.file, this.bootId, text);
    if (id.ok) this.pairedById = true;
    return id.ok ? id : err({ code: 'XH_ERR_FILE', message: `${id.error.message}; the record was written, but an agent started again will judge its boot by its time alone` });
  }
}

/** At a reload: a lost RECORD read again, what became of it told to SAY, and what the core takes of it; undefined when none was lost. */
export function bootRecordAtReload(record: BootRecord, boot: ThisBoot, say: (ended: boolean, said: string) => void): BootRecordAgain | undefined {
  const again = record.readAgain(boot);
  if (again === null) return undefined;
  say(again.ended, again.said);
  return { lost: record.lost, handled: [...record.all] };
}
