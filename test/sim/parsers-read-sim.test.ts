import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../agent/adapters/drbd-view.js';
import { parseDrbdCstate, parseDrbdDstate, parseDrbdRole } from '../../agent/parse/drbd-role.js';
import { parseDrbdStatusJson } from '../../agent/parse/drbd-status-json.js';
import { parseDrbdStatus } from '../../agent/parse/drbd-status.js';
import { classifyDrbdStderr } from '../../agent/parse/drbd-tool-error.js';
import { parseEvents2 } from '../../agent/parse/events2.js';
import { parseProcDrbd } from '../../agent/parse/proc-drbd.js';
import { parseXlInfo, parseXmInfo } from '../../agent/parse/xl-info.js';
import { parseXlList } from '../../agent/parse/xl-list.js';
import { classifyXlMigrate } from '../../agent/parse/xl-migrate.js';
import { classifyXmMigrate } from '../../agent/parse/xm-migrate.js';
import { classifyToolstackStderr } from '../../agent/parse/xl-stderr.js';
import { parseXmList } from '../../agent/parse/xm-list.js';
import { parseSshG } from '../../agent/parse/ssh-g.js';
import { emptyDrbdState, reduceDrbdAll } from '../../agent/state/drbd-reducer.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sim } from './sim.js';
import { simPerTest } from './sim-per-test.js';

// The agent's own parsers must read whatever the simulator prints, for every command the agent
// uses and in every state the simulator can reach: otherwise a simulated scenario proves nothing.

const FLEET = `
option bandwidth=1024 connect-delay=2000
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host n1 mem=16384 cpus=4 toolstack=xl xen=4.17.7 drbd=9
host n2 mem=16384 cpus=4 toolstack=xl xen=4.17.7 drbd=9
host old1 mem=8192 cpus=2 toolstack=xm xen=4.1.4 drbd=8.4
host old2 mem=8192 cpus=2 toolstack=xm xen=4.1.4 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu db1 mem=4096 vcpus=4 home=xen2 peer=xen1 drbd=r2,r3 running=xen2
domu nine1 mem=1024 vcpus=1 home=n1 peer=n2 drbd=r9 running=n1
domu legacy1 mem=512 vcpus=1 home=old1 peer=old2 drbd=r7 running=old1
`;

const startSim = simPerTest();
const start = (): Promise<Sim> => startSim({ fleet: FLEET, clock: 'deterministic' });

const ok = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }, what: string): T => {
  if (!r.ok) throw new Error(`${what}: ${JSON.stringify(r.error)}`);
  return r.value;
};

/** Every read-only command the agent runs, parsed, on every host, in the current state. */
async function readEverything(s: Sim, label: string): Promise<void> {
  const state = s.state();
  for (const [host, h] of Object.entries(state.hosts)) {
    if (h.power === 'off') continue;
    const at = `${label}: ${host}`;
    if (h.toolstack === 'xl') {
      const list = ok(parseXlList((await s.run(host, 'xl', ['list'])).stdout), `${at} xl list`);
      expect(list.map((d) => d.name).sort(), at).toEqual(['Domain-0', ...state.domains.filter((d) => d.host === host).map((d) => d.name)].sort());
      // xl migrate's route to a peer, as the preflight reads it
      expect(ok(parseSshG((await s.run(host, 'ssh', ['-G', '--', 'xen2'])).stdout), `${at} ssh -G`)).toEqual({ hostname: 'xen2', port: 22, proxy: null });
      expect(ok(parseXlInfo((await s.run(host, 'xl', ['info'])).stdout), `${at} xl info`).totalMemoryMiB).toBe(h.totalMiB);
    } else {
      ok(parseXmList((await s.run(host, 'xm', ['list'])).stdout), `${at} xm list`);
      ok(parseXmInfo((await s.run(host, 'xm', ['info'])).stdout), `${at} xm info`);
    }
    if (h.drbd === null) continue;
    for (const res of Object.values(state.drbd).filter((r) => r.nodes.includes(host))) {
      const status = await s.run(host, 'drbdadm', ['status', res.name]);
      if (status.exitCode !== 0) {
        expect(classifyDrbdStderr(status.stderr), `${at} drbdadm status ${res.name}: ${status.stderr}`).not.toBeNull();
        continue;
      }
      const parsed = ok(parseDrbdStatus(status.stdout), `${at} drbdadm status ${res.name}`);
      const view = resourceViewFromStatus(parsed[0]!);
      expect(view.role, `${at} ${res.name} role`).toBe(res.replicas[host]?.role);
      const verbs: ReadonlyArray<readonly [string, (t: string) => { ok: true; value: unknown } | { ok: false; error: unknown }]> = [
        ['role', parseDrbdRole],
        ['cstate', parseDrbdCstate],
        ['dstate', parseDrbdDstate],
      ];
      for (const [verb, parse] of verbs) {
        ok(parse((await s.run(host, 'drbdadm', [verb, res.name])).stdout), `${at} drbdadm ${verb} ${res.name}`);
      }
    }
    const dump = ok(parseEvents2((await s.run(host, 'drbdsetup', ['events2', '--now'])).stdout), `${at} events2 --now`);
    expect(reduceDrbdAll(dump, emptyDrbdState).initialDone, `${at} events2 dump ends with "exists -"`).toBe(true);
    ok(parseEvents2((await s.run(host, 'drbdsetup', ['events2', '--now', '--timestamps'])).stdout), `${at} events2 --now --timestamps`);
    if (h.drbd === '9') ok(parseDrbdStatusJson((await s.run(host, 'drbdsetup', ['status', '--json'])).stdout), `${at} status --json`);
    ok(parseProcDrbd(readFileSync(join(s.hostRoot(host), 'proc/drbd'), 'utf8')), `${at} /proc/drbd`);
  }
}

describe('the agent parsers read everything the simulator prints', () => {
  it('healthy fleet: xl and xm hosts, DRBD 8.4 and 9', async () => {
    await readEverything(await start(), 'healthy');
  });

  it('a host powered off (peer Unknown) and back on (connecting, then connected)', async () => {
    const s = await start();
    s.power('xen2', 'off');
    s.power('n2', 'off');
    await readEverything(s, 'peers off');
    s.power('xen2', 'on');
    s.power('n2', 'on');
    await readEverything(s, 'peers booting');
    await s.advance(3_000);
    await readEverything(s, 'peers connected');
  });

  it('DRBD link cut and split brain (StandAlone)', async () => {
    const s = await start();
    s.drbd('r1', 'disconnect');
    s.drbd('r9', 'split-brain');
    await readEverything(s, 'cut and split');
  });

  it('a live migration, mid-copy (--incoming / --migratedaway) and after, on xl and xm', async () => {
    const s = await start();
    const xl = s.start('xen1', 'xl', ['migrate', 'web1', 'xen2']);
    const xm = s.start('old1', 'xm', ['migrate', '--live', 'legacy1', 'old2']);
    await s.advance(100);
    await readEverything(s, 'mid-copy');
    // xend renames the sender for the whole copy, libxl only for its final handshake
    expect((await s.run('old1', 'xm', ['list'])).stdout).toMatch(/^migrating-legacy1 +\d+ /m);
    expect((await s.run('old1', 'xm', ['list', 'legacy1'])).stderr).toBe("Error: Domain 'legacy1' does not exist.\n");
    expect((await s.run('old1', 'xm', ['list', 'migrating-legacy1'])).exitCode).toBe(0);
    expect((await s.run('xen1', 'xl', ['list'])).stdout).toMatch(/^web1 +\d+ /m);
    await s.advance(5_000);
    const done = await xl.done;
    expect(classifyXlMigrate(done.stderr, done.exitCode)).toMatchObject({ kind: 'success' });
    expect((await xm.done).exitCode).toBe(0);
    await readEverything(s, 'after migration');
  });

  it.each(['before', 'target', 'handshake'] as const)('a migration failing %s: the transcript is classified', async (phase) => {
    const s = await start();
    s.migrationFault('web1', phase);
    const m = s.start('xen1', 'xl', ['migrate', 'web1', 'xen2']);
    await s.advance(10_000);
    const r = await m.done;
    const kind = classifyXlMigrate(r.stderr, r.exitCode).kind;
    expect(kind).not.toBe('success');
    expect(kind).not.toBe('unknown');
    if (phase === 'handshake') expect(kind).toBe('final-handshake');
    await readEverything(s, `failed ${phase}`);
  });

  it("xm: the target losing power mid-copy fails xc_save as real xend says it, read as resumed at the sender", async () => {
    const s = await start();
    const m = s.start('old1', 'xm', ['migrate', '--live', 'legacy1', 'old2']);
    await s.advance(100);
    s.power('old2', 'off');
    await s.advance(10_000);
    const r = await m.done;
    expect(r.stderr).toMatch(/^Error: \/usr\/lib\/xen\/bin\/xc_save 4 \d+ 0 0 1 failed\n$/);
    expect(classifyXmMigrate(r.stderr, r.exitCode)).toMatchObject({ kind: 'resumed-at-sender', domainAt: 'source' });
    expect((await s.run('old1', 'xm', ['list', 'legacy1'])).exitCode).toBe(0);
  });

  it('error outputs are recognised: unknown domain and unknown resource', async () => {
    const s = await start();
    expect(classifyToolstackStderr((await s.run('xen1', 'xl', ['list', 'nosuch'])).stderr)).toMatchObject({ kind: 'no-such-domain' });
    expect(classifyToolstackStderr((await s.run('old1', 'xm', ['list', 'nosuch'])).stderr)).toMatchObject({ kind: 'no-such-domain' });
    expect(classifyDrbdStderr((await s.run('xen1', 'drbdadm', ['role', 'nosuch'])).stderr)).toBe('not-in-config');
  });
});
