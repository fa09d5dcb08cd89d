import { dirname } from 'node:path';
import { z } from 'zod';
import type { XhError } from '../../shared/errors.js';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { err, ok, type Result } from '../../shared/result.js';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';

/**
 * The guarded domUs autostart has dealt with since this Dom0 booted (started by us, or seen
 * running here or, as the controller said, elsewhere), kept beside the control socket so an agent restarted mid-boot knows them, and a domU
 * an operator stops later is not started again.
 *
 * The record names the boot it belongs to (the kernel's boot id): the control socket may be
 * configured outside a tmpfs (/var/lib/…), where the record survives a reboot, and a record from
 * an earlier boot would keep every domU from starting after it. A record of another boot is not
 * used. One from before the record had a boot id is used only where the socket dir is one every
 * boot empties (`emptiedByBoot`, /run): there it can only be this boot's (an agent upgraded
 * mid-boot must not start again the domUs an operator stopped); anywhere else it may be older.
 *
 * Read back as strictly as live input: a regular file (no symlink, no FIFO that would block the
 * daemon), every name a domU name. A record that fails is not used (as on the first start since
 * boot) and `problem` says why, for the daemon's log. Written through the atomic-file helper.
 */
const BOOT_ID_RE = /^[A-Za-z0-9-]{1,64}$/;
const RecordSchema = z.strictObject({
  bootId: z.string().regex(BOOT_ID_RE, 'a boot id').optional(),
  handled: z.array(z.string().regex(DOMU_NAME_RE, 'a domU name')).max(100_000),
});

/** The boot the agent runs in, for reading the record at start. */
export interface ThisBoot {
  readonly bootId: string;
  /** the record's dir is on a tmpfs every boot empties (/run): a record without a boot id is this boot's */
  readonly emptiedByBoot: boolean;
}

export class BootRecord {
  private readonly names = new Set<string>();
  /** the boot the record on disk belongs to (null: none, or a record without one); written back with every add */
  private bootId: string | null = null;
  /** why the record on disk was not used; null when it was, or there was none */
  readonly problem: string | null = null;
  /** a record of another boot that was set aside (normal after a reboot where the dir is not a tmpfs) */
  readonly earlierBoot: string | null = null;

  /**
   * Without THIS: the record as it is on disk, boot id kept (the saver, after the start stamped it).
   * With THIS: only a record of this boot is used, and the file is stamped with this boot's id now.
   */
  constructor(
    private readonly file: string,
    boot?: ThisBoot,
  ) {
    // null: absent, the first start since boot
    const read = this.read();
    if (read !== null && 'problem' in read) {
      this.problem = read.problem;
    } else if (read !== null && boot !== undefined && read.bootId !== boot.bootId && (read.bootId !== null || !boot.emptiedByBoot)) {
      this.earlierBoot = `${file}: ${read.bootId === null ? 'a record without a boot id, outside a dir every boot empties' : `from boot ${read.bootId}, not this one (${boot.bootId})`}: not used, nothing handled since this boot yet`;
    } else if (read !== null) {
      for (const n of read.handled) this.names.add(n);
      this.bootId = read.bootId;
    }
    if (boot === undefined || this.bootId === boot.bootId) return;
    // stamp now, so that the saver's adds keep this boot's id
    this.bootId = boot.bootId;
    const w = this.write();
    if (!w.ok && this.problem === null) this.problem = `${w.error.message}; the domUs handled since boot may not be remembered across an agent restart`;
  }

  /** The record on disk; null when there is none. */
  private read(): { readonly bootId: string | null; readonly handled: readonly string[] } | { readonly problem: string } | null {
    const file = this.file;
    const text = readRegularFileSync(file, { maxBytes: 8 * 1024 * 1024 });
    if (!text.ok) {
      return text.error.errno === 'ENOENT' ? null : { problem: `${text.error.message}; starting as if nothing was handled since boot` };
    }
    let raw: unknown;
    // a byte-order mark (an editor's) is not part of the JSON
    const json = withoutByteOrderMark(text.value);
    try {
      raw = JSON.parse(json);
    } catch (e) {
      return { problem: `${file}: not JSON (${(e as Error).message}); starting as if nothing was handled since boot` };
    }
    // xenherd writes each key once; two mean another writer, and the last one is not more right
    const twice = findDuplicateKey(json);
    if (twice !== null) return { problem: `${duplicateKeyText(file, twice)}: not a boot record; starting as if nothing was handled since boot` };
    const r = RecordSchema.safeParse(raw);
    if (!r.success) {
      return { problem: `${file}: not a boot record (${r.error.issues[0]?.path.join('.') || 'record'}: ${r.error.issues[0]?.message ?? 'invalid'}); starting as if nothing was handled since boot` };
    }
    return { bootId: r.data.bootId ?? null, handled: r.data.handled };
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
    const record = { ...(this.bootId !== null ? { bootId: this.bootId } : {}), handled: [...this.names].sort() };
    const w = writeFileAtomic(this.file, JSON.stringify(record));
    return w.ok ? w : err({ code: 'XH_ERR_FILE', message: w.error.message });
  }
}
