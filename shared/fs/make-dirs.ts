import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p PATH` one level at a time. Node's mkdirSync({ recursive: true }) never returns where a
 * level cannot be made and the kernel answers ENOENT for it while its parent exists (/proc/x/y:
 * ENOENT, then EEXIST for /proc, and again, forever); here that ENOENT is thrown like any other
 * error. A level made meanwhile by another process is fine. Throws Node's error for the level
 * that failed.
 */
export function makeDirs(path: string, mode: number): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      mkdirSync(p, { mode });
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') break;
      // the root itself cannot be missing: whatever it says is the answer
      if (code !== 'ENOENT' || dirname(p) === p) throw e;
      missing.push(p);
    }
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
