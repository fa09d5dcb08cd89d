import { describe, expect, it } from 'vitest';
import { drbdSeries, parseDrbdadmVersion } from '../../../agent/parse/drbd-version.js';
import { readFixture } from '../../fixture.js';

describe('parseDrbdadmVersion', () => {
  it('utils 9.15 with an 8.4.11 kernel (only the _CODE line)', () => {
    const r = parseDrbdadmVersion(readFixture('drbd/version/9.15-kernel-84.txt').body);
    expect(r.ok && r.value.utilsVersion).toBe('9.15.0');
    expect(r.ok && r.value.kernelVersion).toBe('8.4.11');
    expect(r.ok && r.value.vars['DRBDADM_API_VERSION']).toBe('1');
  });
  it('utils 9.28 with an 8.4.11 kernel (real): still only the _CODE line', () => {
    const r = parseDrbdadmVersion(readFixture('drbd/version/9.28-kernel-84.txt').body);
    expect(r.ok && r.value).toMatchObject({ utilsVersion: '9.28.0', kernelVersion: '8.4.11' });
    expect(r.ok && r.value.vars['DRBDADM_VERSION_CODE']).toBe('0x091c00');
  });
  it('no module anywhere: kernel version null', () => {
    const r = parseDrbdadmVersion(readFixture('drbd/version/9.22-no-module.txt').body);
    expect(r.ok && r.value).toMatchObject({ utilsVersion: '9.22.0', kernelVersion: null });
  });
  it('garbage fails with the line', () => {
    const r = parseDrbdadmVersion('DRBDADM_VERSION=9.22.0\nhello world\n');
    expect(!r.ok && r.error.line).toBe(2);
    expect(parseDrbdadmVersion('').ok).toBe(false);
  });
  it('series', () => {
    expect(drbdSeries('8.4.11')).toBe('8.4');
    expect(drbdSeries('9.2.12')).toBe('9');
    expect(drbdSeries('8.3.11')).toBeNull();
  });
});
