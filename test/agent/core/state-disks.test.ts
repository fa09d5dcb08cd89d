import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { hostStateOf } from '../../../agent/core/host-state.js';
import { onStateDisksRead } from '../../../agent/core/state-disks.js';
import { onCommandDone } from '../../../agent/core/commands.js';
import { onControl } from '../../../agent/core/control.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';
import { CAPABILITIES, initialState, type AgentState } from '../../../agent/core/state.js';
import type { Fx } from '../../../agent/core/timers.js';
import { HostStateSchema } from '../../../shared/protocol/agent-link-state.js';
import { acceptsFor, LINK_FEATURE, SnapshotSchema } from '../../../shared/protocol/agent-link.js';
import type { LinkStateDisk } from '../../../shared/protocol/state-disk.js';

// The free space under the agent's state and runtime dirs as it reports it: only to a controller
// whose welcome said it reads it (an older controller's strict schema refuses a key it does not
// know), and a write that failed there kept until one works again.

const AT = '2025-01-01T00:00:00.000Z';
const disk = (role: LinkStateDisk['role'], failure: LinkStateDisk['failure'] = null): LinkStateDisk => ({ role, dir: role === 'state' ? '/var/lib/xenherd' : '/run/xenherd', freeBytes: 0, totalBytes: 1 << 30, readAt: AT, failure });
const state = (accepts: string[], stateDisks: LinkStateDisk[]): AgentState => {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: Date.UTC(2025, 0, 1), seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, stateDisks, link: { ...s.link, phase: 'up', accepts } };
};

describe('the state dirs in the host state', () => {
  it('are announced, and a controller of this release accepts them', () => {
    expect(CAPABILITIES).toContain(LINK_FEATURE.stateDisk);
    expect(acceptsFor([...CAPABILITIES]).accepts).toContain('state-disk');
  });

  it('go to a controller that accepts them and pass the link schema; none before the first reading', () => {
    const r = hostStateOf(state(['state-disk'], [disk('state', { code: 'ENOSPC', at: AT, what: 'the migration ledger' }), disk('runtime')]));
    expect(r.stateDisks).toHaveLength(2);
    expect(HostStateSchema.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true);
    expect(Object.hasOwn(hostStateOf(state(['state-disk'], [])), 'stateDisks')).toBe(false);
  });

  it('are left out for an older controller, whose strict schema has no such key', () => {
    const r = hostStateOf(state(['xen-version'], [disk('state')]));
    expect(Object.hasOwn(r, 'stateDisks')).toBe(false);
    const older = SnapshotSchema.extend({ state: HostStateSchema.omit({ stateDisks: true }).strict() });
    expect(older.safeParse({ type: 'snapshot', seq: 1, at: 0, state: JSON.parse(JSON.stringify(r)) }).success).toBe(true);
  });

  it('a path a schema refuses, or a byte count past what JSON keeps exact, is refused', () => {
    const bad = (d: Partial<LinkStateDisk>) => HostStateSchema.shape.stateDisks.safeParse([{ ...disk('state'), ...d }]).success;
    expect(bad({ dir: 'var/lib/xenherd' })).toBe(false);
    expect(bad({ dir: '/var/lib/\nxenherd' })).toBe(false);
    expect(bad({ freeBytes: 2 ** 60 })).toBe(false);
    expect(bad({ freeBytes: -1 })).toBe(false);
  });
});

describe('a reading of the state dirs', () => {
  it('keeps the first failure since the last good write (it names the write), logs it once, and clears it once a write works', () => {
    const fx: Fx = [];
    const first = onStateDisksRead(state([], []), fx, [disk('state', { code: 'ENOSPC', at: AT, what: 'the migration ledger' }), disk('runtime')]);
    const later = onStateDisksRead(first, fx, [disk('state', { code: 'ENOSPC', at: '2025-01-01T00:01:00.000Z', what: 'a test write' }), disk('runtime')]);
    expect(later.stateDisks[0]?.failure).toEqual({ code: 'ENOSPC', at: AT, what: 'the migration ledger' });
    const logged = fx.flatMap((e) => (e.e === 'log' ? [`${e.level}: ${e.msg}`] : []));
    expect(logged).toEqual([
      'error: cannot write under /var/lib/xenherd: no space left on the device (the migration ledger): its migration ledger cannot record migrations or the homes of domUs (a migrate or reverse there fails), nor its maintenance flag change; on xen1, free space on the filesystem holding /var/lib/xenherd (df -h /var/lib/xenherd; du -xsh /var/lib/xenherd)',
    ]);
    const fx2: Fx = [];
    const again = onStateDisksRead(later, fx2, [disk('state'), disk('runtime')]);
    expect(again.stateDisks[0]?.failure).toBe(null);
    expect(fx2).toEqual([expect.objectContaining({ e: 'log', level: 'info', msg: 'writes under /var/lib/xenherd work again' })]);
  });

  it('a record\'s write a command says failed takes the place of the test write found before it, and is said once more naming it', () => {
    const fx: Fx = [];
    const found = onStateDisksRead(state([], []), fx, [disk('state', { code: 'ENOSPC', at: AT, what: 'a test write' })]);
    const told = onStateDisksRead(found, fx, [disk('state', { code: 'ENOSPC', at: '2025-01-01T00:00:30.000Z', what: "xenherd-agent migrate's write of the migration ledger" })]);
    const later = onStateDisksRead(told, fx, [disk('state', { code: 'ENOSPC', at: '2025-01-01T00:01:00.000Z', what: 'a test write' })]);
    expect(later.stateDisks[0]?.failure).toEqual({ code: 'ENOSPC', at: '2025-01-01T00:00:30.000Z', what: "xenherd-agent migrate's write of the migration ledger" });
    expect(fx.flatMap((e) => (e.e === 'log' ? [e.msg.replace(/\): .*/, ')')] : []))).toEqual([
      'cannot write under /var/lib/xenherd: no space left on the device (a test write)',
      "cannot write under /var/lib/xenherd: no space left on the device (xenherd-agent migrate's write of the migration ledger)",
    ]);
  });

  it('the control op write-failed reads the dirs at once, naming the write', () => {
    const fx: Fx = [];
    onControl(state([], []), fx, 1, 1, { v: CONTROL_PROTOCOL_VERSION, op: 'write-failed', role: 'state', what: "xenherd-agent migrate's write of the migration ledger" }, 0);
    expect(fx).toContainEqual({ e: 'read-state-disks', after: { role: 'state', what: "xenherd-agent migrate's write of the migration ledger" } });
    expect(fx).toContainEqual(expect.objectContaining({ e: 'reply', response: expect.objectContaining({ ok: true }) }));
  });

  it('a read-only filesystem after a full one is a new failure, not the old one', () => {
    const full = onStateDisksRead(state([], []), [], [disk('state', { code: 'ENOSPC', at: AT, what: 'the migration ledger' })]);
    const ro = onStateDisksRead(full, [], [disk('state', { code: 'EROFS', at: AT, what: 'a test write' })]);
    expect(ro.stateDisks[0]?.failure?.code).toBe('EROFS');
  });
});

describe('a controller\'s migrate that failed for a full or read-only filesystem', () => {
  const running = (): AgentState => ({ ...state([], []), commands: [{ commandId: 'c1', op: 'migrate', name: 'web1', by: 'ctl', gen: 0, startedAt: 0 }] });
  const reads = (message: string, detail: string | null = null) => {
    const fx: Fx = [];
    onCommandDone(running(), fx, 'c1', { ok: false, code: 'XH_ERR_FILE', message, detail }, 0);
    return fx.filter((e) => e.e === 'read-state-disks');
  };

  it('reads the dirs at once, naming the move; any other failure waits for the minute', () => {
    expect(reads('cannot write the ledger: /var/lib/xenherd/ledger.json: ENOSPC: no space left on device, write')).toEqual([{ e: 'read-state-disks', after: { role: 'state', what: 'the migrate of web1' } }]);
    expect(reads('web1 migrated; recording it failed', 'EROFS: read-only file system, open')).toHaveLength(1);
    expect(reads('xen2 refused: web1 is not running here')).toEqual([]);
  });
});
