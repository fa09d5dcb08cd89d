import { describe, expect, it } from 'vitest';
import { finishedMarks, memoryRollRecords, ROLL_RECORD_MAX_AGE_MS, takesUp, withProgress, type RollProgress } from '../../../controller/plan/roll-record.js';

const NOW = 1_700_000_000_000;
const rec = (over: Partial<RollProgress> = {}): RollProgress => ({ controller: 'ctl-a', hosts: ['x1', 'x2', 'x3'], at: NOW - 60_000, finished: { x1: 'boot-1' }, ...over });

describe('which record of a stopped roll a roll takes up', () => {
  it('its own controller\'s, within the bound, every finished host among the roll\'s hosts', () => {
    expect(takesUp(rec(), 'ctl-a', ['x1', 'x2', 'x3'], NOW)).toBe(true);
    // the same roll without the hosts it did not reach, or with more: still the finished ones
    expect(takesUp(rec(), 'ctl-a', ['x1', 'x3'], NOW)).toBe(true);
    expect(takesUp(rec(), 'ctl-a', ['x1', 'x2', 'x3', 'x4'], NOW)).toBe(true);
  });

  it('not another controller\'s (a standby from a copy of the state dir), not past the bound, not one whose finished host is not asked', () => {
    expect(takesUp(rec(), 'ctl-b', ['x1', 'x2', 'x3'], NOW)).toBe(false);
    expect(takesUp(rec({ at: NOW - ROLL_RECORD_MAX_AGE_MS - 1 }), 'ctl-a', ['x1'], NOW)).toBe(false);
    expect(takesUp(rec({ at: NOW - ROLL_RECORD_MAX_AGE_MS }), 'ctl-a', ['x1'], NOW)).toBe(true);
    // a record from a clock far ahead is not believed for ever
    expect(takesUp(rec({ at: NOW + ROLL_RECORD_MAX_AGE_MS + 1 }), 'ctl-a', ['x1'], NOW)).toBe(false);
    expect(takesUp(rec(), 'ctl-a', ['x2', 'x3'], NOW)).toBe(false);
    expect(takesUp(rec({ finished: {} }), 'ctl-a', ['x1', 'x2', 'x3'], NOW)).toBe(false);
  });

  it('the marks of every record taken up, the newest last', () => {
    const marks = finishedMarks([rec({ finished: { x1: 'old' }, at: NOW - 120_000 }), rec({ finished: { x1: 'new', x2: 'b2' } }), rec({ controller: 'ctl-b', finished: { x3: 'b3' } })], 'ctl-a', ['x1', 'x2', 'x3'], NOW);
    expect([...marks]).toEqual([
      ['x1', 'new'],
      ['x2', 'b2'],
    ]);
  });
});

describe('the records once a roll finished hosts, or completed', () => {
  it('replaces the records it took up with its own; keeps others; drops those past the bound', () => {
    const other = rec({ controller: 'ctl-b' });
    const stale = rec({ at: NOW - ROLL_RECORD_MAX_AGE_MS - 1, hosts: ['y1'], finished: { y1: 'b' } });
    const next = withProgress([rec(), other, stale], 'ctl-a', ['x3', 'x1', 'x2'], NOW, new Map([['x2', 'b2'], ['x1', 'boot-1']]));
    expect(next).toEqual([other, { controller: 'ctl-a', hosts: ['x1', 'x2', 'x3'], at: NOW, finished: { x1: 'boot-1', x2: 'b2' } }]);
  });

  it('completed (null) or nothing finished: nothing of it is kept', () => {
    expect(withProgress([rec()], 'ctl-a', ['x1', 'x2', 'x3'], NOW, null)).toEqual([]);
    expect(withProgress([rec()], 'ctl-a', ['x1', 'x2', 'x3'], NOW, new Map())).toEqual([]);
  });

  it('at most 32 records are kept, the newest', () => {
    const many = Array.from({ length: 40 }, (_, i) => rec({ hosts: [`h${i}`], finished: { [`h${i}`]: 'b' }, at: NOW - 1000 + i }));
    const next = withProgress(many, 'ctl-a', ['z1'], NOW, new Map([['z1', 'bz']]));
    expect(next.length).toBe(32);
    expect(next.at(-1)?.hosts).toEqual(['z1']);
  });

  it('memory keeps what was saved, for the process alone', () => {
    const m = memoryRollRecords();
    expect(m.load()).toEqual({ records: [], problem: null });
    expect(m.save([rec()])).toBeNull();
    expect(m.load()).toEqual({ records: [rec()], problem: null });
  });
});
