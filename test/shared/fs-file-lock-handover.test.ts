import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * Eight enrolls at once: a taker found the lock held, and while it read the holder's line the lock
 * changed hands (released, taken by a third) between its stat and its open. The read says "was
 * replaced while being opened" (EAGAIN): the lock moved on, so the taker tries again. It was
 * refused as "not a lock xenherd wrote" (seen once in the 8-process race test).
 */
const swapped = vi.hoisted(() => ({ times: 0 }));
vi.mock('../../shared/fs/regular-file.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../shared/fs/regular-file.js')>();
  const readRegularSync: typeof real.readRegularSync = (path, o) => {
    if (swapped.times > 0 && String(path).endsWith('.lock')) {
      swapped.times--;
      return { ok: false, error: { code: 'XH_ERR_FILE', errno: 'EAGAIN', message: `${String(path)}: was replaced while being opened: try again` } } as ReturnType<typeof real.readRegularSync>;
    }
    return real.readRegularSync(path, o);
  };
  return { ...real, readRegularSync };
});
const { takeLock } = await import('../../shared/fs/file-lock.js');

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('takeLock while the lock changes hands', () => {
  it('a holder line replaced between stat and open is a retry, not a refusal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xh-lock-handover-'));
    dirs.push(dir);
    const path = join(dir, 'tokens.json.lock');
    // a lock of a process that is gone: once the swapped read is over, it is taken over
    writeFileSync(path, '2147483646\n');
    swapped.times = 1;
    const r = await takeLock(path, 'tokens.json', 1_000);
    expect(r.ok ? 'taken' : r.error.message).toBe('taken');
    if (r.ok) r.value.release();
  });
});
