import { statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Whether `tool` could be executed from PATH: a name with a slash is taken as given; a bare name
 * needs a regular file of that name in one of PATH's directories. A spawn of a missing tool still
 * forks the agent before exec fails (tens of milliseconds for a process of the agent's size), and
 * the first read of every xl host asks for `xm` too: a few stats answer "not there" for less.
 */
export function mayBeOnPath(tool: string, pathVar: string | undefined): boolean {
  if (tool.includes('/')) return true;
  for (const dir of (pathVar ?? '').split(delimiter)) {
    // an empty PATH entry is the current directory
    try {
      if (statSync(join(dir === '' ? '.' : dir, tool), { throwIfNoEntry: false })?.isFile()) return true;
    } catch {
      // a PATH entry that is not a readable directory holds nothing
    }
  }
  return false;
}
