import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every path in a tree with its kind, for "what did install + purge leave behind". Pseudo file
 * systems and scratch places are skipped, and so are the records dpkg itself keeps of what it did
 * (its database and log), which change by design.
 */
const SKIP = new Set(['proc', 'sys', 'dev', 'run', 'tmp', 'var/tmp', 'var/lib/dpkg', 'var/log', 'var/cache/debconf']);

export function listTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel))) {
      const p = rel === '' ? name : `${rel}/${name}`;
      if (SKIP.has(p)) continue;
      const st = lstatSync(join(root, p));
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other';
      out.set(p, kind);
      if (kind === 'dir') walk(p);
    }
  };
  walk('');
  return out;
}

/** Paths added and removed between two listings (a changed kind counts as both). */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): { added: string[]; removed: string[] } {
  const added = [...after].filter(([p, k]) => before.get(p) !== k).map(([p]) => p).sort();
  const removed = [...before].filter(([p, k]) => after.get(p) !== k).map(([p]) => p).sort();
  return { added, removed };
}
