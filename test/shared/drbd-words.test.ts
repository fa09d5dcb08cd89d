import { describe, expect, it } from 'vitest';
import {
  DRBD84_CONN_STATES,
  DRBD9_CONN_STATES,
  DRBD9_REPL_STATES,
  DRBD_CONNECTION_WORDS,
  DRBD_DISK_STATES,
  DRBD_REPLICATION_WORDS,
  worstDisk,
} from '../../shared/drbd-words.js';

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe('DRBD state words', () => {
  it('connection words are exactly the 9 connection states plus the 8.4 cs: states', () => {
    expect(sorted(DRBD_CONNECTION_WORDS)).toEqual(sorted([...DRBD9_CONN_STATES, ...DRBD84_CONN_STATES]));
  });
  it('replication words are exactly the 9 replication states plus the 8.4 cs: states', () => {
    expect(sorted(DRBD_REPLICATION_WORDS)).toEqual(sorted([...DRBD9_REPL_STATES, ...DRBD84_CONN_STATES]));
  });
  it('lists match the tools string tables in size', () => {
    expect(DRBD84_CONN_STATES).toHaveLength(24);
    expect(DRBD9_CONN_STATES).toHaveLength(10);
    expect(DRBD9_REPL_STATES).toHaveLength(15);
    expect(DRBD_DISK_STATES).toHaveLength(10);
  });
  it('worstDisk follows the kernel enum order', () => {
    expect(worstDisk(['UpToDate', 'Inconsistent', null])).toBe('Inconsistent');
    expect(worstDisk(['UpToDate', 'DUnknown'])).toBe('DUnknown');
    expect(worstDisk([null])).toBeNull();
  });
});
