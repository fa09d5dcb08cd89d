import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * A start in flight, on disk: `<stateDir>/starting/NAME.json` holds the pid of the `xl create`
 * running for NAME. An agent killed mid-start leaves it behind; the next agent waits while that
 * process lives (it may still be creating the domain, and `xl list` may not show it yet) instead
 * of starting the domU a second time.
 */
const IntentSchema = z.object({ name: z.string(), pid: z.number().int().positive(), configPath: z.string(), at: z.string() }).strict();
export type StartIntent = z.infer<typeof IntentSchema>;

export class StartIntents {
  private readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'starting');
  }

  write(intent: StartIntent): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${intent.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(intent));
    renameSync(`${file}.tmp`, file);
  }

  remove(name: string): void {
    rmSync(join(this.dir, `${name}.json`), { force: true });
  }

  /** every readable intent; unreadable files are removed (a torn write never started anything) */
  readAll(): StartIntent[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const out: StartIntent[] = [];
    for (const n of names) {
      try {
        out.push(IntentSchema.parse(JSON.parse(readFileSync(join(this.dir, n), 'utf8'))));
      } catch {
        rmSync(join(this.dir, n), { force: true });
      }
    }
    return out;
  }
}

/** Whether pid is a live (not zombie) process whose command line mentions the config path. */
export function createStillRunning(intent: StartIntent): boolean {
  try {
    const stat = readFileSync(`/proc/${intent.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    const cmdline = readFileSync(`/proc/${intent.pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(intent.configPath) && cmdline.includes('create');
  } catch {
    return false;
  }
}
