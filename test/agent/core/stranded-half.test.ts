import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { alarmStrandedHalves, strandedHalves, type HalfSeen } from '../../../agent/core/stranded-half.js';
import { STRANDED_HALF_MS } from '../../../shared/stranded-half.js';
import type { InventoryDomain } from '../../../shared/inventory.js';

// Seed 300777: xen4's agent died while its child ran `xl migrate vm4b xen3`; the final handshake
// was lost, both halves stayed (vm4b--migratedaway on xen4, vm4b--incoming on xen3), and the
// migration's ALARM went to the dead agent: nobody was told, and xen4's restore waited on "being
// migrated right now". The agent that finds a sender's half standing unheld now raises it. Pure.

const T0 = Date.UTC(2025, 0, 1);
const row = (name: string, domid = 7): InventoryDomain => ({
  name,
  baseName: name.replace(/--(incoming|migratedaway)$/, ''),
  domid,
  state: 'paused',
  stateLetters: '--p---',
  shutdownReason: null,
  cpuTimeS: 1,
  memMiB: 1024,
  vcpus: 1,
  migration: name.endsWith('--incoming') ? 'incoming' : name.endsWith('--migratedaway') ? 'migratedaway' : null,
});
const none = new Map<string, HalfSeen>();
const idle = (): boolean => false;

describe('a sender half (NAME--migratedaway) standing with no migration of it held here', () => {
  it('is tracked from first sight and raised once, as an ALARM, after the grace', () => {
    const first = strandedHalves({ seen: none, rows: [row('vm4b--migratedaway'), row('vm4a', 3)], busy: idle, viewCurrent: true, now: T0 });
    expect(first.alarms).toEqual([]);
    expect(first.dueInMs).toBe(STRANDED_HALF_MS);
    const early = strandedHalves({ seen: first.seen, rows: [row('vm4b--migratedaway')], busy: idle, viewCurrent: true, now: T0 + STRANDED_HALF_MS - 1 });
    expect(early.alarms).toEqual([]);
    expect(early.dueInMs).toBe(1);
    const due = strandedHalves({ seen: early.seen, rows: [row('vm4b--migratedaway')], busy: idle, viewCurrent: true, now: T0 + STRANDED_HALF_MS });
    expect(due.alarms).toEqual([{ row: 'vm4b--migratedaway', name: 'vm4b', domid: 7, since: T0 }]);
    expect(due.dueInMs).toBeNull();
    // once: a later look does not raise it again
    expect(strandedHalves({ seen: due.seen, rows: [row('vm4b--migratedaway')], busy: idle, viewCurrent: true, now: T0 + 10 * STRANDED_HALF_MS }).alarms).toEqual([]);
  });

  it('is not judged while a migration of it is held here (its own ending decides); the clock restarts after', () => {
    const held = strandedHalves({ seen: new Map([['vm4b--migratedaway', { domid: 7, since: T0, alarmed: false }]]), rows: [row('vm4b--migratedaway')], busy: (n) => n === 'vm4b', viewCurrent: true, now: T0 + 5 * STRANDED_HALF_MS });
    expect(held.alarms).toEqual([]);
    expect(held.seen.size).toBe(0);
    const after = strandedHalves({ seen: held.seen, rows: [row('vm4b--migratedaway')], busy: idle, viewCurrent: true, now: T0 + 6 * STRANDED_HALF_MS });
    expect(after.alarms).toEqual([]);
    expect(after.seen.get('vm4b--migratedaway')?.since).toBe(T0 + 6 * STRANDED_HALF_MS);
  });

  it('waits for a current view, restarts its clock for another domid, forgets a half that is gone', () => {
    const seen = new Map([['vm4b--migratedaway', { domid: 7, since: T0, alarmed: false }]]);
    const later = T0 + 2 * STRANDED_HALF_MS;
    expect(strandedHalves({ seen, rows: [row('vm4b--migratedaway')], busy: idle, viewCurrent: false, now: later }).alarms).toEqual([]);
    const other = strandedHalves({ seen, rows: [row('vm4b--migratedaway', 9)], busy: idle, viewCurrent: true, now: later });
    expect(other.alarms).toEqual([]);
    expect(other.seen.get('vm4b--migratedaway')).toEqual({ domid: 9, since: later, alarmed: false });
    expect(strandedHalves({ seen, rows: [row('vm4b')], busy: idle, viewCurrent: true, now: later }).seen.size).toBe(0);
  });

  it('never judges a receiver half (--incoming stands for the whole memory copy)', () => {
    const r = strandedHalves({ seen: new Map([['vm4b--incoming', { domid: 7, since: T0, alarmed: false }]]), rows: [row('vm4b--incoming')], busy: idle, viewCurrent: true, now: T0 + 10 * STRANDED_HALF_MS });
    expect(r).toEqual({ seen: new Map(), alarms: [], dueInMs: null });
  });
});

describe('the agent raising it', () => {
  const xen4 = (domains: string[], seen: ReadonlyMap<string, HalfSeen> = none): AgentState => {
    const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen4', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
    return { ...s, phase: 'running', domains: domains.map((d) => row(d)), strandedHalves: seen };
  };

  it('arms a look again, then logs the ALARM (code and domU, as a person and the fault runs read it); it only logs', () => {
    const fx: Effect[] = [];
    const n = alarmStrandedHalves(xen4(['vm4b--migratedaway']), fx, T0);
    expect(fx).toEqual([{ e: 'timer', name: 'stranded', ms: STRANDED_HALF_MS }]);
    const fx2: Effect[] = [];
    alarmStrandedHalves({ ...n, timers: new Set() }, fx2, T0 + STRANDED_HALF_MS);
    expect(fx2).toHaveLength(1);
    expect(fx2[0]).toMatchObject({ e: 'log', level: 'error', fields: { code: 'XH_ERR_MIGRATION_UNKNOWN', domu: 'vm4b', row: 'vm4b--migratedaway' } });
  });

  it("never under xm: xend shows its sender's half for the whole send and names it back itself on a failure", () => {
    const xm: AgentState = { ...xen4([]), toolstack: 'xm', domains: [{ ...row('migrating-vm4b'), baseName: 'vm4b', migration: 'migratedaway' }] };
    const fx: Effect[] = [];
    const n = alarmStrandedHalves(xm, fx, T0);
    const fx2: Effect[] = [];
    alarmStrandedHalves({ ...n, timers: new Set() }, fx2, T0 + 10 * STRANDED_HALF_MS);
    expect([...fx, ...fx2]).toEqual([]);
  });
});
