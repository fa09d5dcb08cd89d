import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderAutostartStatus } from '../../../agent/cli/autostart-render.js';
import { AgentStatusSchema } from '../../../shared/protocol/agent-control.js';
import { TEST_TIMERS } from '../../harness/agent-on-sim.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// A guarded dir that is missing (a typo in guardedDir) or not a directory must not read as
// "nothing to do": the log says so at warn or above, and `autostart status` and systemd's STATUS
// line name the dir and the config key to fix. In process, on the simulator.

const FLEET = pairFleet({ optionLine: false, migrateTab: [], running: 'no' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function statusOf(f: Fleet) {
  const r = await f.agent('xen1').control({ op: 'status' });
  if (!r.ok) throw new Error(r.error.message);
  return AgentStatusSchema.parse(r.status);
}

/** xen1's guarded dir moved aside and a file put in its place; restore() puts the dir back. */
function replacedByFile(f: Fleet): { restore: () => void } {
  const dir = join(f.sim.hostRoot('xen1'), 'etc/xen/drbd-auto');
  renameSync(dir, `${dir}.moved`);
  writeFileSync(dir, 'not a dir\n');
  return {
    restore: () => {
      rmSync(dir);
      renameSync(`${dir}.moved`, dir);
    },
  };
}

describe('a guarded dir that gives nothing', () => {
  it('a guardedDir that does not exist: warned in the log, in status and in the STATUS line', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    f.startAgent('xen1', { ...TEST_TIMERS, guardedDir: '/etc/xen/drbd_auto' });
    const logged = await f.log('xen1', (l) => l.level >= 40 && String(l.msg).includes('/etc/xen/drbd_auto'), 'the missing dir logged');
    expect(String(logged.msg)).toContain('guardedDir');
    await f.advance(1_000);
    const s = await statusOf(f);
    expect(s.guarded).toEqual([]);
    expect(s.warnings).toEqual([expect.stringMatching(/guarded dir \/etc\/xen\/drbd_auto .*guardedDir/)]);
    expect(renderAutostartStatus(s)).toContain('warnings:\n  guarded dir /etc/xen/drbd_auto');
    const ready = f.agent('xen1').notified.map((n) => n.status).filter((x): x is string => typeof x === 'string');
    expect(ready.at(-1)).toMatch(/^0 guarded domUs \(guarded dir \/etc\/xen\/drbd_auto missing, empty or unreadable\)/);
  });

  it('a guarded dir replaced by a file: status quotes why it is unreadable', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    const guardedDir = replacedByFile(f);
    f.startAgent('xen1');
    await f.log('xen1', (l) => l.level >= 40 && /ENOTDIR|is not a directory/.test(String(l.msg)), 'the unreadable dir logged');
    await f.advance(1_000);
    const s = await statusOf(f);
    expect(s.warnings).toEqual([expect.stringMatching(/^guarded dir unreadable.*\/etc\/xen\/drbd-auto.*(ENOTDIR|is not a directory).*guardedDir/)]);
    const ready = f.agent('xen1').notified.map((n) => n.status).filter((x): x is string => typeof x === 'string');
    expect(ready.at(-1)).toMatch(/^0 guarded domUs \(guarded dir \/etc\/xen\/drbd-auto missing, empty or unreadable\)/);
    guardedDir.restore();
  });

  it('logged once while it stays unreadable, and once when it is back', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    const guardedDir = replacedByFile(f);
    f.startAgent('xen1', { ...TEST_TIMERS, events: { ...TEST_TIMERS.events, resyncSeconds: 10 } });
    await f.log('xen1', (l) => l.level >= 40 && /ENOTDIR|is not a directory/.test(String(l.msg)), 'the unreadable dir logged');
    const fullReads = f.agent('xen1').core.current.fullRead.done;
    await f.until(() => f.agent('xen1').core.current.fullRead.done >= fullReads + 5, 'five more full reads', 120_000);
    expect(f.agent('xen1').logs.filter((l) => l.level >= 40 && String(l.msg).startsWith('guarded dir unreadable'))).toHaveLength(1);
    guardedDir.restore();
    await f.log('xen1', (l) => l.msg === 'guarded dir /etc/xen/drbd-auto readable again', 'the dir back logged', 60_000);
    await f.until(() => f.agent('xen1').core.current.guarded.some((g) => g.name === 'web1'), 'web1 guarded again', 60_000);
  });
});
