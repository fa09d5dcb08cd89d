import type { FileStamp } from './files.js';

/** Same version of the same file: every field equal (see FileStamp). */
export const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

/**
 * How long after a file's last change its stamp is taken to stand for its content. Timestamps
 * are coarse (the kernel's clock ticks every few ms; ext3 keeps seconds, FAT two): a file
 * rewritten with as many bytes in the same tick as it was read keeps its stamp. A stamp taken
 * this long after the change cannot be shared with a later write, whose ctime is later.
 */
export const SETTLED_AFTER_MS = 5_000;

/**
 * Whether a stamp taken at `takenAtMs` (the wall clock, before the stat) may later stand for the
 * text read after it: both times this far in the past. A file changed just before, or stamped in
 * the future (a clock set back, a server ahead), is read again next time instead.
 */
export const settledStamp = (s: FileStamp, takenAtMs: number): boolean => Math.max(s.ctimeMs, s.mtimeMs) <= takenAtMs - SETTLED_AFTER_MS;
