import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { settled, withAway, withUnsettled } from '../../../agent/state/ledger.js';

const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'xh-ledger-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const away = { home: 'xen1', currentHost: 'xen2', since: '2025-01-01T00:00:00Z', operationId: 'op1', reason: 'manual' as const };

describe('ledger store', () => {
  it('starts empty, writes the file and its .bak, counts writes', async () => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    expect(s.read()).toMatchObject({ ok: true, value: { seq: 0, away: {}, visitors: {} } });
    const w = await s.update((l) => withAway(l, 'web1', away));
    expect(w).toMatchObject({ ok: true, value: { seq: 1 } });
    expect(readFileSync(join(dir, 'ledger.json.bak'), 'utf8')).toBe(readFileSync(join(dir, 'ledger.json'), 'utf8'));
    expect(s.read()).toMatchObject({ ok: true, value: { away: { web1: away } } });
  });

  it.each([
    ['truncated', (t: string) => t.slice(0, t.length / 2)],
    ['empty', () => ''],
    ['wrong schema version', (t: string) => t.replace('"schema": 1', '"schema": 2')],
    ['unknown key', (t: string) => t.replace('"seq"', '"extra": 1, "seq"')],
    ['bad domU name', (t: string) => t.replace('"web1"', '"web 1; rm"')],
  ])('refuses a %s file with XH_ERR_LEDGER_CORRUPT, keeps it and the .bak, writes nothing', async (_, corrupt) => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    await s.update((l) => withAway(l, 'web1', away));
    const good = readFileSync(join(dir, 'ledger.json'), 'utf8');
    const bad = corrupt(good);
    writeFileSync(join(dir, 'ledger.json'), bad);
    const r = s.read();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('XH_ERR_LEDGER_CORRUPT');
    const u = await s.update((l) => l);
    expect(u.ok).toBe(false);
    expect(readFileSync(join(dir, 'ledger.json'), 'utf8')).toBe(bad);
    expect(readFileSync(join(dir, 'ledger.json.bak'), 'utf8')).toBe(good);
  });

  it('keeps an unsettled ALARM in its own table, written only while there is one', async () => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    await s.update((l) => withAway(l, 'web1', away));
    const before = readFileSync(join(dir, 'ledger.json'), 'utf8');
    expect(before).not.toContain('unsettled');
    const alarm = { peer: 'xen2', since: '2025-01-01T00:00:00Z', operationId: 'op2', operation: 'migrate' as const, message: 'ALARM: migration of db1 to xen2 ended undefined' };
    await s.update((l) => withUnsettled(l, 'db1', alarm));
    expect(JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8'))).toMatchObject({ seq: 2, unsettled: { db1: alarm } });
    expect(s.read()).toMatchObject({ ok: true, value: { away: { web1: away }, unsettled: { db1: alarm } } });
    await s.update((l) => settled(l, 'db1'));
    const after = readFileSync(join(dir, 'ledger.json'), 'utf8');
    expect(after).not.toContain('unsettled');
    expect(after).toBe(before.replace('"seq": 1', '"seq": 3'));
  });

  it.each([
    ['a control character in its message', (t: string) => t.replace('ended undefined', 'ended\\u001b[2Jundefined')],
    ['an unknown operation', (t: string) => t.replace('"operation": "migrate"', '"operation": "teleport"')],
    ['a peer that is no host name', (t: string) => t.replace('"peer": "xen2"', '"peer": "xen2; rm -rf /"')],
  ])('refuses an unsettled record with %s', async (_, corrupt) => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    await s.update((l) => withUnsettled(l, 'db1', { peer: 'xen2', since: '2025-01-01T00:00:00Z', operationId: 'op2', operation: 'migrate', message: 'ALARM: ended undefined' }));
    const good = readFileSync(join(dir, 'ledger.json'), 'utf8');
    const bad = corrupt(good);
    expect(bad).not.toBe(good);
    writeFileSync(join(dir, 'ledger.json'), bad);
    expect(s.read()).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT', message: expect.stringContaining('unsettled.db1.') } });
  });

  it('refuses a missing file when its .bak exists', async () => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    await s.update((l) => withAway(l, 'web1', away));
    rmSync(join(dir, 'ledger.json'));
    expect(s.read()).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
  });

  it('takes over the lock of a dead process', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'ledger.json.lock'), '999999999\n');
    const s = ledgerStore(dir, 'xen1');
    expect((await s.update((l) => withAway(l, 'web1', away))).ok).toBe(true);
  });
});
