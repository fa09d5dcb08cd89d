import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { isLowOnSpace, STATE_DISK_LOW } from '../../../controller/fleet/state-disk-check.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { hostViews } from '../../../controller/fleet/views.js';
import type { LinkStateDisk } from '../../../shared/protocol/state-disk.js';
import { hostState, record } from '../states.js';
import { checkAt } from './check-bed.js';

// check's words on the filesystems under an agent's records, from the agent's report alone.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const check = checkAt(fresh);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const disk = (freeBytes: number | null, totalBytes: number | null, failure: LinkStateDisk['failure'] = null): LinkStateDisk => ({ role: 'state', dir: '/var/lib/xenherd', freeBytes, totalBytes, readAt: new Date(NOW).toISOString(), failure });
const host = (disks: LinkStateDisk[] | undefined, lastSeen = NOW): HostRecord => record('xen1', hostState(disks === undefined ? {} : { stateDisks: disks }), lastSeen, true);

describe('check of the filesystem under an agent\'s records', () => {
  it('low: under 5 % of the filesystem but never more than 256 MiB, and under 1 MiB whatever its size', () => {
    // a large root filesystem with gigabytes left is no page, nor a small /run tmpfs nearly empty
    expect(isLowOnSpace({ freeBytes: 49 * GiB, totalBytes: 1000 * GiB })).toBe(false);
    expect(isLowOnSpace({ freeBytes: 255 * MiB, totalBytes: 1000 * GiB })).toBe(true);
    expect(isLowOnSpace({ freeBytes: 49 * MiB, totalBytes: 50 * MiB })).toBe(false);
    expect(isLowOnSpace({ freeBytes: 2 * MiB, totalBytes: 50 * MiB })).toBe(true);
    expect(isLowOnSpace({ freeBytes: 60 * MiB, totalBytes: 1 * GiB })).toBe(false);
    expect(isLowOnSpace({ freeBytes: 40 * MiB, totalBytes: 1 * GiB })).toBe(true);
    expect(isLowOnSpace({ freeBytes: STATE_DISK_LOW.floorBytes - 1, totalBytes: null })).toBe(true);
    expect(isLowOnSpace({ freeBytes: 10 * MiB, totalBytes: null })).toBe(false);
    expect(isLowOnSpace({ freeBytes: null, totalBytes: null })).toBe(false);
  });

  it('an agent that does not report it (older, or no reading yet) and one with room: OK', () => {
    expect(check([host(undefined)]).status).toBe('OK');
    expect(check([host([disk(10 * GiB, 20 * GiB)])]).status).toBe('OK');
  });

  it('a failed write is CRITICAL even with space shown (a quota, or a read-only mount), naming what failed and when', () => {
    const a = check([host([disk(10 * GiB, 20 * GiB, { code: 'EDQUOT', at: new Date(NOW - 120_000).toISOString(), what: 'the migration ledger' })])]);
    expect(a.status).toBe('CRITICAL');
    expect(a.details.map((d) => d.text)).toEqual([
      'xen1: its agent cannot write under /var/lib/xenherd: the disk quota is exceeded (10 GiB free of 20 GiB, 50 %; the migration ledger failed at 2023-11-14 22:11 UTC): its migration ledger cannot record migrations or the homes of domUs (a migrate or reverse there fails), nor its maintenance flag change; on xen1, raise the quota or free space on the filesystem holding /var/lib/xenherd (quota; df -h /var/lib/xenherd)',
    ]);
  });

  it('an unreachable host\'s last report is not judged: its own line pages', () => {
    const texts = check([host([disk(0, 20 * GiB, { code: 'ENOSPC', at: new Date(NOW).toISOString(), what: 'a test write' })], NOW - 60_000)]).details.map((d) => d.kind);
    expect(texts).toEqual(['host-unreachable']);
  });

  it('hosts carries the readings and check\'s words on them', () => {
    const m = mergeFleet([host([disk(10 * MiB, 20 * GiB)])], fresh);
    const [v] = hostViews(m.index, fresh);
    expect(v?.stateDisks).toHaveLength(1);
    expect(v?.diskTrouble).toEqual([{ status: 'WARNING', text: expect.stringMatching(/^xen1: the filesystem holding \/var\/lib\/xenherd is nearly full \(10 MiB free of 20 GiB, 0\.0 %\)/) }]);
  });
});
