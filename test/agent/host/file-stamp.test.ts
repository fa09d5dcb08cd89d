import { describe, expect, it } from 'vitest';
import { SETTLED_AFTER_MS, sameStamp, settledStamp } from '../../../agent/host/file-stamp.js';
import type { FileStamp } from '../../../agent/host/files.js';

const stamp: FileStamp = { dev: 1, ino: 2, size: 30, mtimeMs: 1_000_000, ctimeMs: 1_000_000 };

describe('sameStamp', () => {
  it('is the same version only when every field is equal', () => {
    expect(sameStamp(stamp, { ...stamp })).toBe(true);
    for (const k of ['dev', 'ino', 'size', 'mtimeMs', 'ctimeMs'] as const) expect(sameStamp(stamp, { ...stamp, [k]: stamp[k] + 1 })).toBe(false);
  });
});

describe('settledStamp', () => {
  it('trusts a stamp only when the file changed long enough before it was taken', () => {
    expect(settledStamp(stamp, stamp.ctimeMs + SETTLED_AFTER_MS)).toBe(true);
    // a write in the same (coarse) tick as the read could keep the stamp: read again next time
    expect(settledStamp(stamp, stamp.ctimeMs + SETTLED_AFTER_MS - 1)).toBe(false);
    expect(settledStamp(stamp, stamp.ctimeMs)).toBe(false);
  });

  it('does not trust a stamp from the future (mtime set ahead, a clock set back)', () => {
    expect(settledStamp({ ...stamp, mtimeMs: stamp.ctimeMs + 60_000 }, stamp.ctimeMs + SETTLED_AFTER_MS)).toBe(false);
  });
});
