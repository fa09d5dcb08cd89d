import { describe, expect, it } from 'vitest';
import { drainClaim, earlierOwnName, isOwnLeftoverLease, maintenanceOnClaim, restoreClaim } from '../../../controller/plan/maintenance-claims.js';
import type { Maintenance } from '../../../shared/protocol/agent-link-state.js';

const flag = (state: Maintenance['state'], operationId: string | null): Maintenance => ({ state, operationId, owner: operationId === null ? null : 'ctl' });

describe('maintenance claims', () => {
  it('a drain continues the drain a flag names, and takes over any other state with a new operation', () => {
    expect(drainClaim(flag('draining', 'op-1'), 'new')).toEqual({ state: 'draining', operationId: 'op-1', from: ['draining'], resumes: true });
    expect(drainClaim(flag('maintenance', 'op-1'), 'new')).toEqual({ state: 'draining', operationId: 'op-1', from: ['maintenance'], resumes: true });
    expect(drainClaim(flag('online', null), 'new')).toEqual({ state: 'draining', operationId: 'new', from: ['online'], resumes: false });
    expect(drainClaim(flag('restoring', 'op-2'), 'new')).toEqual({ state: 'draining', operationId: 'new', from: ['restoring'], resumes: false });
  });

  it('a restore continues the restore a flag names', () => {
    expect(restoreClaim(flag('restoring', 'op-2'), 'new')).toEqual({ state: 'restoring', operationId: 'op-2', from: ['restoring'], resumes: true });
    expect(restoreClaim(flag('maintenance', 'op-1'), 'new')).toEqual({ state: 'restoring', operationId: 'new', from: ['maintenance'], resumes: false });
  });

  it('an operation id written by hand that a command does not take is replaced by a new one', () => {
    // maintenance.json may hold any text; a command's id goes into argv and files: the agent refuses other ids
    expect(drainClaim(flag('draining', 'my drain (bob)'), 'new')).toEqual({ state: 'draining', operationId: 'new', from: ['draining'], resumes: false });
    expect(restoreClaim(flag('restoring', '--x'), 'new')).toMatchObject({ operationId: 'new', resumes: false });
    expect(maintenanceOnClaim(flag('maintenance', 'kernel update!'), 'new')).toMatchObject({ operationId: 'new' });
    expect(maintenanceOnClaim(flag('maintenance', 'op-1'), 'new')).toMatchObject({ operationId: 'op-1' });
  });
});

describe('a leftover lease of this controller, which a drain or restore ends instead of waiting for it', () => {
  const ME = 'xenherd-controller@ctl1:7443/0123abcd';
  const held = (state: Maintenance['state'], owner: string | null, leaseLeftMs = 40_000, operationId: string | null = 'op1') => ({ maintenance: { state, operationId, owner }, leaseLeftMs });
  it.each([
    ['draining, ours, lease running', held('draining', ME), true],
    ['restoring, ours', held('restoring', ME), true],
    ['ours under the name before the instance id', held('draining', 'xenherd-controller@ctl1:7443'), true],
    ["another controller's", held('draining', 'xenherd-controller@ctl2:7443/89abcdef'), false],
    ["another instance's on the same host and port", held('draining', 'xenherd-controller@ctl1:7443/89abcdef'), false],
    ['its lease lapsed already', held('draining', ME, 0), false],
    ['in maintenance: no lease to end', held('maintenance', ME), false],
    ['no operation id to end it by', held('draining', ME, 40_000, null), false],
  ] as const)('%s: %s', (_why, h, want) => {
    expect(isOwnLeftoverLease(h, ME)).toBe(want);
  });
});

describe("the name before the instance id a claim is sent under, for an agent that knows this controller only by it", () => {
  const ME = 'xenherd-controller@ctl1:7443/0123abcd';
  const SHORT = 'xenherd-controller@ctl1:7443';
  const f = (owner: string | null, operationId: string | null = 'op1'): Maintenance => ({ state: 'draining', operationId, owner });
  it.each([
    ['the same operation under the short name: continued under it', f(SHORT), 'op1', ME, SHORT],
    ['already sent under the short name: not again', f(SHORT), 'op1', SHORT, null],
    ['another operation under the short name: not this claim (the leftover lease is ended instead)', f(SHORT), 'op2', ME, null],
    ['the own name with the id: nothing older to use', f(ME), 'op1', ME, null],
    ['another host and port', f('xenherd-controller@ctl2:7443'), 'op1', ME, null],
    ['another instance on the same host and port', f('xenherd-controller@ctl1:7443/89abcdef'), 'op1', ME, null],
    ['no owner', f(null), 'op1', ME, null],
  ] as const)('%s', (_why, flag, op, sent, want) => {
    expect(earlierOwnName(flag, op, ME, sent)).toBe(want);
  });
});
