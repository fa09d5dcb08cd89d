import { describe, expect, it } from 'vitest';
import { readFixture } from '../../fixture.js';
import { renderProcDrbd9 } from './proc-drbd.js';
import type { HostDrbdView } from '../model/drbd-view.js';

describe('renderProcDrbd9', () => {
  it('prints what DRBD 9.0.32-1 printed (real capture): version, build and transports, no resources', () => {
    const view: HostDrbdView = { host: 'xen3', major: '9', version: '9.0.32-1', loaded: true, resources: [], configured: [] };
    expect(renderProcDrbd9(view)).toBe(readFixture('drbd/proc/9.0.32-version-only.txt').body);
  });
});
