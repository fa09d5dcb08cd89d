import { dirname } from 'node:path';
import { z } from 'zod';
import type { XhError } from '../../shared/errors.js';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';

/**
 * The guarded domUs autostart has dealt with since this Dom0 booted (started by us, or seen
 * running): kept in the runtime dir (/run/xenherd, a tmpfs emptied by every boot), so an agent
 * restarted mid-boot knows them, and a domU an operator stops later is not started again.
 *
 * Read back as strictly as live input: a regular file (no symlink, no FIFO that would block the
 * daemon), every name a domU name. A record that fails is not used (as on the first start since
 * boot) and `problem` says why, for the daemon's log. Written through the atomic-file helper.
 */
const RecordSchema = z.strictObject({ handled: z.array(z.string().regex(DOMU_NAME_RE, 'a domU name')).max(100_000) });

export class BootRecord {
  private readonly names = new Set<string>();
  /** why the record on disk was not used; null when it was, or there was none */
  readonly problem: string | null = null;

  constructor(private readonly file: string) {
    const text = readRegularFileSync(file, { maxBytes: 8 * 1024 * 1024 });
    if (!text.ok) {
      // absent: the first start since boot
      if (text.error.errno !== 'ENOENT') this.problem = `${text.error.message}; starting as if nothing was handled since boot`;
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text.value);
    } catch {
      raw = null;
    }
    // xenherd writes "handled" once; two mean another writer, and the last one is not more right
    const twice = raw === null ? null : findDuplicateKey(text.value);
    if (twice !== null) {
      this.problem = `${duplicateKeyText(file, twice)}: not a boot record; starting as if nothing was handled since boot`;
      return;
    }
    const r = RecordSchema.safeParse(raw);
    if (!r.success) {
      this.problem = `${file}: not a boot record (${r.error.issues[0]?.path.join('.') || 'record'}: ${r.error.issues[0]?.message ?? 'invalid'}); starting as if nothing was handled since boot`;
      return;
    }
    for (const n of r.data.handled) this.names.add(n);
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
    const dir = ensurePrivateDir(dirname(this.file), { create: true, repair: false });
    if (!dir.ok) return err({ code: 'XH_ERR_FILE', message: `${dir.error.message}; ${this.file} not written` });
    const w = writeFileAtomic(this.file, JSON.stringify({ handled: [...this.names].sort() }));
    return w.ok ? w : err({ code: 'XH_ERR_FILE', message: w.error.message });
  }
}
