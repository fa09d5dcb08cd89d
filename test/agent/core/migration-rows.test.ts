import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { followMigrationRows, migrationRowsPollMs, migrationRowsWaitMs } from '../../../agent/core/migration-rows.js';
import { initialState } from '../../../agent/core/state.js';
import type { InventoryDomain } from '../../../shared/inventory.js';
import { migrationRow } from '../listed-domains.js';

// While `xl list` shows a migration row, the agent reads it again soon: libxl's rename at the end
// of a migration (NAME--incoming → NAME) is a xenstore write that no domain watch reports.

const T0 = Date.UTC(2025, 0, 1);
const row = (name: string, migration: InventoryDomain['migration']): InventoryDomain => migrationRow(name, migration);
const fresh = () => initialState({ config: AgentConfigSchema.parse({}), host: 'xen2', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });

describe('following migration rows', () => {
  it('reads again in 250 ms while a row stands, less often once it has stood for minutes, and stops when none is left', () => {
    const fx: Effect[] = [];
    let s = followMigrationRows(fresh(), fx, [row('web1', 'incoming')], T0, 5);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 250 }]);
    expect(s.migrationRowsSince).toBe(T0);
    fx.length = 0;
    s = followMigrationRows(s, fx, [row('web1', 'incoming')], T0 + 3 * 60_000, 5);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 1_000 }]);
    fx.length = 0;
    s = followMigrationRows(s, fx, [row('web1', 'migratedaway')], T0 + 31 * 60_000, 5);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 10_000 }]);
    fx.length = 0;
    s = followMigrationRows(s, fx, [row('web1', null)], T0 + 32 * 60_000, 5);
    expect(fx).toEqual([]);
    expect(s.migrationRowsSince).toBeNull();
    // a new migration starts its own clock
    s = followMigrationRows(s, fx, [row('db1', 'incoming')], T0 + 40 * 60_000, 5);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 250 }]);
    expect(s.migrationRowsSince).toBe(T0 + 40 * 60_000);
  });

  it('the interval by how long rows have stood', () => {
    expect([0, 119_999, 120_000, 30 * 60_000 - 1, 30 * 60_000, 7 * 86_400_000].map(migrationRowsPollMs)).toEqual([250, 250, 1_000, 1_000, 10_000, 10_000]);
  });

  it('waits at least four times what the last read took (10 s at most): on a slow Dom0 the reads keep to a fifth of its CPU', () => {
    const fx: Effect[] = [];
    // a read of 1.2 s (a Dom0 under load): the next one 4.8 s later, not 250 ms
    let s = followMigrationRows(fresh(), fx, [row('web1', 'incoming')], T0, 1_200);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 4_800 }]);
    fx.length = 0;
    // reads fast again: the usual quarter second
    s = followMigrationRows(s, fx, [row('web1', 'incoming')], T0 + 6_000, 40);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 250 }]);
    expect(s.migrationRowsSince).toBe(T0);
    expect([migrationRowsWaitMs(0, 0), migrationRowsWaitMs(0, 62.5), migrationRowsWaitMs(0, 62.6), migrationRowsWaitMs(3 * 60_000, 300), migrationRowsWaitMs(3 * 60_000, 2_000), migrationRowsWaitMs(0, 2_500), migrationRowsWaitMs(0, 30_000), migrationRowsWaitMs(31 * 60_000, 5_000), migrationRowsWaitMs(0, -3)]).toEqual([250, 250, 251, 1_200, 8_000, 10_000, 10_000, 10_000, 250]);
  });

  it('a full read (not timed) landing between the timed reads leaves their pace alone', () => {
    const fx: Effect[] = [];
    let s = followMigrationRows(fresh(), fx, [row('web1', 'incoming')], T0, 1_200);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 4_800 }]);
    fx.length = 0;
    // the timer is armed (the loop keeps its name in timers while it is): the full read adds none
    s = followMigrationRows({ ...s, timers: new Set(['migration-rows']) }, fx, [row('web1', 'incoming')], T0 + 2_000, null);
    expect(fx).toEqual([]);
    // a timed read runs: it arms the next as it lands
    s = followMigrationRows({ ...s, timers: new Set(), listRead: { running: true, again: false, done: 3 } }, fx, [row('web1', 'incoming')], T0 + 6_500, null);
    expect(fx).toEqual([]);
    expect(s.migrationRowsSince).toBe(T0);
    // neither: the full read is the first to show the rows, and starts the timed reads
    s = followMigrationRows(fresh(), fx, [row('web1', 'incoming')], T0, null);
    expect(fx).toEqual([{ e: 'timer', name: 'migration-rows', ms: 250 }]);
  });
});
