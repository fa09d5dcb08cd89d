import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DRBD_CONNECTION_WORDS,
  DRBD_DISK_STATES,
  DRBD_REPLICATION_WORDS,
  DRBD_ROLES,
  type DrbdConnectionWord,
  type DrbdDiskState,
  type DrbdReplicationWord,
  type DrbdRole,
} from '../../shared/drbd-words.js';
import type { z } from 'zod';
import type { ErrorCode } from '../../shared/errors.js';
import { DrbdResourceViewSchema, ProblemSchema, type DrbdResourceView } from '../../shared/inventory.js';

// The DRBD words of the inventory view are the parsers' word types, not strings: a word no DRBD
// tool prints cannot reach the autostart decision through shared/, and a typo in a comparison
// (`role === 'Primry'`) is a type error.
const view = (over: Partial<Record<'role' | 'peerRole' | 'connection' | 'disk' | 'peerDisk' | 'replication', string | null>> = {}): unknown => ({
  name: 'r0',
  up: true,
  role: over.role ?? 'Secondary',
  peerRole: over.peerRole ?? 'Secondary',
  connection: over.connection ?? 'Connected',
  disk: over.disk ?? 'UpToDate',
  peerDisk: over.peerDisk ?? 'UpToDate',
  peers: [{ name: 'xen2', role: over.peerRole ?? 'Secondary', connection: over.connection ?? 'Connected', disk: over.peerDisk ?? 'UpToDate', replication: over.replication ?? null, syncedPercent: null }],
});

describe('DrbdResourceViewSchema', () => {
  it.each([
    ['role', 'Primry'],
    ['peerRole', 'secondary'],
    ['connection', 'Conected'],
    ['disk', 'uptodate'],
    ['peerDisk', 'Up-To-Date'],
    ['replication', 'Establishd'],
  ] as const)('refuses %s %j, a word no DRBD tool prints', (field, word) => {
    expect(DrbdResourceViewSchema.safeParse(view({ [field]: word })).success).toBe(false);
  });

  it('accepts every word the tools print, and null where nothing was printed', () => {
    for (const role of DRBD_ROLES) expect(DrbdResourceViewSchema.safeParse(view({ role, peerRole: role })).success).toBe(true);
    for (const connection of DRBD_CONNECTION_WORDS) expect(DrbdResourceViewSchema.safeParse(view({ connection })).success).toBe(true);
    for (const disk of DRBD_DISK_STATES) expect(DrbdResourceViewSchema.safeParse(view({ disk, peerDisk: disk })).success).toBe(true);
    for (const replication of DRBD_REPLICATION_WORDS) expect(DrbdResourceViewSchema.safeParse(view({ replication })).success).toBe(true);
    const down = { name: 'r0', up: false, role: null, peerRole: null, connection: null, disk: null, peerDisk: null, peers: [] };
    expect(DrbdResourceViewSchema.safeParse(down).success).toBe(true);
  });

  it('gives the decision code the word unions, not strings', () => {
    expectTypeOf<DrbdResourceView['role']>().toEqualTypeOf<DrbdRole | null>();
    expectTypeOf<DrbdResourceView['peerRole']>().toEqualTypeOf<DrbdRole | null>();
    expectTypeOf<DrbdResourceView['connection']>().toEqualTypeOf<DrbdConnectionWord | null>();
    expectTypeOf<DrbdResourceView['disk']>().toEqualTypeOf<DrbdDiskState | null>();
    expectTypeOf<DrbdResourceView['peerDisk']>().toEqualTypeOf<DrbdDiskState | null>();
    expectTypeOf<DrbdResourceView['peers'][number]['role']>().toEqualTypeOf<DrbdRole | null>();
    expectTypeOf<DrbdResourceView['peers'][number]['connection']>().toEqualTypeOf<DrbdConnectionWord | null>();
    expectTypeOf<DrbdResourceView['peers'][number]['disk']>().toEqualTypeOf<DrbdDiskState | null>();
    expectTypeOf<DrbdResourceView['peers'][number]['replication']>().toEqualTypeOf<DrbdReplicationWord | null>();
  });
});

describe('ProblemSchema', () => {
  it("takes only the catalog's error codes", () => {
    expect(ProblemSchema.safeParse({ code: 'XH_ERR_TOOL_FAILED', source: 'xl list', message: 'exit 1' }).success).toBe(true);
    expect(ProblemSchema.safeParse({ code: 'XH_ERR_SOMETHING', source: 'xl list', message: 'exit 1' }).success).toBe(false);
    expectTypeOf<z.infer<typeof ProblemSchema>['code']>().toEqualTypeOf<ErrorCode>();
  });
});
