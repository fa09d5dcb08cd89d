import { describe, expect, it } from 'vitest';
import { parseXenStartTime } from '../../../agent/parse/xen-start-time.js';

// libxl writes start_time as "%lu.%02d" (libxl_create.c): seconds since the epoch, a dot, hundredths

describe("libxl's start_time", () => {
  it('is read as ms since the epoch, its hundredths kept', () => {
    expect(parseXenStartTime('1735689600.07')).toEqual({ ok: true, value: 1_735_689_600_070 });
    expect(parseXenStartTime('1735689600.99')).toEqual({ ok: true, value: 1_735_689_600_990 });
  });

  it.each([
    ['xend writes Python floats', '1735689600.1234'],
    ['one hundredths digit', '1735689600.7'],
    ['no fraction', '1735689600'],
    ['a blank', ' 1735689600.07'],
    ['a newline left on', '1735689600.07\n'],
    ['a sign', '-1735689600.07'],
    ['empty', ''],
    ['digits beyond any date', '99999999999999.00'],
  ])('refuses what libxl does not write: %s', (_why, raw) => {
    expect(parseXenStartTime(raw).ok).toBe(false);
  });

  it('refuses a time before 2000 (a Dom0 whose clock was not set) and one past what a date holds', () => {
    const early = parseXenStartTime('12.00');
    expect(early.ok).toBe(false);
    expect(!early.ok && early.error).toContain('before 2000');
    expect(parseXenStartTime('8640000000001.00').ok).toBe(false);
    expect(parseXenStartTime('8640000000000.00').ok).toBe(true);
  });
});
