import { realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { modeText } from '../../shared/text/mode-words.js';

/**
 * Who may change ctl.json besides the user running xenherdctl. Its url and ca choose where the
 * next command sends the token, ctl.json's or XENHERD_TOKEN's alike, so a file someone else can
 * change, or can swap by writing a directory above it, is not used at all, as ssh refuses such a
 * config and such a ~/.ssh. Root, the user, and the user's own group (a private group under
 * umask 002) are trusted; any other owner or group able to write is not.
 */
export interface Who {
  readonly uid: number;
  readonly gid: number;
}

/** what a stat says of a file or directory: the permission bits, owner and group */
export interface Place {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

const INSTEAD = 'or set XENHERD_URL, XENHERD_TOKEN and XENHERD_CA instead';

/** who besides WHO and root can write a thing of ST, in words, or null */
function otherWriters(st: Place, who: Who): string | null {
  if ((st.mode & 0o002) !== 0) return `writable by others (mode ${modeText(st.mode)})`;
  if ((st.mode & 0o020) !== 0 && st.gid !== 0 && st.gid !== who.gid) return `writable by its group (gid ${st.gid}, mode ${modeText(st.mode)}), which is neither yours (gid ${who.gid}) nor root's`;
  return null;
}

// Built from its parts: a bundled `chown ${x.uid}` reads to lintian as the old `chown user.group` form.
const chownTo = (who: Who, path: string): string => ['chown', String(who.uid), path].join(' ');

const notOwned = (st: Place, who: Who): boolean => st.uid !== who.uid && st.uid !== 0;

/** Why ctl.json FILE (of ST) is not used at all, or null. One its group or others only read is a warning instead (config.ts ctlTokenExposure). */
export function ctlFileRefusal(file: string, st: Place, who: Who): string | null {
  if (notOwned(st, who)) {
    return `${file} is owned by uid ${st.uid}, not by you (uid ${who.uid}) or root: its owner chooses where xenherdctl sends the token, so it is not used; make it yours (${chownTo(who, file)}; chmod 600 ${file}), ${INSTEAD}`;
  }
  const writers = otherWriters(st, who);
  if (writers === null) return null;
  const whoCan = (st.mode & 0o002) !== 0 ? 'anyone' : 'its members';
  return `${file} is ${writers}: ${whoCan} can choose where xenherdctl sends the token, so it is not used; run chmod 600 ${file}, ${INSTEAD}`;
}

/** Why directory DIR (of ST), which holds ctl.json FILE (or the file a link of that name points to) or lies above it, makes it unusable, or null. */
export function ctlDirRefusal(dir: string, file: string, st: Place, who: Who): string | null {
  const where = dirname(file) === dir ? `${dir}, which holds ${file},` : `${dir}, above ${file},`;
  const swap = 'put another ctl.json (or directory) in its place, choosing where xenherdctl sends the token, so it is not used';
  if (notOwned(st, who)) return `${where} is owned by uid ${st.uid}, not by you (uid ${who.uid}) or root: its owner can ${swap}; make it yours (${chownTo(who, dir)}), ${INSTEAD}`;
  // the sticky bit (/tmp) lets no one rename or remove what another user owns in it
  if ((st.mode & 0o1000) !== 0) return null;
  const writers = otherWriters(st, who);
  if (writers === null) return null;
  const fix = (st.mode & 0o002) !== 0 ? (otherWriters({ ...st, mode: st.mode & ~0o002 }, who) === null ? 'o-w' : 'go-w') : 'g-w';
  return `${where} is ${writers}: ${(st.mode & 0o002) !== 0 ? 'anyone' : 'its members'} can ${swap}; run chmod ${fix} ${dir}, ${INSTEAD}`;
}

/**
 * The directories whose writers could swap ctl.json FILE, each with the file below it it is
 * named by: each from FILE's own up to HOME (HOME included, as ssh checks ~/.ssh's), else up to
 * /; and, when FILE or a directory on the way is a symbolic link, those of where FILE really is,
 * up to HOME's real path, named by that real path.
 */
export function dirsAbove(file: string, home: string | null): Array<{ readonly dir: string; readonly below: string }> {
  const dirs = new Map<string, string>();
  const walk = (from: string, stop: string | null): void => {
    for (let d = dirname(from); ; d = dirname(d)) {
      if (!dirs.has(d)) dirs.set(d, from);
      if (d === stop || dirname(d) === d) return;
    }
  };
  walk(file, home);
  const real = realPath(file);
  if (real !== null && real !== file) walk(real, home === null ? null : realPath(home));
  return [...dirs].map(([dir, below]) => ({ dir, below }));
}

function realPath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** The first refusal among the directories above FILE (dirsAbove), or null; a directory that cannot be stat'ed is passed over: reading FILE said what it could. */
export function ctlDirsRefusal(file: string, home: string | null, who: Who): string | null {
  for (const { dir, below } of dirsAbove(file, home)) {
    let st: Place;
    try {
      st = statSync(dir);
    } catch {
      continue;
    }
    const refused = ctlDirRefusal(dir, below, { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }, who);
    if (refused !== null) return refused;
  }
  return null;
}
