import { describe, expect, it } from 'vitest';
import { ctlFor } from './ctl-bed.js';

// check's duration options out of range: a usage error (UNKNOWN, exit 3) that names the option
// given and its range, decided before any connection (the URL's port is never contacted).
const ENV = { XENHERD_URL: 'https://127.0.0.1:1', XENHERD_TOKEN: `xh1.000000000000.${'a'.repeat(43)}` };

describe('xenherdctl check duration options', () => {
  for (const option of ['--warn-deferred', '--crit-deferred', '--not-home-after', '--maintenance-warn']) {
    it(`${option} beyond the controller's range: named alone, with the range`, async () => {
      for (const value of ['99999999999999999d', '11574075d', `1${'0'.repeat(400)}s`]) {
        const r = await ctlFor(null)(['check', option, value], ENV);
        expect(r.code, r.stdout).toBe(3);
        expect(r.stdout).toBe(`XENHERD UNKNOWN - XH_ERR_USAGE: ${option} ${JSON.stringify(value)} is out of range: give a duration from 0 to 11574074d\n`);
      }
    });
  }

  it('a bare number is refused, asking for its unit, as drain --timeout does', async () => {
    for (const option of ['--warn-deferred', '--crit-deferred', '--not-home-after', '--maintenance-warn']) {
      const r = await ctlFor(null)(['check', option, '90'], ENV);
      expect(r.code, r.stdout).toBe(3);
      expect(r.stdout).toBe(`XENHERD UNKNOWN - XH_ERR_USAGE: ${option} "90" has no unit: write 90s, 90m or 90h\n`);
    }
  });

  it('the largest duration in range is taken (the request then goes out)', async () => {
    const r = await ctlFor(null)(['check', '--warn-deferred', '11574074d', '--crit-deferred', '11574074d', '--not-home-after', '11574074d', '--maintenance-warn', '11574074d'], ENV);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^XENHERD UNKNOWN - XH_ERR_CONTROLLER_UNREACHABLE/);
  });

  it('WARNING above CRITICAL names a threshold left to its default as such', async () => {
    const r = await ctlFor(null)(['check', '--warn-deferred', '3650d'], ENV);
    expect(r.stdout).toBe('XENHERD UNKNOWN - XH_ERR_USAGE: the deferred WARNING threshold must not be above the CRITICAL one (--warn-deferred, --crit-deferred (default))\n');
  });
});
