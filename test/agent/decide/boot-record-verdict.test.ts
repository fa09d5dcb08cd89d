import { describe, expect, it } from 'vitest';
import { bootRecordVerdict, unreadRecordVerdict } from '../../../agent/decide/boot-record-verdict.js';

const START = Date.UTC(2026, 11, 4, 8, 0);
const boot = (over: Partial<Parameters<typeof bootRecordVerdict>[1]> = {}) => ({ bootId: 'b-now', emptiedByBoot: false, startedAtMs: START, ...over });
const rec = (bootId: string | null, mtimeMs = START) => ({ file: '/var/lib/xenherd/autostart-boot.json', bootId, mtimeMs });

describe('whether a boot record is this boot’s', () => {
  it('by its boot when known, whatever its time or dir', () => {
    expect(bootRecordVerdict(rec('b-now', 0), boot())).toEqual({ used: null });
    expect(bootRecordVerdict(rec('b-old', START + 1), boot({ emptiedByBoot: true }))).toEqual({ aside: expect.stringMatching(/from boot b-old, not this one \(b-now\): not used/) });
  });

  it('of unknown boot: this boot’s in a dir every boot empties; elsewhere by its time, written at or after the start', () => {
    expect(bootRecordVerdict(rec(null, 0), boot({ emptiedByBoot: true }))).toEqual({ used: null });
    expect(bootRecordVerdict(rec(null, START), boot())).toEqual({ used: expect.stringMatching(/an older agent's\), written 2026-12-04 08:00 UTC, since this boot began \(2026-12-04 08:00 UTC\): judged by its time alone, used$/) });
    expect(bootRecordVerdict(rec(null, START - 1), boot())).toEqual({ aside: expect.stringMatching(/before this boot began .*judged by its time alone, not used/) });
    expect(bootRecordVerdict(rec(null, START + 60_000), boot({ startedAtMs: null }))).toEqual({ aside: expect.stringMatching(/when this boot began is not known: not used/) });
  });

  it('one that could not be read is lost when it may be this boot\'s (its dir, its time, or a time not known), else an earlier boot\'s', () => {
    const unread = (mtimeMs: number | null) => ({ file: '/var/lib/xenherd/autostart-boot.json', mtimeMs });
    expect(unreadRecordVerdict(unread(0), boot({ emptiedByBoot: true }))).toEqual({ lost: 'it is in a dir every boot empties, so it was written this boot' });
    expect(unreadRecordVerdict(unread(START), boot())).toEqual({ lost: 'written 2026-12-04 08:00 UTC, since this boot began (2026-12-04 08:00 UTC)' });
    expect(unreadRecordVerdict(unread(null), boot())).toEqual({ lost: expect.stringContaining('may be this boot\'s') });
    expect(unreadRecordVerdict(unread(START - 1), boot())).toEqual({ earlier: 'written 2026-12-04 07:59 UTC, before this boot began (2026-12-04 08:00 UTC): an earlier boot\'s' });
    // as a readable record of unknown boot: without this boot's start, an earlier boot's
    expect(unreadRecordVerdict(unread(START + 60_000), boot({ startedAtMs: null }))).toEqual({ earlier: expect.stringContaining('when this boot began is not known') });
  });
});
