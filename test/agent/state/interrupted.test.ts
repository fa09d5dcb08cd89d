import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holderLineState, processIdentity } from '../../../shared/fs/file-lock.js';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { interruptedMigrations, type HolderState } from '../../../agent/state/interrupted.js';
import { emptyLedger, landed, withInflight, withUnsettled, type InflightRecord } from '../../../agent/state/ledger.js';

const OTHER_BOOT = '00000000-0000-4000-8000-000000000000';
const rec = (holder: string, over: Partial<InflightRecord> = {}): InflightRecord => ({ peer: 'xen2', since: '2025-01-01T00:00:00.000Z', operationId: 'op-1', operation: 'migrate', holder, ...over });
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('interrupted migrations', () => {
  it('a record whose process is gone reads as an unsettled ALARM with its peer, operation and time; live and unverifiable ones stay', () => {
    const l = withInflight(withInflight(withInflight(emptyLedger('xen1'), 'web1', rec('4242 1 x')), 'db1', rec('4343 1 y', { operation: 'reverse', peer: 'xen3' })), 'app1', rec('4444 1 z'));
    const states: Record<string, HolderState> = { '4242 1 x': 'gone', '4343 1 y': 'alive', '4444 1 z': 'unverifiable' };
    const out = interruptedMigrations(l, (h) => states[h] ?? 'alive');
    expect(Object.keys(out.inflight).sort()).toEqual(['app1', 'db1']);
    expect(out.unsettled).toEqual({
      web1: {
        peer: 'xen2',
        since: '2025-01-01T00:00:00.000Z',
        operationId: 'op-1',
        operation: 'migrate',
        message: "ALARM: the migrate of web1 with xen2 was interrupted: process 4242, which ran it, ended before its outcome was known (killed, crashed, this Dom0 restarted, or it could not write the outcome to this ledger, as on a full disk: that command's output or the agent's journal says so); web1 may run here, on xen2, on both or on neither: check both hosts",
      },
    });
    // nothing gone: the very same ledger (the reader allocates nothing on the common path)
    expect(interruptedMigrations(l, () => 'alive')).toBe(l);
    // an older ALARM of the same domU gives way to the newer ending
    const older = withUnsettled(l, 'web1', { peer: 'xen2', since: '2024-01-01T00:00:00.000Z', operationId: 'op-0', operation: 'reverse', message: 'ALARM: older' });
    expect(interruptedMigrations(older, (h) => states[h] ?? 'alive').unsettled['web1']).toMatchObject({ operationId: 'op-1', operation: 'migrate' });
    expect(landed(l, 'nosuch')).toBe(l);
  });

  it('this process is alive; another boot, a pid that is not running, or another start time is gone', () => {
    const me = processIdentity();
    expect(me).toMatch(/^[1-9][0-9]* [0-9]+ [0-9a-f-]{36}$/);
    const [pid, start, boot] = me.split(' ') as [string, string, string];
    expect(holderLineState(me)).toBe('alive');
    expect(holderLineState(`${pid} ${start} ${OTHER_BOOT}`)).toBe('gone');
    expect(holderLineState(`${pid} ${Number(start) + 1} ${boot}`)).toBe('gone');
    expect(holderLineState(`4194304 ${start} ${boot}`)).toBe('gone');
    expect(holderLineState(`${pid} ? ${boot}`)).toBe('unverifiable');
    expect(holderLineState('not a line')).toBe('unverifiable');
  });

  it('the store reads a dead process as unsettled and writes it so at its next write; its own record stays inflight; empty tables stay out of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xh-inflight-'));
    dirs.push(dir);
    const s = ledgerStore(dir, 'xen1');
    const [, start, boot] = processIdentity().split(' ') as [string, string, string];
    const dead = `4194304 ${start} ${boot}`;
    expect((await s.update((l) => withInflight(withInflight(l, 'web1', rec(dead)), 'db1', rec(processIdentity()))))).toMatchObject({ ok: true });
    const raw = JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8')) as { inflight: Record<string, unknown>; unsettled?: unknown };
    expect(Object.keys(raw.inflight).sort()).toEqual(['db1', 'web1']);
    expect(raw.unsettled).toBeUndefined();
    const r = s.read();
    expect(r).toMatchObject({ ok: true, value: { inflight: { db1: { holder: processIdentity() } }, unsettled: { web1: { peer: 'xen2', operationId: 'op-1', message: expect.stringMatching(/^ALARM: the migrate of web1 with xen2 was interrupted: process 4194304/) } } } });
    expect(r.ok && Object.keys(r.value.inflight)).toEqual(['db1']);
    await s.update((l) => landed(l, 'db1'));
    const after = JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8')) as Record<string, unknown>;
    expect(after['inflight']).toBeUndefined();
    expect(Object.keys(after['unsettled'] as object)).toEqual(['web1']);
  });
});
