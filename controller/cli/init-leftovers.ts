import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { shellWord } from './common.js';

/**
 * `init` writes its files one at a time (a CA key, its certificate, a server key and certificate,
 * controller.json, tokens.json), so an init killed between two writes (SIGKILL, a power cut)
 * leaves some of them, and each write's temp copy (NAME.tmp-PID) when killed inside one. DIR's
 * mark says so: written before the first file, removed after the last. Its admin token is printed
 * only after the last write, so nothing can be using what such an init left.
 */
export const unfinishedMark = (dir: string): string => join(dir, 'init.unfinished');

export const MARK_TEXT = 'xenherd-controller init began writing this directory and did not finish: its next run names what to remove\n';

const there = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** What an init stopped in DIR left of FILES (each present, and its temp copies), in order; null: DIR holds no stopped init's mark. */
export function initLeftovers(dir: string, files: readonly string[]): string[] | null {
  if (!there(unfinishedMark(dir))) return null;
  const left: string[] = [];
  for (const file of files) {
    if (there(file)) left.push(file);
    let names: string[] = [];
    try {
      names = readdirSync(dirname(file));
    } catch {
      // its directory was never made
    }
    for (const n of names.sort()) if (n.startsWith(`${basename(file)}.tmp-`)) left.push(join(dirname(file), n));
  }
  return left;
}

/** The refusal of an init that finds LEFT, a stopped init's files in DIR: which, why they are safe to remove, and the command. */
export const leftoverWords = (dir: string, left: readonly string[]): string =>
  `an earlier xenherd-controller init of ${dir} stopped before it finished (killed, or its machine went down) and left ${left.join(', ')}: nothing was written by this one. It printed no token for them and nothing uses them: remove them and run init again: rm -f -- ${[...left, unfinishedMark(dir)].map(shellWord).join(' ')}`;

/** Removes what this init wrote (FILES) and DIR's mark, after a write failed; what cannot be removed is returned. */
export function removeWritten(dir: string, files: readonly string[]): string[] {
  const stuck: string[] = [];
  for (const f of [...files, unfinishedMark(dir)]) {
    try {
      unlinkSync(f);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') stuck.push(f);
    }
  }
  return stuck;
}
