import { describe, expect, it } from 'vitest';
import { keptSince } from '../../../agent/decide/kept-since.js';
import { parseXenherdSince } from '../../../agent/parse/xenherd-since.js';

// Whether a domU's data/xenherd/since, read back at an agent's start, still says when it came to
// run on this Dom0: everything read back is outside input.

const NOW = Date.parse('2026-12-07T01:00:00.000Z');
const SINCE = '2026-12-06T21:00:00.000Z';

describe('parseXenherdSince', () => {
  it('takes the form Date#toISOString gives, and nothing else', () => {
    expect(parseXenherdSince(SINCE)).toEqual({ ok: true, value: Date.parse(SINCE) });
    for (const bad of ['2026-12-06T21:00:00Z', '2026-12-06 21:00:00.000Z', '2026-02-30T21:00:00.000Z', '2026-12-06T21:00:00.000+01:00', ' 2026-12-06T21:00:00.000Z', '', 'x'.repeat(100)]) {
      expect(parseXenherdSince(bad)).toMatchObject({ ok: false, error: expect.stringContaining('is not a time as the agent writes it') });
    }
    expect(parseXenherdSince('x'.repeat(100))).toMatchObject({ error: expect.stringMatching(/^"x{40}"… is not/) });
  });
});

describe('keptSince', () => {
  it('keeps a since of this Dom0 no later than now and no earlier than the domain started', () => {
    expect(keptSince({ dom0: 'xen1', since: SINCE }, 'xen1', NOW, null)).toEqual({ keep: SINCE });
    expect(keptSince({ dom0: 'xen1', since: SINCE }, 'xen1', NOW, Date.parse(SINCE))).toEqual({ keep: SINCE });
    expect(keptSince({ dom0: 'xen1', since: SINCE }, 'xen1', Date.parse(SINCE), null)).toEqual({ keep: SINCE });
  });

  it('writes anew, without a word, the since of another Dom0 or of none', () => {
    expect(keptSince({ dom0: 'xen2', since: SINCE }, 'xen1', NOW, null)).toEqual({ keep: null, why: null });
    expect(keptSince({ dom0: null, since: null }, 'xen1', NOW, null)).toEqual({ keep: null, why: null });
    // a name spelled otherwise is not this Dom0's
    expect(keptSince({ dom0: 'XEN1', since: SINCE }, 'xen1', NOW, null)).toEqual({ keep: null, why: null });
  });

  it('writes anew, saying why, a since of this Dom0 that cannot be trusted', () => {
    expect(keptSince({ dom0: 'xen1', since: null }, 'xen1', NOW, null)).toEqual({ keep: null, why: 'no since beside its dom0' });
    expect(keptSince({ dom0: 'xen1', since: 'soon' }, 'xen1', NOW, null)).toMatchObject({ keep: null, why: expect.stringContaining('"soon" is not a time') });
    expect(keptSince({ dom0: 'xen1', since: '2026-12-07T01:00:00.001Z' }, 'xen1', NOW, null)).toEqual({ keep: null, why: '2026-12-07T01:00:00.001Z is later than now (2026-12-07T01:00:00.000Z)' });
    expect(keptSince({ dom0: 'xen1', since: SINCE }, 'xen1', NOW, Date.parse(SINCE) + 10)).toEqual({ keep: null, why: `${SINCE} is before the domain started (2026-12-06T21:00:00.010Z)` });
  });
});
