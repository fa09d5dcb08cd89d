import { describe, expect, it } from 'vitest';
import {
  AGENT_LINK_PROTOCOL_VERSION,
  AgentMessageSchema,
  ControllerMessageSchema,
  VersionProbeSchema,
} from '../../shared/protocol/agent-link.js';
import { HostStatePatchSchema, HostStateSchema } from '../../shared/protocol/agent-link-state.js';
import { away, dom, guarded, hostState, primary } from './states.js';

const full = hostState({
  domains: [dom('web01'), dom('db1', { migration: 'incoming' })],
  guarded: [guarded('web01', ['r0'], { decision: 'defer', reason: 'peer-unknown', detail: 'peer role Unknown' })],
  drbd: { availability: 'ok', resources: [primary('r0', 'xen2')] },
  ledger: { seq: 4, away: { web02: away('xen1', 'xen2') }, visitors: { db1: { home: 'xen3', since: '2024-05-01T14:02:00Z', operationId: 'op-9' } } },
  homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }],
  domus: [{ name: 'web01', source: 'guarded', memMiB: 2048, vcpus: 2, resources: [{ name: 'r-web01', hosts: ['xen1', 'xen2'] }] }],
  maintenance: { state: 'draining', operationId: 'op-7', owner: 'ctl:admin' },
});

describe('the agent link protocol schemas', () => {
  it('every agent message parses, discriminated by type', () => {
    const msgs = [
      { type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host: 'xen1', bootId: '0f4c-9a', agentVersion: '0.1.0', capabilities: ['migrate', 'reverse', 'fleet-view'] },
      { type: 'snapshot', seq: 1, at: 1_714_572_000_000, state: full },
      { type: 'delta', seq: 2, at: 1_714_572_000_100, state: { domains: [] } },
      { type: 'heartbeat', at: 1_714_572_005_000 },
      { type: 'progress', commandId: 'cmd-1', line: 'migrating' },
      { type: 'result', commandId: 'cmd-1', ok: false, code: 'XH_ERR_MIGRATION_FAILED', message: 'failed', detail: null },
    ];
    expect(msgs.map((m) => AgentMessageSchema.safeParse(m).success)).toEqual(msgs.map(() => true));
  });

  it('every controller message parses', () => {
    const msgs = [
      { type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 5000, staleAfterMs: 15000 },
      { type: 'error', code: 'XH_ERR_AUTH', message: 'no' },
      { type: 'command', commandId: 'cmd-1', op: 'migrate', name: 'web01', target: 'xen2', reason: 'manual', operationId: 'u-1', by: 'ctl:admin' },
      { type: 'command', commandId: 'cmd-2', op: 'reverse', name: 'web01', operationId: 'u-2', by: 'ctl:admin' },
      { type: 'fleet', at: 1, runningOn: { web01: ['xen1'], db1: [] } },
    ];
    expect(msgs.map((m) => ControllerMessageSchema.safeParse(m).success)).toEqual(msgs.map(() => true));
  });

  it('envelopes and values are strict: an unknown key is refused', () => {
    expect(AgentMessageSchema.safeParse({ type: 'heartbeat', at: 1, extra: true }).success).toBe(false);
    expect(HostStateSchema.safeParse({ ...full, surprise: 1 }).success).toBe(false);
    expect(HostStateSchema.safeParse({ ...full, domains: [{ ...dom('a'), extra: 1 }] }).success).toBe(false);
  });

  it('names are checked: no shell-ish or option-like names, migration suffixes only on rows', () => {
    expect(HostStateSchema.safeParse({ ...full, domains: [dom('-rf')] }).success).toBe(false);
    expect(HostStateSchema.safeParse({ ...full, domains: [{ ...dom('a'), name: 'a;reboot' }] }).success).toBe(false);
    expect(HostStateSchema.safeParse({ ...full, homes: [{ name: 'web01--incoming', peer: null, source: 'migrate-tab' }] }).success).toBe(false);
    expect(AgentMessageSchema.safeParse({ type: 'hello', protocol: 1, host: 'xen 1', bootId: 'b', agentVersion: '1', capabilities: [] }).success).toBe(false);
  });

  it('strings and lists are bounded', () => {
    expect(AgentMessageSchema.safeParse({ type: 'progress', commandId: 'c', line: 'x'.repeat(2001) }).success).toBe(false);
    expect(HostStateSchema.safeParse({ ...full, domains: Array.from({ length: 4097 }, (_, i) => dom(`d${i}`)) }).success).toBe(false);
  });

  it('a result: code null exactly when ok', () => {
    const r = (ok: boolean, code: string | null) => AgentMessageSchema.safeParse({ type: 'result', commandId: 'c', ok, code, message: '', detail: null }).success;
    // a code of the catalog's form this build does not know (a newer agent's) is read, not refused: version-skew.test.ts
    expect([r(true, null), r(false, 'XH_ERR_LOCKED'), r(true, 'XH_ERR_LOCKED'), r(false, null), r(false, 'XH_ERR_NOPE'), r(false, 'nope')]).toEqual([true, true, false, false, true, false]);
  });

  it('a delta replaces at least one whole section', () => {
    const delta = (state: unknown) => AgentMessageSchema.safeParse({ type: 'delta', seq: 2, at: 1, state }).success;
    expect(delta({})).toBe(false);
    expect(delta({ ledger: full.ledger, maintenance: full.maintenance })).toBe(true);
    expect(HostStatePatchSchema.safeParse({ domainz: [] }).success).toBe(false);
  });

  it('a delta may carry domains as changed rows (feature domain-rows), never both forms, names once', () => {
    const delta = (extra: Record<string, unknown>) => AgentMessageSchema.safeParse({ type: 'delta', seq: 2, at: 1, state: {}, ...extra }).success;
    expect(delta({ rows: { set: [dom('web01')], gone: ['db1--incoming'], count: 2 } })).toBe(true);
    expect(delta({ rows: { set: [], gone: ['db1'], count: 1 }, state: { memory: full.memory } })).toBe(true);
    expect(delta({ rows: { set: [dom('web01')], gone: [], count: 1 }, state: { domains: [] } })).toBe(false);
    expect(delta({ rows: { set: [dom('web01')], gone: ['web01'], count: 1 } })).toBe(false);
    expect(delta({ rows: { set: [dom('web01'), dom('web01')], gone: [], count: 1 } })).toBe(false);
    expect(delta({ rows: { set: [], gone: ['bad name!'], count: 0 } })).toBe(false);
    expect(delta({ rows: { set: [], gone: [], count: -1 } })).toBe(false);
    expect(delta({ rows: { set: [], gone: [], count: 0, more: 1 } })).toBe(false);
  });

  it("a command's operation id keeps to the CLI's rule, and a maintenance owner is printable", () => {
    const migrate = (operationId: string): boolean =>
      ControllerMessageSchema.safeParse({ type: 'command', commandId: 'c1', by: 'ctl:x', op: 'migrate', name: 'web1', target: 'xen2', reason: 'manual', operationId }).success;
    expect(migrate('0f8c2a9e-1b2c-4d5e-8f90-123456789abc')).toBe(true);
    expect(migrate('drain-1:xen1')).toBe(true);
    // it goes into the argv of the agent's own CLI: an option there was refused only by the child
    expect(migrate('--config=/etc/shadow')).toBe(false);
    expect(migrate('op 1')).toBe(false);
    expect(migrate('-x')).toBe(false);
    expect(migrate('x'.repeat(101))).toBe(false);
    const maintenance = (owner: string, operationId = 'op-1'): boolean =>
      ControllerMessageSchema.safeParse({ type: 'command', commandId: 'c1', by: 'ctl:x', op: 'maintenance', state: 'draining', operationId, owner, from: ['online'], leaseMs: 0 }).success;
    expect(maintenance('xenherd-controller@ctl1:7443')).toBe(true);
    expect(maintenance('evil\u001b]0;pwned\u0007')).toBe(false);
    expect(maintenance('ctl', 'op\u001b[31mRED\n')).toBe(false);
  });

  it("a welcome's heartbeat and staleness are bounded as the controller's config bounds them", () => {
    const welcome = (heartbeatMs: number, staleAfterMs: number): boolean =>
      ControllerMessageSchema.safeParse({ type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs, staleAfterMs }).success;
    expect(welcome(100, 300)).toBe(true);
    expect(welcome(300_000, 3_600_000)).toBe(true);
    // a controller asking for a heartbeat every millisecond had the agent send 1,000 frames a second
    expect(welcome(1, 3_000)).toBe(false);
    expect(welcome(5_000, 1)).toBe(false);
    expect(welcome(300_001, 3_600_000)).toBe(false);
    expect(welcome(5_000, 3_000_000_000)).toBe(false);
  });

  it('the version is readable from any hello or welcome, whatever else it carries', () => {
    expect(VersionProbeSchema.safeParse({ type: 'hello', protocol: 7, anything: { new: true } }).success).toBe(true);
    expect(VersionProbeSchema.safeParse({ type: 'welcome', protocol: 7 }).success).toBe(true);
  });
});

describe('the orchestration commands and their structured results', () => {
  const cmd = (c: Record<string, unknown>) => ControllerMessageSchema.safeParse({ type: 'command', commandId: 'cmd-9', by: 'ctl:admin', ...c }).success;

  it('each op parses with exactly its fields', () => {
    expect(cmd({ op: 'migrate', name: 'web01', target: null, reason: 'restore', operationId: 'op-1' })).toBe(true);
    expect(cmd({ op: 'shutdown', name: 'web01', target: 'xen2', operationId: 'op-1' })).toBe(true);
    expect(cmd({ op: 'start', name: 'web01', from: 'xen1', operationId: 'op-1' })).toBe(true);
    expect(cmd({ op: 'inspect', name: 'web01' })).toBe(true);
    expect(cmd({ op: 'maintenance', state: 'draining', operationId: 'op-1', owner: 'xenherd-controller@ctl1:7443', from: ['online'], leaseMs: 60_000 })).toBe(true);
    // strict and bounded
    expect(cmd({ op: 'inspect', name: 'web01', operationId: 'op-1' })).toBe(false);
    expect(cmd({ op: 'maintenance', state: 'draining', operationId: 'op-1', owner: 'x', from: [], leaseMs: 1 })).toBe(false);
    expect(cmd({ op: 'maintenance', state: 'draining', operationId: 'op-1', owner: 'x', from: ['online'], leaseMs: 3_600_001 })).toBe(false);
    expect(cmd({ op: 'maintenance', state: 'away', operationId: 'op-1', owner: 'x', from: ['online'], leaseMs: 1 })).toBe(false);
    expect(cmd({ op: 'start', name: 'web01', operationId: 'op-1' })).toBe(false);
    expect(cmd({ op: 'migrate', name: 'web01', target: null, reason: 'whim', operationId: 'op-1' })).toBe(false);
  });

  it('a result may carry an inspect or maintenance report; none is fine too', () => {
    const result = (data: unknown) => AgentMessageSchema.safeParse({ type: 'result', commandId: 'c', ok: true, code: null, message: '', detail: null, data }).success;
    expect(result(undefined)).toBe(true);
    expect(result(null)).toBe(true);
    expect(result({ kind: 'inspect', host: 'xen1', name: 'web01', rows: [dom('web01')], resources: [primary('r0', 'xen2')], busy: false })).toBe(true);
    expect(result({ kind: 'maintenance', maintenance: { state: 'draining', operationId: 'op-1', owner: 'ctl' }, leaseLeftMs: 5000 })).toBe(true);
    expect(result({ kind: 'inspect', host: 'xen1', name: 'web01', rows: Array(5).fill(dom('web01')), resources: [], busy: false })).toBe(false);
    expect(result({ kind: 'guess', where: 'xen2' })).toBe(false);
  });
});
