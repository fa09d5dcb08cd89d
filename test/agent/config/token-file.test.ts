import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../../agent/config/load.js';
import { loadAgentConfig } from '../../../agent/config/resolve.js';
import { tokenExposure, tokenFileExposure } from '../../../agent/config/token-file.js';
import type { AgentConfig } from '../../../agent/config/schema.js';

// agent.json with a controller section holds the token: `enroll > xen1.json` under umask 022
// makes it 0644, and the agent ran on with nothing in the journal.
const FILE = '/etc/xenherd/agent.json';
const ENROLLED = { controller: { url: 'wss://ctl.example:7443', token: 'xh1.xen1.abcdefghijklmnopqrstuv', caFingerprint: Array(32).fill('AB').join(':') } };
const config = (v: unknown): AgentConfig => {
  const r = parseAgentConfig(JSON.stringify(v), FILE);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const dir = mkdtempSync(join(tmpdir(), 'xenherd-token-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const me = process.geteuid?.() ?? 0;

describe('a controller token in a readable agent.json', () => {
  it('names the file, the mode and the fix when group or others can read it', () => {
    const w = tokenExposure(FILE, config(ENROLLED), { mode: 0o100644, uid: 0 }, 0);
    expect(w).toBe(`${FILE} holds the controller token ("controller.token") but is readable by others (mode 0644): anyone who reads it can report as this Dom0; run chmod 600 ${FILE}`);
    expect(tokenExposure(FILE, config(ENROLLED), { mode: 0o100640, uid: 0 }, 0)).toContain('readable by its group (mode 0640)');
    expect(tokenExposure(FILE, config(ENROLLED), { mode: 0o100602, uid: 0 }, 0)).toContain('writable by others (mode 0602)');
  });

  it('names the owner when it is not the user running the agent (root)', () => {
    const w = tokenExposure(FILE, config(ENROLLED), { mode: 0o100600, uid: 1000 }, 0);
    expect(w).toContain('is owned by uid 1000, not by root');
    expect(w).toContain(`run chown root ${FILE}`);
    expect(tokenExposure(FILE, config(ENROLLED), { mode: 0o100644, uid: 1000 }, 0)).toContain(`run chmod 600 ${FILE} and chown root ${FILE}`);
  });

  it('says nothing for an owner-only file, or a readable one without a token', () => {
    expect(tokenExposure(FILE, config(ENROLLED), { mode: 0o100600, uid: 0 }, 0)).toBeNull();
    expect(tokenExposure(FILE, config(ENROLLED), { mode: 0o100400, uid: 0 }, 0)).toBeNull();
    expect(tokenExposure(FILE, config({ autostart: { parallel: 2 } }), { mode: 0o100644, uid: 0 }, 0)).toBeNull();
  });

  it('says exactly who can read and who can write it: readable and writable by others is not "readable by others"', () => {
    const w = tokenExposure(FILE, config(ENROLLED), { mode: 0o100666, uid: 0 }, 0);
    expect(w).toBe(
      `${FILE} holds the controller token ("controller.token") but is readable and writable by others (mode 0666): anyone who reads it can report as this Dom0, ` +
        `and anyone who writes it chooses what the agent starts and runs as root (guardedDir, the migration settings); run chmod 600 ${FILE}`,
    );
    expect(tokenExposure(FILE, config(ENROLLED), { mode: 0o100664, uid: 0 }, 0)).toContain('is readable by others and writable by its group (mode 0664)');
  });
});

describe('an agent.json others can write, with or without a token', () => {
  // guardedDir names the domU configs the agent runs as root: whoever writes agent.json owns the Dom0
  const plain = config({ autostart: { parallel: 2 } });

  it('is warned without a token, naming what others can do and the fix', () => {
    expect(tokenExposure(FILE, plain, { mode: 0o100666, uid: 0 }, 0)).toBe(
      `${FILE} is writable by others (mode 0666): anyone who writes it chooses what the agent starts and runs as root (guardedDir, the migration settings); run chmod go-w ${FILE}`,
    );
    expect(tokenExposure(FILE, plain, { mode: 0o100664, uid: 0 }, 0)).toContain('is writable by its group (mode 0664)');
    expect(tokenExposure(FILE, plain, { mode: 0o100644, uid: 1000 }, 0)).toContain(`is owned by uid 1000, not by root, which runs the agent: anyone who writes it`);
  });

  it('is examined on disk without a token', () => {
    const f = join(dir, 'plain.json');
    writeFileSync(f, JSON.stringify({ autostart: { parallel: 2 } }));
    chmodSync(f, 0o666);
    expect(tokenFileExposure(f, plain, me)).toContain(`is writable by others (mode 0666)`);
    chmodSync(f, 0o644);
    expect(tokenFileExposure(f, plain, me)).toBeNull();
  });

  it('examines the file loadAgentConfig read, through a symlink, as the agent does at start', () => {
    const real = join(dir, 'agent.json');
    writeFileSync(real, JSON.stringify(ENROLLED));
    chmodSync(real, 0o644);
    const link = join(dir, 'link.json');
    symlinkSync(real, link);
    for (const f of [real, link]) {
      const loaded = loadAgentConfig(f, '/');
      expect(loaded.ok).toBe(true);
      if (!loaded.ok) return;
      expect(tokenFileExposure(loaded.value.file, loaded.value.config, me)).toContain(`(mode 0644): anyone who reads it can report as this Dom0; run chmod 600 ${f}`);
    }
    chmodSync(real, 0o600);
    expect(tokenFileExposure(real, config(ENROLLED), me)).toBeNull();
    expect(tokenFileExposure(null, config(ENROLLED), me)).toBeNull();
    expect(tokenFileExposure(join(dir, 'gone.json'), config(ENROLLED), me)).toBeNull();
  });
});
