import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventorySchema, type Inventory } from '../../shared/inventory.js';
import { startSim, type Sim } from './sim.js';

// `xenherd-agent inventory --json` run "on" a simulated host (the built bundle as a child process,
// the simulator's tools on its PATH) must report what the simulator holds.

const FLEET = `
option bandwidth=1024 connect-delay=2000
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen3 mem=16384 cpus=4 toolstack=xl xen=4.17.7 drbd=9
host old1 mem=8192 cpus=2 toolstack=xm xen=4.1.4 drbd=none
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu db1 mem=4096 vcpus=4 home=xen2 peer=xen1 drbd=r2,r3 running=xen2
domu idle1 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r4 running=no
domu nine1 mem=1024 vcpus=1 home=xen3 peer=xen2 drbd=r5 running=xen3
domu legacy1 mem=512 vcpus=1 home=old1 running=old1
`;

let outdir = '';
let agent = '';
let sim: Sim;
beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'xenherd-siminv-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', outdir, 'xenherd-agent'], { stdio: 'pipe' });
  agent = join(outdir, 'xenherd-agent');
  sim = await startSim({ fleet: FLEET, clock: 'deterministic' });
}, 120_000);
afterAll(async () => {
  await sim.stop();
  rmSync(outdir, { recursive: true, force: true });
});

/** Asynchronous on purpose: the simulator answers the agent's tools from this event loop. */
function inventoryOn(host: string, program: readonly string[] = [agent]): Promise<Inventory> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...program, 'inventory', '--json'], { env: sim.env(host), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(InventorySchema.parse(JSON.parse(out))) : reject(new Error(`exit ${String(code)}: ${err}`))));
  });
}

describe('inventory on simulated hosts', () => {
  it.each(['xen1', 'xen2', 'xen3', 'old1'])('%s: domains, toolstack and memory are what the simulator holds', async (host) => {
    const inv = await inventoryOn(host);
    const state = sim.state();
    const h = state.hosts[host];
    expect(inv.host).toBe(host);
    expect(inv.toolstack?.kind).toBe(h?.toolstack);
    expect(inv.toolstack?.totalMemMiB).toBe(h?.totalMiB);
    const expectedDomains = state.domains.filter((d) => d.host === host).map((d) => [d.name, d.domid, d.memMiB, d.vcpus]);
    expect((inv.domains ?? []).filter((d) => d.name !== 'Domain-0').map((d) => [d.name, d.domid, d.memMiB, d.vcpus])).toEqual(expectedDomains);
    expect(inv.problems).toEqual([]);
  });

  it('xen1: guarded domUs and their DRBD roles as held by the simulator', async () => {
    const inv = await inventoryOn('xen1');
    expect(inv.drbd.availability).toBe('ok');
    expect(inv.guarded.map((g) => [g.name, g.runningHere, g.drbdResources])).toEqual([
      ['idle1', false, ['r4']],
      ['web1', true, ['r1']],
    ]);
    const byName = new Map(inv.drbd.resources.map((r) => [r.name, r]));
    expect(byName.get('r1')).toMatchObject({ up: true, role: 'Primary', peerRole: 'Secondary', connection: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate' });
    expect(byName.get('r4')).toMatchObject({ up: true, role: 'Secondary', peerRole: 'Secondary', connection: 'Connected' });
  });

  it("xen1: the replicas it holds for xen2's db1 are a standby domU, with their DRBD state", async () => {
    const inv = await inventoryOn('xen1');
    expect(inv.standby).toEqual([{ name: 'db1', configPath: '/etc/xen/db1.cfg', drbdResources: ['r2', 'r3'], home: 'xen2', otherHosts: ['xen2'], runningHere: false }]);
    const byName = new Map(inv.drbd.resources.map((r) => [r.name, r]));
    for (const r of ['r2', 'r3']) expect(byName.get(r)).toMatchObject({ up: true, role: 'Secondary', peerRole: 'Primary', connection: 'Connected' });
  });

  it('xen2: standby for every domU homed on its partners, the home named where the .res files tell it', async () => {
    const inv = await inventoryOn('xen2');
    expect(inv.standby.map((s) => [s.name, s.drbdResources, s.home, s.runningHere])).toEqual([
      ['idle1', ['r4'], 'xen1', false],
      ['nine1', ['r5'], 'xen3', false],
      ['web1', ['r1'], 'xen1', false],
    ]);
  });

  it('xen1 as text: "standby: replica of r2, r3, home xen2"', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [agent, 'inventory'], { env: sim.env('xen1'), stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${String(code)}`))));
    });
    expect(out).toContain('  db1: standby: replica of r2, r3, home xen2, not running here\n    r2: local Secondary UpToDate | peer Primary Connected UpToDate\n');
  });

  it('xen3 (DRBD 9): the peer is named by its host', async () => {
    const inv = await inventoryOn('xen3');
    expect(inv.drbd).toMatchObject({ availability: 'ok' });
    expect(inv.drbd.resources[0]).toMatchObject({ name: 'r5', role: 'Primary', peerRole: 'Secondary', connection: 'Connected' });
    expect(inv.drbd.resources[0]?.peers[0]?.name).toBe('xen2');
  });

  it('old1 (xm, no DRBD): tools missing is reported, not an error', async () => {
    const inv = await inventoryOn('old1');
    expect(inv.toolstack?.kind).toBe('xm');
    expect(inv.drbd.availability).toBe('tools-missing');
    expect((inv.domains ?? []).map((d) => d.name)).toContain('legacy1');
  });

  it('the sources run unbuilt, as README and test/sim/README.md show (node packaging/run-ts.mjs agent/main.ts inventory), read the same', async () => {
    const fromSource = await inventoryOn('xen1', ['packaging/run-ts.mjs', 'agent/main.ts']);
    // what differs is only when each read was taken
    const same = (i: Inventory) => ({ ...i, takenAt: '' });
    expect(same(fromSource)).toEqual(same(await inventoryOn('xen1')));
  });

  it('after xen2 loses power, xen1 sees its peer Unknown and reports it, never Secondary', async () => {
    sim.power('xen2', 'off');
    const inv = await inventoryOn('xen1');
    const r1 = inv.drbd.resources.find((r) => r.name === 'r1');
    expect(r1).toMatchObject({ role: 'Primary', peerRole: 'Unknown', connection: 'Connecting' });
    expect(sim.violations).toEqual([]);
  });
});
