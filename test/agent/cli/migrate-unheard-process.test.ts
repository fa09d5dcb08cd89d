import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import { peerSsh, type PeerSsh } from '../../playground/peer-ssh-setup.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { buildAgent, runAsync } from '../run/agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { pauseOf, until } from '../../helpers/until.js';

// A controller's migration runs in a child of the daemon (agent/run/command-process.ts), which
// holds both ends of its stdout and stderr. A `systemctl restart` or a package upgrade ends the
// daemon (KillMode=process: not the child) mid-migration: the child's pipes break. Played here
// with the real bundle on the simulator, a real sshd per Dom0 for the `tell` step, and this test
// as the daemon: it reads the child's output until the copy runs, then closes its ends.
const FLEET = pairFleet({ bandwidth: 512 });
const HOSTS = ['xen1', 'xen2'];

let agent: { path: string; cleanup: () => void };
let dir = '';
let sim: Sim | null = null;
let ssh: PeerSsh | null = null;
let child: ChildProcess | null = null;

beforeAll(() => {
  agent = buildAgent();
  dir = mkdtempSync(join(tmpdir(), 'xh-unheard-'));
}, 120_000);
afterAll(() => {
  agent?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child?.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
  child = null;
  await ssh?.stop();
  ssh = null;
  await sim?.stop();
  sim = null;
});

const ledger = (host: string): Ledger => {
  if (!sim) throw new Error('no simulator');
  const r = ledgerStore(join(sim.hostRoot(host), 'var/lib/xenherd'), host).read();
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

async function fleetWithSshd(): Promise<Sim> {
  const s = await startSim({ fleet: FLEET, clock: 'real' });
  sim = s;
  ssh = await peerSsh(s, agent.path, mkdtempSync(join(dir, 'ssh-')), HOSTS);
  for (const h of HOSTS) {
    const etc = join(s.hostRoot(h), 'etc/xenherd');
    mkdirSync(etc, { recursive: true, mode: 0o700 });
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers: ssh.peersOf(h) } }));
  }
  return s;
}

describe('a migration whose reader goes away mid-copy (the daemon that ran it restarted, the operator\'s ssh session dropped)', () => {
  for (const [args, hangUp] of [
    [['migrate', 'web1', 'xen2', '--reason', 'drain', '--operation-id', 'op-unheard-1', '--json'], false],
    [['migrate', 'web1', 'xen2'], false],
    // an operator's interactive migrate whose ssh session dropped: the shell passes on SIGHUP
    [['migrate', 'web1', 'xen2'], true],
  ] as const) {
    it(`\`${args.join(' ')}\`${hangUp ? ' hung up' : ''} finishes, records the move on both Dom0s, and exits with its own outcome`, async () => {
      const s = await fleetWithSshd();
      const c = spawn(process.execPath, [agent.path, ...args], { env: { ...process.env, ...s.env('xen1') }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => c.once('exit', (code, signal) => r({ code, signal })));
      let heard = '';
      c.stdout?.setEncoding('utf8').on('data', (d: string) => (heard += d));
      c.stderr?.setEncoding('utf8').on('data', (d: string) => (heard += d));
      await until(() => heard.includes('migrating web1 from xen1 to xen2') && s.state().domains.some((d) => d.name === 'web1--incoming'), () => `the copy of web1 running (heard: ${heard})`, { limitMs: 30_000, step: pauseOf(20) });
      expect(ledger('xen1').inflight).toEqual({ web1: expect.objectContaining({ peer: 'xen2', operation: 'migrate' }) });
      if (hangUp) c.kill('SIGHUP');
      // the daemon (or the terminal) is gone: nobody reads the child's output any more
      c.stdout?.destroy();
      c.stderr?.destroy();
      const end = await exited;
      // its own outcome, not 141 (cut short by EPIPE) or 1 (an uncaught error)
      expect(end).toEqual({ code: 0, signal: null });
      expect(s.state().domains.filter((d) => d.name.startsWith('web1')).map((d) => `${d.name}@${d.host}`)).toEqual(['web1@xen2']);
      const home = ledger('xen1');
      expect(home.inflight).toEqual({});
      expect(home.unsettled).toEqual({});
      expect(home.away['web1']).toMatchObject({ home: 'xen1', currentHost: 'xen2' });
      expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });
      // what the restarted agent and autostart read: no ALARM (83)
      const st = await runAsync(process.execPath, [agent.path, 'status', 'ALL'], s.env('xen1'));
      expect(st.code, st.stdout + st.stderr).toBe(0);
    }, 90_000);
  }
});
