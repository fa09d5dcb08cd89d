import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../../helpers/until.js';

/**
 * Fake external tools for the bound tests: small sh scripts in a temp dir. Each script records its
 * own pid (and its children's) in files named after it, so a test checks exactly the processes it
 * started, never the whole machine. `cleanup()` kills whatever a failed test left running.
 */
export interface FakeTools {
  readonly dir: string;
  /** writes an executable sh script; `$PIDS` in it is the directory for pid files (NAME.pid, NAME.child) */
  tool(name: string, body: string): string;
  /** pids recorded in PIDS/<file>, waiting (bounded) for the script to have written them */
  pids(file: string): Promise<number[]>;
  /** SIGKILL every pid the scripts recorded that is still theirs, then remove the temp dir */
  cleanup(): void;
}

export function fakeTools(prefix: string): FakeTools {
  const dir = mkdtempSync(join(tmpdir(), `xenherd-${prefix}-`));
  const recorded = new Set<number>();
  const readPids = (file: string): number[] => {
    const p = join(dir, file);
    if (!existsSync(p)) return [];
    const pids = readFileSync(p, 'utf8').split(/\s+/).filter((s) => /^[0-9]+$/.test(s)).map(Number);
    for (const pid of pids) recorded.add(pid);
    return pids;
  };
  return {
    dir,
    tool(name, body) {
      const p = join(dir, name);
      writeFileSync(p, `#!/bin/sh\nPIDS='${dir}'; export PIDS\n${body}\n`);
      chmodSync(p, 0o755);
      return p;
    },
    async pids(file) {
      await until(() => readPids(file).length > 0, `pid file ${file}`, { limitMs: 5_000 });
      return readPids(file);
    },
    cleanup() {
      // every pid any script wrote, read or not by its test (a failed test may not have), but only
      // while it is still ours: it carries this dir in PIDS (a reused pid would not)
      for (const f of readdirSync(dir)) if (/\.(pid|child)$/.test(f)) readPids(f);
      for (const pid of recorded) {
        if (!ours(pid, dir)) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone: the expected case */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Was this process started by a fake tool of this dir (its environment names the dir)? */
function ours(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`PIDS=${dir}`);
  } catch {
    return false;
  }
}

/**
 * Is this pid a live process? A zombie counts as gone: a killed grandchild is reparented to init,
 * which in a container may take a while to reap it, but it holds no pipe and runs nothing.
 */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until none of these pids is alive (bounded), so an assertion about them is not a race. */
export async function gone(pids: readonly number[], limitMs = 5_000): Promise<number[]> {
  try {
    await until(() => pids.every((p) => !alive(p)), `pids ${pids.join(' ')} to end`, { limitMs });
  } catch {
    /* the caller's expect() names the survivors */
  }
  return pids.filter(alive);
}

/**
 * The promise's value, or 'still pending' after limitMs: a call that hangs fails its test with a
 * clear value instead of the runner's timeout. The limit only bounds a broken call.
 */
export async function settleWithin<T>(p: Promise<T>, limitMs: number): Promise<T | 'still pending'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'still pending'>((r) => (timer = setTimeout(() => r('still pending'), limitMs)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}
