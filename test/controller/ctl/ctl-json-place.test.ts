import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadCtlConfig } from '../../../controller/ctl/config.js';
import { ctlDirRefusal, dirsAbove, type Who } from '../../../controller/ctl/ctl-file-place.js';
import { ctlFor } from './ctl-bed.js';

// Whoever can write a directory ctl.json sits in (or one above it, up to HOME) can put another
// ctl.json in its place, and its url and ca choose where xenherdctl sends the token; as can a
// group other than root's or the user's own that may write the file itself.
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const CONTENT = JSON.stringify({ url: 'https://ctl.example:7443', token: TOKEN });
const me: Who = { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
const INSTEAD = 'or set XENHERD_URL, XENHERD_TOKEN and XENHERD_CA instead';

/** TOP (a temp dir) holding HOME, whose ~/.config/xenherd/ctl.json holds CONTENT, owner-only */
function fresh(): { top: string; home: string; config: string; dir: string; file: string } {
  const top = mkdtempSync(join(tmpdir(), 'xenherd-ctlplace-'));
  onTestFinished(() => rmSync(top, { recursive: true, force: true }));
  const home = join(top, 'home');
  const config = join(home, '.config');
  const dir = join(config, 'xenherd');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = join(dir, 'ctl.json');
  writeFileSync(file, CONTENT, { mode: 0o600 });
  return { top, home, config, dir, file };
}

const message = (r: ReturnType<typeof loadCtlConfig>): string => (r.ok ? 'loaded' : `${r.error.code}: ${r.error.message}`);

/**
 * PATH's group made one that is neither root's nor the loader's ('foreign'), or the loader's own
 * ('own'): as root by chown; otherwise PATH keeps this user's group and the loader is told it
 * runs under another one. Returns who the loader is.
 */
function grouped(path: string, kind: 'foreign' | 'own'): Who {
  if (me.uid === 0) {
    chownSync(path, 0, kind === 'foreign' ? 4343 : 4545);
    return { uid: 0, gid: 4545 };
  }
  return kind === 'foreign' ? { uid: me.uid, gid: me.gid + 1 } : me;
}

describe('a directory that holds ctl.json, or lies above it up to HOME', () => {
  it('writable by others: refused (XH_ERR_CONFIG, exit 78), naming the directory and the chmod that fixes it', async () => {
    const { home, dir, file } = fresh();
    chmodSync(dir, 0o777);
    expect(message(loadCtlConfig({ HOME: home }))).toBe(
      `XH_ERR_CONFIG: ${dir}, which holds ${file}, is writable by others (mode 0777): anyone can put another ctl.json (or directory) in its place, choosing where xenherdctl sends the token, so it is not used; run chmod o-w ${dir}, ${INSTEAD}`,
    );
    const r = await ctlFor(null)(['hosts'], { HOME: home });
    expect([r.code, r.stderr]).toEqual([78, expect.stringContaining(`XH_ERR_CONFIG: ${dir}, which holds ${file}, is writable by others`)]);
  });

  it('~/.config or HOME itself writable by others: refused the same way, named as above the file; what lies above HOME is not looked at', () => {
    for (const which of ['config', 'home'] as const) {
      const place = fresh();
      chmodSync(place[which], 0o757);
      expect(message(loadCtlConfig({ HOME: place.home })), which).toBe(
        `XH_ERR_CONFIG: ${place[which]}, above ${place.file}, is writable by others (mode 0757): anyone can put another ctl.json (or directory) in its place, choosing where xenherdctl sends the token, so it is not used; run chmod o-w ${place[which]}, ${INSTEAD}`,
      );
    }
    const { top, home } = fresh();
    chmodSync(top, 0o777);
    expect(loadCtlConfig({ HOME: home }).ok).toBe(true);
  });

  it('with XDG_CONFIG_HOME outside HOME, every directory up to / counts; one with the sticky bit (as /tmp) is passed', () => {
    const { top, config } = fresh();
    chmodSync(top, 0o1777);
    expect(loadCtlConfig({ HOME: '/nonexistent', XDG_CONFIG_HOME: config }).ok).toBe(true);
    chmodSync(top, 0o777);
    expect(message(loadCtlConfig({ HOME: '/nonexistent', XDG_CONFIG_HOME: config }))).toContain(`XH_ERR_CONFIG: ${top}, above ${join(config, 'xenherd', 'ctl.json')}, is writable by others (mode 0777)`);
  });

  it('writable by a group neither root nor the user is: refused with chmod g-w; by the user\'s own group: used', () => {
    const foreign = fresh();
    chmodSync(foreign.dir, 0o775);
    const who = grouped(foreign.dir, 'foreign');
    const gid = me.uid === 0 ? 4343 : me.gid;
    expect(message(loadCtlConfig({ HOME: foreign.home }, () => undefined, who))).toBe(
      `XH_ERR_CONFIG: ${foreign.dir}, which holds ${foreign.file}, is writable by its group (gid ${gid}, mode 0775), which is neither yours (gid ${who.gid}) nor root's: its members can put another ctl.json (or directory) in its place, choosing where xenherdctl sends the token, so it is not used; run chmod g-w ${foreign.dir}, ${INSTEAD}`,
    );
    const own = fresh();
    chmodSync(own.dir, 0o775);
    expect(loadCtlConfig({ HOME: own.home }, () => undefined, grouped(own.dir, 'own')).ok).toBe(true);
  });

  it('a symbolic link in HOME to a ctl.json elsewhere: the directories where it really is count too, named by the real file', () => {
    const { top, home, file } = fresh();
    const elsewhere = join(top, 'shared');
    mkdirSync(elsewhere, { mode: 0o777 });
    chmodSync(elsewhere, 0o777);
    const real = join(elsewhere, 'ctl.json');
    writeFileSync(real, CONTENT, { mode: 0o600 });
    rmSync(file);
    symlinkSync(real, file);
    expect(dirsAbove(file, home)).toContainEqual({ dir: elsewhere, below: real });
    expect(message(loadCtlConfig({ HOME: home }))).toContain(`XH_ERR_CONFIG: ${elsewhere}, which holds ${real}, is writable by others (mode 0777)`);
  });

  it('owned by another user than this one or root: refused, naming the chown that fixes it', () => {
    const file = '/home/op/.config/xenherd/ctl.json';
    expect(ctlDirRefusal('/home/op/.config', file, { mode: 0o755, uid: 1001, gid: 1001 }, { uid: 1000, gid: 1000 })).toBe(
      `/home/op/.config, above ${file}, is owned by uid 1001, not by you (uid 1000) or root: its owner can put another ctl.json (or directory) in its place, choosing where xenherdctl sends the token, so it is not used; make it yours (chown 1000 /home/op/.config), ${INSTEAD}`,
    );
    expect(ctlDirRefusal('/home', file, { mode: 0o755, uid: 0, gid: 0 }, { uid: 1000, gid: 1000 })).toBeNull();
    expect(ctlDirRefusal('/home/op', file, { mode: 0o775, uid: 1000, gid: 0 }, { uid: 1000, gid: 1000 })).toBeNull();
  });
});

describe('ctl.json writable by its group', () => {
  it('a group neither root nor the user is: refused, naming the file and chmod 600; the user\'s own group: used, with the warning', () => {
    const foreign = fresh();
    chmodSync(foreign.file, 0o620);
    const who = grouped(foreign.file, 'foreign');
    const gid = me.uid === 0 ? 4343 : me.gid;
    expect(message(loadCtlConfig({ HOME: foreign.home }, () => undefined, who))).toBe(
      `XH_ERR_CONFIG: ${foreign.file} is writable by its group (gid ${gid}, mode 0620), which is neither yours (gid ${who.gid}) nor root's: its members can choose where xenherdctl sends the token, so it is not used; run chmod 600 ${foreign.file}, ${INSTEAD}`,
    );
    const own = fresh();
    chmodSync(own.file, 0o620);
    const warnings: string[] = [];
    expect(loadCtlConfig({ HOME: own.home }, (w) => warnings.push(w), grouped(own.file, 'own')).ok).toBe(true);
    expect(warnings).toEqual([expect.stringContaining(`${own.file} holds the controller token ("token") but is writable by its group (mode 0620)`)]);
  });
});
