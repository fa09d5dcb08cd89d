import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { hostStateOf } from '../../../agent/core/host-state.js';
import { onStateDisksRead } from '../../../agent/core/state-disks.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import type { Fx } from '../../../agent/core/timers.js';
import { readStateDirs } from '../../../agent/adapters/state-disk.js';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { withAway, type Ledger } from '../../../agent/state/ledger.js';
import { stateDiskProblem } from '../../../controller/fleet/state-disk-check.js';
import { HostStateSchema } from '../../../shared/protocol/agent-link-state.js';
import { LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import { record } from '../../controller/states.js';

// A real filesystem that is really full: a 1 MiB tmpfs mounted here (the tests run as root) and
// filled by a file, read by the agent's own statfs and test write, carried in its link report, and
// judged by the controller's check; room again once the file goes. The other tests of the reading
// stand a full disk in; only this one shows what Linux answers a write on one. The ledger store
// there names the write refused (its lock first, then the ledger) to whoever tells the agent.
const MiB = 1024 * 1024;
const AT = '2025-01-01T00:00:00.000Z';

function fullTmpfs(): { dir: string; filler: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xh-state-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', dir]);
  onTestFinished(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const filler = join(dir, 'filler');
  // twice what fits: the write stops where the filesystem does
  expect(() => writeFileSync(filler, Buffer.alloc(2 * MiB, 1))).toThrow(/ENOSPC/);
  return { dir, filler };
}

const agentState = (): AgentState => {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: Date.UTC(2025, 0, 1), seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, link: { ...s.link, phase: 'up', accepts: [LINK_FEATURE.stateDisk] } };
};

describe('the agent on a full tmpfs', () => {
  it('reads no room, says so in its journal and its link report, and check pages; room again once a file goes', async () => {
    const { dir, filler } = fullTmpfs();
    const dirs = [{ role: 'state' as const, dir: '/var/lib/xenherd', real: dir }];
    const [reading] = await readStateDirs(dirs, AT);
    expect(reading).toEqual({ role: 'state', dir: '/var/lib/xenherd', freeBytes: 0, totalBytes: MiB, readAt: AT, failure: { code: 'ENOSPC', at: AT, what: 'a test write' } });
    // the failed test write leaves nothing behind on the full filesystem
    expect(readdirSync(dir)).toEqual(['filler']);

    const fx: Fx = [];
    const s = onStateDisksRead(agentState(), fx, reading === undefined ? [] : [reading]);
    expect(fx).toContainEqual(expect.objectContaining({ e: 'log', level: 'error', msg: expect.stringMatching(/^cannot write under \/var\/lib\/xenherd: no space left on the device \(a test write\)/) }));
    const report = HostStateSchema.parse(JSON.parse(JSON.stringify(hostStateOf(s))));
    expect(report.stateDisks).toEqual([reading]);
    const problem = reading === undefined ? null : stateDiskProblem(record('xen1', report, Date.parse(AT), true), reading);
    expect(problem).toMatchObject({ status: 'CRITICAL', kind: 'state-disk-failed', subject: 'xen1 /var/lib/xenherd' });
    expect(problem?.text).toMatch(/^xen1: its agent cannot write under \/var\/lib\/xenherd: no space left on the device \(0 B free of 1\.0 MiB, 0\.0 %; a test write failed at 2025-01-01 00:00 UTC\)/);

    unlinkSync(filler);
    const [again] = await readStateDirs(dirs, AT);
    expect(again).toMatchObject({ failure: null, totalBytes: MiB });
    expect(again?.freeBytes).toBeGreaterThan(MiB / 2);
    const fx2: Fx = [];
    onStateDisksRead(s, fx2, again === undefined ? [] : [again]);
    expect(fx2).toContainEqual(expect.objectContaining({ e: 'log', level: 'info', msg: 'writes under /var/lib/xenherd work again' }));
  });
});

describe('the ledger on a full tmpfs', () => {
  it('a write refused for no space is said to whoever is to tell the agent, naming the ledger; the file is unchanged', async () => {
    const { dir, filler } = fullTmpfs();
    const told: string[] = [];
    const store = ledgerStore(dir, 'xen1', () => undefined, async (what) => void told.push(what));
    const away = (l: Ledger): Ledger => withAway(l, 'web1', { home: 'xen1', currentHost: 'xen2', since: AT, operationId: 'op1', reason: 'manual' });
    // a full filesystem refuses the lock's own small file first
    const w = await store.update(away);
    expect(w.ok ? null : w.error.message).toMatch(/ledger\.json\.lock\.\d+: cannot write the lock's private file \(ENOSPC/);
    expect(told).toEqual(["the migration ledger's lock"]);
    expect(existsSync(join(dir, 'ledger.json'))).toBe(false);
    // one page left: the lock takes it, and the ledger itself is refused
    unlinkSync(filler);
    writeFileSync(filler, Buffer.alloc(MiB - 4096, 1));
    told.length = 0;
    const w2 = await store.update(away);
    expect(w2.ok ? null : w2.error.message).toMatch(/^cannot write the ledger: .*ENOSPC/);
    expect(told).toEqual(['the migration ledger']);
    expect(existsSync(join(dir, 'ledger.json'))).toBe(false);
  });
});
