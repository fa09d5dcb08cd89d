import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { withAway } from '../../../agent/state/ledger.js';

/** ledger.json is the record: a failed .bak write does not fail the update, but it is said, naming the file. */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
/** `rm ledger.json.bak; mkdir ledger.json.bak`: the tester's stand-in for a full disk */
const bakBecomesDir = (dir: string): void => {
  rmSync(join(dir, 'ledger.json.bak'));
  mkdirSync(join(dir, 'ledger.json.bak'));
};
const away = { home: 'xen1', currentHost: 'xen2', since: '2025-01-01T00:00:00Z', operationId: 'op1', reason: 'manual' as const };

it('a .bak that cannot be written (a dir in its place) is warned about; the update still succeeds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xh-ledger-bak-'));
  dirs.push(dir);
  const warnings: string[] = [];
  const s = ledgerStore(dir, 'xen1', (m) => warnings.push(m));
  await s.update((l) => l);
  bakBecomesDir(dir);
  const w = await s.update((l) => withAway(l, 'web1', away));
  expect(w).toMatchObject({ ok: true, value: { seq: 2 } });
  expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${join(dir, 'ledger.json.bak')}: the ledger's last good copy was not updated .*seq 2.*move away`))]);
  // reading compares as designed: a .bak that is not a file is no newer copy
  expect(s.read()).toMatchObject({ ok: true, value: { seq: 2 } });
});

it('without a channel the warning goes to stderr (the daemon: the journal)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xh-ledger-bak-'));
  dirs.push(dir);
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await ledgerStore(dir, 'xen1').update((l) => l);
    bakBecomesDir(dir);
    expect((await ledgerStore(dir, 'xen1').update((l) => withAway(l, 'web1', away))).ok).toBe(true);
    expect(spy.mock.calls.map((c) => String(c[0])).join('')).toContain('ledger.json.bak: the ledger');
  } finally {
    spy.mockRestore();
  }
});
