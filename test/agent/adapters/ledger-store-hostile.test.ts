import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { withAway, withVisitor } from '../../../agent/state/ledger.js';
import { mkfifo, runBounded, scratch, victim } from './hostile-fs.js';

// Hostile state-dir cases, reproduced literally: planted symlinks, FIFOs, stale locks, a newer .bak.
const s = scratch();
afterEach(() => s.cleanup());
const away = { home: 'xen1', currentHost: 'xen2', since: '2025-01-01T00:00:00Z', operationId: 'op1', reason: 'manual' as const };
const visitor = { home: 'xen3', since: '2025-01-02T00:00:00Z', operationId: 'op2' };

const stateDir = (): string => {
  const d = join(s.dir('ledger'), 'state');
  mkdirSync(d, { mode: 0o700 });
  return d;
};

describe('ledger store against a hostile state dir', () => {
  it('a planted ledger.json.tmp-<pid> symlink: the target stays intact and ledger.json is a regular file', async () => {
    const dir = stateDir();
    const v = victim(s);
    symlinkSync(v.path, join(dir, `ledger.json.tmp-${process.pid}`));
    symlinkSync(v.path, join(dir, `ledger.json.bak.tmp-${process.pid}`));
    const w = await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away));
    expect(w.ok).toBe(true);
    expect(v.intact()).toBe(true);
    expect(lstatSync(join(dir, 'ledger.json')).isFile()).toBe(true);
    expect(lstatSync(join(dir, 'ledger.json.bak')).isFile()).toBe(true);
    expect(lstatSync(join(dir, 'ledger.json')).mode & 0o777).toBe(0o600);
  });

  it('a planted ledger.json.lock.<pid> symlink: the target stays intact', async () => {
    const dir = stateDir();
    const v = victim(s);
    symlinkSync(v.path, join(dir, `ledger.json.lock.${process.pid}`));
    expect((await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away))).ok).toBe(true);
    expect(v.intact()).toBe(true);
  });

  it('ledger.json as a symlink is refused, not followed', async () => {
    const dir = stateDir();
    const v = victim(s, 'ledger.json');
    symlinkSync(v.path, join(dir, 'ledger.json'));
    const r = ledgerStore(dir, 'xen1').read();
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
    expect(!r.ok && r.error.message).toContain('symbolic link');
    expect((await ledgerStore(dir, 'xen1').update((l) => l)).ok).toBe(false);
    expect(v.intact()).toBe(true);
  });

  it('a FIFO as ledger.json is refused without blocking (read and update)', async () => {
    const dir = stateDir();
    mkfifo(join(dir, 'ledger.json'));
    for (const mode of ['ledger-read', 'ledger-update']) {
      const out = await runBounded(s.dir('child'), [mode, dir, 'xen1']);
      expect(out.timedOut).toBe(false);
      const r = JSON.parse(out.stdout) as { ok: boolean; error: { code: string; message: string } };
      expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
      expect(r.error.message).toContain('FIFO');
      expect(r.error.message).toContain(join(dir, 'ledger.json'));
    }
  });

  it('a .bak with a higher seq than ledger.json: the disagreement is reported and nothing is written', async () => {
    const dir = stateDir();
    const store = ledgerStore(dir, 'xen1');
    await store.update((l) => withAway(l, 'web1', away));
    const older = readFileSync(join(dir, 'ledger.json'), 'utf8');
    await store.update((l) => withVisitor(l, 'db1', visitor));
    const newer = readFileSync(join(dir, 'ledger.json'), 'utf8');
    // ledger.json put back to the older copy (seq 1) while the .bak holds seq 2 with db1
    writeFileSync(join(dir, 'ledger.json'), older, { mode: 0o600 });
    const r = store.read();
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
    if (!r.ok) {
      expect(r.error.message).toContain(join(dir, 'ledger.json.bak'));
      expect(r.error.message).toContain('seq 2');
    }
    expect((await store.update((l) => withAway(l, 'web2', away))).ok).toBe(false);
    expect(readFileSync(join(dir, 'ledger.json.bak'), 'utf8')).toBe(newer);
    expect(readFileSync(join(dir, 'ledger.json'), 'utf8')).toBe(older);
  });

  it('a ledger written for another Dom0 is refused, naming the file and the fix', async () => {
    const dir = stateDir();
    await ledgerStore(dir, 'xen2').update((l) => withVisitor(l, 'db1', visitor));
    const r = ledgerStore(dir, 'xen1').read();
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
    if (!r.ok) {
      expect(r.error.message).toContain(join(dir, 'ledger.json'));
      expect(r.error.message).toContain('"xen2"');
      expect(r.error.message).toContain('"xen1"');
    }
    expect((await ledgerStore(dir, 'xen1').update((l) => l)).ok).toBe(false);
  });

  it.each([
    ['a since that is not a time', (t: string) => t.replace('"2025-01-01T00:00:00Z"', '"\\u001b[2Jyesterday"')],
    ['an operation id with a control character', (t: string) => t.replace('"op1"', '"op\\r1"')],
  ])('refuses %s read back from disk', async (_, corrupt) => {
    const dir = stateDir();
    await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away));
    const text = readFileSync(join(dir, 'ledger.json'), 'utf8');
    writeFileSync(join(dir, 'ledger.json'), corrupt(text));
    expect(ledgerStore(dir, 'xen1').read()).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
  });

  it('a lock that is a directory fails the write at once, naming it', async () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'ledger.json.lock'));
    const t0 = Date.now();
    const r = await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away));
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain(join(dir, 'ledger.json.lock'));
  });

  it('a stale lock naming a live unrelated pid with another start time does not block writes', async () => {
    const dir = stateDir();
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    writeFileSync(join(dir, 'ledger.json.lock'), `${process.ppid} 1 ${boot}\n`);
    const t0 = Date.now();
    expect((await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away))).ok).toBe(true);
    // at once: the start time shows the pid is not the holder (no waiting for the lock to age)
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('refuses to write into a state dir writable by others', async () => {
    const dir = stateDir();
    const { chmodSync } = await import('node:fs');
    chmodSync(dir, 0o777);
    const r = await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away));
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
    expect(() => lstatSync(join(dir, 'ledger.json'))).toThrow();
  });

  it('a ledger a newer xenherd wrote: refused naming the schema and the fix, left as it is', () => {
    const dir = stateDir();
    const text = '{"schema": 2, "host": "xen1", "seq": 4, "away": {}, "visitors": {}, "reservations": {}}\n';
    writeFileSync(join(dir, 'ledger.json'), text);
    const r = ledgerStore(dir, 'xen1').read();
    expect(r).toEqual({
      ok: false,
      error: { code: 'XH_ERR_LEDGER_CORRUPT', message: `${join(dir, 'ledger.json')}: written by a newer xenherd (ledger schema 2; this agent reads schema 1): upgrade xenherd-agent on this Dom0; nothing was changed` },
    });
    expect(readFileSync(join(dir, 'ledger.json'), 'utf8')).toBe(text);
  });

  it('a broken ledger names its .bak only when there is one', async () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'ledger.json'), '{"schema": 1, "host": "xen1"');
    const alone = ledgerStore(dir, 'xen1').read();
    expect(!alone.ok && alone.error.message).toMatch(/; there is no \S+ledger\.json\.bak to compare with: refusing to guess$/);
    writeFileSync(join(dir, 'ledger.json.bak'), '{}');
    const withBak = ledgerStore(dir, 'xen1').read();
    expect(!withBak.ok && withBak.error.message).toMatch(/; the last good copy is \S+ledger\.json\.bak: refusing to guess$/);
  });

  it('a byte-order mark an editor put before the JSON is read past', async () => {
    const dir = stateDir();
    expect((await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away))).ok).toBe(true);
    const text = readFileSync(join(dir, 'ledger.json'), 'utf8');
    writeFileSync(join(dir, 'ledger.json'), `\ufeff${text}`);
    const r = ledgerStore(dir, 'xen1').read();
    expect(r.ok && r.value.away['web1']?.currentHost).toBe('xen2');
  });
});
