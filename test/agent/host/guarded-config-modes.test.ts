import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostFiles } from '../../../agent/host/files.js';
import { readGuardedConfigs } from '../../../agent/host/guarded-configs.js';
import { readGuarded } from '../../../agent/host/host-read.js';
import { configUnsafe } from '../../../agent/decide/config-safety.js';

// The modes and owners of real files under a host root (XENHERD_HOST_ROOT), read through the
// host files port as the agent reads them, and judged as the decision judges them (the adapter
// only reads); chmod and chown work on them as the test's user.

const root = mkdtempSync(join(tmpdir(), 'xenherd-guarded-modes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const me = process.geteuid?.() ?? 0;
const GUARDED = '/etc/xen/drbd-auto';
const guardedReal = join(root, 'etc/xen/drbd-auto');
mkdirSync(guardedReal, { recursive: true, mode: 0o755 });
for (const d of ['etc', 'etc/xen', 'etc/xen/drbd-auto']) chmodSync(join(root, d), 0o755);
const write = (name: string, mode: number): string => {
  const p = join(guardedReal, `${name}.cfg`);
  writeFileSync(p, `name = "${name}"\nmemory = 512\n`);
  chmodSync(p, mode);
  return p;
};

async function unsafeOf(): Promise<Record<string, string | null>> {
  const r = await readGuardedConfigs(hostFiles(root), GUARDED, 'xl', me);
  if (!r.ok) throw new Error(r.error.message);
  return Object.fromEntries(r.value.map((f) => [f.file.slice(GUARDED.length + 1), configUnsafe(f.place)]));
}

describe('readGuardedConfigs: who can change each config, read from disk', () => {
  it('passes 0644 and 0600 configs in a 0755 dir, refuses a 0666 or 0664 one naming its mode', async () => {
    write('ok1', 0o644);
    write('ok2', 0o600);
    write('evil', 0o666);
    write('grp', 0o664);
    const u = await unsafeOf();
    expect(u['ok1.cfg']).toBeNull();
    expect(u['ok2.cfg']).toBeNull();
    expect(u['evil.cfg']).toContain(`config ${GUARDED}/evil.cfg (under ${root}): it is writable by others (mode 0666)`);
    expect(u['evil.cfg']).toContain(`chmod go-w ${GUARDED}/evil.cfg (under ${root})`);
    expect(u['grp.cfg']).toContain('writable by its group (mode 0664)');
  });

  it('judges a symlinked config by the file it points at', async () => {
    const target = join(root, 'etc/xen/linked-target.cfg');
    writeFileSync(target, 'name = "linked"\nmemory = 512\n');
    chmodSync(target, 0o666);
    symlinkSync(target, join(guardedReal, 'linked.cfg'));
    expect((await unsafeOf())['linked.cfg']).toContain('writable by others (mode 0666)');
    chmodSync(target, 0o644);
    expect((await unsafeOf())['linked.cfg']).toBeNull();
  });

  it('refuses every config of a guarded dir others can write, sticky bit or not, and starts none of them', async () => {
    chmodSync(guardedReal, 0o1777);
    const u = await unsafeOf();
    expect(u['ok1.cfg']).toContain(`its dir ${GUARDED} (under ${root}) is writable by others (mode 01777)`);
    const read = await readGuarded(hostFiles(root), GUARDED, 'xl');
    const ok1 = read.entries.find((e) => e.name === 'ok1')?.place;
    expect(ok1 && configUnsafe(ok1)).toContain('mode 01777');
    chmodSync(guardedReal, 0o755);
    expect((await unsafeOf())['ok1.cfg']).toBeNull();
  });

  it('refuses a dir above the guarded dir others can write', async () => {
    chmodSync(join(root, 'etc/xen'), 0o777);
    expect((await unsafeOf())['ok1.cfg']).toContain(`/etc/xen (under ${root}), a dir above it, is writable by others (mode 0777)`);
    chmodSync(join(root, 'etc/xen'), 0o755);
  });

  it.runIf(me === 0)('refuses a config owned by another user (root may chown it here)', async () => {
    const p = write('theirs', 0o644);
    chownSync(p, 4242, 4242);
    expect((await unsafeOf())['theirs.cfg']).toContain('it is owned by uid 4242, not root');
    expect((await unsafeOf())['theirs.cfg']).toContain(`chown root ${GUARDED}/theirs.cfg`);
    rmSync(p);
  });
});
