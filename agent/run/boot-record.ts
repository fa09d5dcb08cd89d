import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The guarded domUs autostart has dealt with since this Dom0 booted (started by us, or seen
 * running): kept in the runtime dir (/run/xenherd, a tmpfs emptied by every boot), so an agent
 * restarted mid-boot knows them, and a domU an operator stops later is not started again.
 */
const RecordSchema = z.object({ handled: z.array(z.string()) }).strict();

export class BootRecord {
  private readonly names = new Set<string>();
  constructor(private readonly file: string) {
    try {
      for (const n of RecordSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).handled) this.names.add(n);
    } catch {
      /* absent (first start since boot) or unreadable: nothing handled yet */
    }
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  get all(): ReadonlySet<string> {
    return this.names;
  }

  add(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileSync(`${this.file}.tmp`, JSON.stringify({ handled: [...this.names].sort() }));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
