import { describe, expect, it } from 'vitest';
import { bootMarkOf, rollResume, rollResumes, withBootMark } from '../../../controller/plan/roll-resume.js';
import type { Maintenance } from '../../../shared/protocol/agent-link-state.js';
import { OPERATION_ID_RE } from '../../../shared/protocol/agent-link-values.js';

const flag = (state: Maintenance['state'], operationId: string | null): Maintenance => ({ state, operationId, owner: operationId === null ? null : 'ctl' });
const UUID = '8f4e2c9a-1b3d-4e5f-9a0b-1c2d3e4f5a6b';
const OTHER = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

describe('the boot mark a roll leaves in a flag it sets in maintenance', () => {
  it('carries the boot id and reads back, within the 100 characters of an operation id', () => {
    const op = withBootMark('2f1c9d70-5a4b-4c3d-9e8f-7a6b5c4d3e2f', UUID);
    expect(op).toBe(`2f1c9d70-5a4b-4c3d-9e8f-7a6b5c4d3e2f.boot.${UUID}`);
    expect(bootMarkOf(op)).toBe(UUID);
    const long = withBootMark('x'.repeat(100), 'b'.repeat(64));
    expect(long.length).toBe(100);
    expect(OPERATION_ID_RE.test(long)).toBe(true);
    expect(bootMarkOf(long)).toBe('b'.repeat(64));
  });

  it('no boot id, or one that is not a boot id, leaves the operation id as it was', () => {
    expect(withBootMark('op-1', null)).toBe('op-1');
    expect(withBootMark('op-1', 'not a boot id')).toBe('op-1');
    expect(withBootMark('op-1', '')).toBe('op-1');
  });

  it('an operation id without a mark, or with a broken one, carries none', () => {
    for (const op of [null, 'op-1', '.boot.abc', 'op.boot.', 'op.boot.a b', `op.boot.${'c'.repeat(65)}`]) expect([op, bootMarkOf(op)]).toEqual([op, null]);
    expect(bootMarkOf('a.boot.b.boot.c')).toBe('c');
  });
});

describe('where a roll asked again takes up a host', () => {
  const marked = withBootMark('op-7', UUID);

  it('restoring with a mark (the roll began that restore after the reboot): continued, whatever the boot id', () => {
    for (const boot of [UUID, OTHER, null]) expect(rollResume(flag('restoring', marked), boot)).toEqual({ step: 'restore', why: 'restoring' });
  });

  it('restoring without a mark (an operator\'s own restore, a flag set by hand): drained and rebooted as usual', () => {
    for (const boot of [UUID, OTHER, null]) {
      expect(rollResume(flag('restoring', 'op-9'), boot)).toEqual({ step: 'drain' });
      expect(rollResume(flag('restoring', null), boot)).toEqual({ step: 'drain' });
      expect(rollResume(flag('restoring', 'op-9'), boot, UUID)).toEqual({ step: 'drain' });
    }
  });

  it('in maintenance with this roll\'s mark: rebooted once the boot id changed, else the reboot is still to come', () => {
    expect(rollResume(flag('maintenance', marked), OTHER)).toEqual({ step: 'restore', why: 'rebooted' });
    expect(rollResume(flag('maintenance', marked), UUID)).toEqual({ step: 'reboot', bootId: UUID });
    // a boot id not known is never counted as a reboot
    expect(rollResume(flag('maintenance', marked), null)).toEqual({ step: 'reboot', bootId: UUID });
  });

  it('in maintenance without a mark (set by hand, by drain, by an older controller): drained as before', () => {
    for (const boot of [UUID, OTHER, null]) {
      expect(rollResume(flag('maintenance', 'op-1'), boot)).toEqual({ step: 'drain' });
      expect(rollResume(flag('maintenance', null), boot)).toEqual({ step: 'drain' });
      expect(rollResume(flag('maintenance', 'kernel update!'), boot)).toEqual({ step: 'drain' });
    }
  });

  it('online or draining: drained (a draining flag keeps its operation through drainClaim), even with a mark', () => {
    for (const boot of [UUID, OTHER, null]) {
      expect(rollResume(flag('online', null), boot)).toEqual({ step: 'drain' });
      expect(rollResume(flag('draining', 'op-1'), boot)).toEqual({ step: 'drain' });
      expect(rollResume(flag('draining', marked), boot)).toEqual({ step: 'drain' });
    }
  });

  it('online and finished by the roll on the boot the agent still reports: done; any other boot, or none known: drained', () => {
    expect(rollResume(flag('online', null), UUID, UUID)).toEqual({ step: 'done', bootId: UUID });
    expect(rollResume(flag('online', null), OTHER, UUID)).toEqual({ step: 'drain' });
    expect(rollResume(flag('online', null), null, UUID)).toEqual({ step: 'drain' });
    expect(rollResume(flag('online', null), UUID, null)).toEqual({ step: 'drain' });
  });

  it('every state, mark, boot and record: only online takes the record, only restoring/maintenance take the mark', () => {
    const states: Maintenance['state'][] = ['online', 'draining', 'maintenance', 'restoring'];
    for (const state of states)
      for (const op of [null, 'op-1', marked])
        for (const boot of [UUID, OTHER, null])
          for (const finished of [null, UUID, OTHER]) {
            const r = rollResume(flag(state, op), boot, finished);
            const expected =
              state === 'online'
                ? finished !== null && boot === finished
                  ? { step: 'done', bootId: boot }
                  : { step: 'drain' }
                : state === 'restoring' && op === marked
                  ? { step: 'restore', why: 'restoring' }
                  : state === 'maintenance' && op === marked
                    ? boot !== null && boot !== UUID
                      ? { step: 'restore', why: 'rebooted' }
                      : { step: 'reboot', bootId: UUID }
                    : { step: 'drain' };
            expect([state, op, boot, finished, r]).toEqual([state, op, boot, finished, expected]);
          }
  });
});

describe('what a roll asked now does with each host (the roll plan\'s steps)', () => {
  it('each host once, in the order asked, from its flag, boot and the record', () => {
    const flags: Record<string, Maintenance> = { x1: flag('online', null), x2: flag('maintenance', withBootMark('op', UUID)), x3: flag('maintenance', withBootMark('op', OTHER)), x4: flag('online', null) };
    const boots: Record<string, string> = { x1: UUID, x2: UUID, x3: UUID, x4: OTHER };
    const steps = rollResumes(['x1', 'x2', 'x3', 'x4', 'x1'], (h) => flags[h] as Maintenance, (h) => boots[h] ?? null, new Map([['x1', UUID], ['x4', UUID]]));
    expect(steps.map((s) => [s.host, s.step])).toEqual([
      ['x1', 'done'],
      ['x2', 'reboot'],
      ['x3', 'restore'],
      ['x4', 'drain'],
    ]);
  });
});
