import { describe, expect, it } from 'vitest';
import { bootMarkOf, rollResume, withBootMark } from '../../../controller/plan/roll-resume.js';
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

  it('restoring: the reboot is done, the restore is continued (whatever the boot id)', () => {
    for (const boot of [UUID, OTHER, null]) {
      expect(rollResume(flag('restoring', 'op-9'), boot)).toEqual({ step: 'restore', why: 'restoring' });
      expect(rollResume(flag('restoring', marked), boot)).toEqual({ step: 'restore', why: 'restoring' });
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
});
