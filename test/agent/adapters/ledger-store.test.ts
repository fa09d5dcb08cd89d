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

  it('refuses a key given twice, naming the file, the lines and the key; neither file is touched', async () => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    await s.update((l) => withAway(l, 'web1', away));
    const good = readFileSync(join(dir, 'ledger.json'), 'utf8');
    // a record hand-edited in above the one the agent wrote: JSON.parse would keep the older one
    const bad = good.replace('"away": {\n', `"away": {\n    "web1": ${JSON.stringify({ ...away, currentHost: 'xen3' })},\n`);
    const lines = bad.split('\n');
    const [first, second] = lines.flatMap((l, i) => (l.includes('"web1"') ? [i + 1] : []));
    expect(JSON.parse(bad)).toMatchObject({ away: { web1: away } });
    writeFileSync(join(dir, 'ledger.json'), bad);
    const r = s.read();
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
    expect(!r.ok && r.error.message).toBe(
      `${join(dir, 'ledger.json')}: line ${second}, column 5: key "away.web1" appears twice (lines ${first} and ${second}): keep the right one; the last good copy is ${join(dir, 'ledger.json.bak')}: refusing to guess`,
    );
    expect(await s.update((l) => withAway(l, 'web2', away))).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT' } });
    expect(readFileSync(join(dir, 'ledger.json'), 'utf8')).toBe(bad);
    expect(readFileSync(join(dir, 'ledger.json.bak'), 'utf8')).toBe(good);
  });

  it('takes a .bak with a key given twice as no last good copy, as any broken .bak', async () => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    await s.update((l) => withAway(l, 'web1', away));
    const good = readFileSync(join(dir, 'ledger.json'), 'utf8');
    // seq 9 twice: if it counted, this .bak would be newer than ledger.json and refused as such
    writeFileSync(join(dir, 'ledger.json.bak'), good.replace('"seq": 1', '"seq": 9, "seq": 9'));
    expect(s.read()).toMatchObject({ ok: true, value: { seq: 1, away: { web1: away } } });
  });

  it('refuses a seq past Number.MAX_SAFE_INTEGER when read, and a write past it, naming the fix', async () => {
    const dir = fresh();
    const s = ledgerStore(dir, 'xen1');
    await s.update((l) => withAway(l, 'web1', away));
    const file = join(dir, 'ledger.json');
    const fix = `set "seq" to 1 in ${file} and in the .bak beside it; nothing was changed`;
    for (const seq of ['9007199254740992', '9007199254740993', '1e300']) {
      const bad = readFileSync(file, 'utf8').replace(/"seq": [0-9e]+/, `"seq": ${seq}`);
      writeFileSync(file, bad);
      expect(s.read()).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT', message: expect.stringMatching(/"seq" is (9007199254740992|1e\+300), but writes are counted only up to 9007199254740991, so none can follow/) } });
      expect(s.read()).toMatchObject({ ok: false, error: { message: expect.stringContaining(fix) } });
    }
    // at the largest: read as it is, but no write can count one more
    const last = readFileSync(file, 'utf8').replace(/"seq": [0-9e+]+/, `"seq": ${Number.MAX_SAFE_INTEGER}`);
    writeFileSync(file, last);
    writeFileSync(`${file}.bak`, last);
    expect(s.read()).toMatchObject({ ok: true, value: { seq: Number.MAX_SAFE_INTEGER } });
    expect(await s.update((l) => withAway(l, 'web2', away))).toMatchObject({ ok: false, error: { code: 'XH_ERR_LEDGER_CORRUPT', message: expect.stringContaining(fix) } });
    expect(readFileSync(file, 'utf8')).toBe(last);
    // the fix works
    for (const f of [file, `${file}.bak`]) writeFileSync(f, last.replace(/"seq": [0-9]+/, '"seq": 1'));
    expect(await s.update((l) => withAway(l, 'web2', away))).toMatchObject({ ok: true, value: { seq: 2 } });
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
