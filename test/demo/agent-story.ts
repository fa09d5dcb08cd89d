// `npm run demo -- --agent-only`: a simulated fleet of three Dom0s, and what the agent sees on each
// of them, told in the words a Xen operator uses. Everything runs for real except Xen and DRBD themselves: the
// agent is the built single-file bundle, run as a child process "on" each simulated Dom0 with the
// simulator's xl/drbdadm first on its PATH.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type Sim } from '../sim/sim.js';
import { autostartPart } from './autostart-part.js';
import { migratePart } from './migrate-part.js';
import { DEMO_FLEET } from './fleet.js';
import { pauseOf, until } from '../helpers/until.js';

const say = (text = ''): void => void process.stdout.write(`${text}\n`);
const indent = (text: string): string => text.replace(/\n$/, '').replace(/^/gm, '    ');

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a child asynchronously: the simulator answers its tools from this same event loop. */
function run(cmd: string, args: readonly string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function buildAgent(dir: string): Promise<string> {
  const r = await run(process.execPath, ['packaging/build.mjs', '--outdir', dir, 'xenherd-agent'], {});
  if (r.code !== 0) throw new Error(`build failed:\n${r.stderr}`);
  return join(dir, 'xenherd-agent');
}

async function inventoryOn(sim: Sim, agent: string, host: string): Promise<Ran> {
  return run(process.execPath, [agent, 'inventory'], sim.env(host));
}

export async function agentStory(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'xenherd-demo-'));
  let sim: Sim | null = null;
  try {
    say('xenherd demo: three Xen 4.17 Dom0s (xen1, xen2, xen3) with DRBD 8.4, eight domUs.');
    say('Each domU lives on its home Dom0 and replicates its disks with DRBD to one peer Dom0.');
    say('Xen and DRBD are simulated; the agent is the real single-file xenherd-agent, run on each Dom0.');
    say();
    const agent = await buildAgent(work);
    sim = await startSim({ fleet: DEMO_FLEET, clock: 'real', dir: join(work, 'sim') });

    say('1. What xenherd sees on each Dom0 (`xenherd-agent inventory`)');
    say('   The agent reads `xl list`, `xl info`, /proc/drbd and `drbdadm status` on the host, and the');
    say('   guarded domU configs in /etc/xen/drbd-auto/ (the domUs this Dom0 is home to).');
    for (const host of ['xen1', 'xen2', 'xen3']) {
      say();
      say(`--- on ${host} ---`);
      const r = await inventoryOn(sim, agent, host);
      say(indent(r.stdout));
      if (r.code !== 0) throw new Error(`inventory on ${host} exited ${String(r.code)}:\n${r.stderr}`);
    }
    say();
    say('Reading it: every domU runs on its home Dom0, its DRBD resources are Primary there and');
    say('Secondary on the peer, connected and UpToDate. db2 is guarded on xen3 but not running.');
    say();
    say('2. xen3 reboots (power cut, power back): what it sees while DRBD reconnects');
    sim.power('xen3', 'off');
    // xen3's replication links stay down until the first inventory is read: on a loaded machine
    // the agent's start-up alone can outlast DRBD's reconnect
    const links = Object.values(sim.state().drbd).filter((r) => r.nodes.includes('xen3')).map((r) => r.name);
    for (const res of links) sim.drbd(res, 'disconnect');
    sim.power('xen3', 'on');
    const early = await inventoryOn(sim, agent, 'xen3');
    for (const res of links) sim.drbd(res, 'connect');
    say(indent(early.stdout));
    say();
    say('Right after boot no domU runs on xen3 and every replica is Secondary with its peer Unknown:');
    say('DRBD cannot tell yet whether the peer Dom0 is using the disk. Starting a domU now could');
    say('split the brain, so guarded autostart must wait here, never treat it as safe.');
    say();
    // the simulated DRBD reconnects connect-delay after its links are back: wait for the
    // connection itself, not for a guess of how long it takes on this machine
    await until(() => links.every((res) => sim?.state().drbd[res]?.link === 'connected'), `xen3's DRBD links to reconnect: ${links.join(', ')}`, { limitMs: sim.state().connectDelayMs + 30_000, step: pauseOf(100) });
    say('A moment later DRBD has reconnected:');
    const later = await inventoryOn(sim, agent, 'xen3');
    say(indent(later.stdout));
    say();
    say('Now every peer is Connected and Secondary and the local disks are UpToDate: the state in');
    say('which dns1, shop1 and db2 are safe to start on xen3.');
    say();
    await autostartPart(sim, agent, say);
    say();
    await migratePart(sim, agent, work, say);
    say();
    const leaked = sim.violations;
    if (leaked.length > 0) throw new Error(`simulator invariant violated: ${JSON.stringify(leaked)}`);
    say('Demo finished: no process left behind, temp files removed.');
    return 0;
  } finally {
    if (sim) await sim.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
