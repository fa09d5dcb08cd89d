import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerStore } from '../../agent/adapters/ledger-store.js';
import type { Ledger } from '../../agent/state/ledger.js';
import { buildAgent, runAsync } from '../agent/run/agent-process.js';
import { startSim, type Sim } from '../sim/sim.js';
import { startSshd, writeWrapper, type Sshd } from './sshd.js';
import { writeRootSshConfig } from '../harness/root-ssh-config.js';

export const PAIR_HOSTS = ['xen1', 'xen2'] as const;
export const otherOf = (h: string): string => (h === 'xen1' ? 'xen2' : 'xen1');

type Run = ReturnType<typeof runAsync>;

/**
 * Two simulated Dom0s, xen1 and xen2, each with its migration key (`keys setup`) and a real OpenSSH
 * sshd on loopback whose authorized_keys binds the other's key to `migrate2 --peer OTHER` (run
 * "on" the simulated host through a wrapper), each Dom0's known_hosts and config naming the
 * other's sshd. stop() ends the sshds and the simulator and removes what it made.
 */
export interface SshdPair {
  readonly dir: string;
  readonly sim: Sim;
  readonly agentPath: string;
  readonly sshd: Readonly<Record<string, Sshd>>;
  /** xenherd-agent on HOST */
  cli(host: string, args: readonly string[]): Run;
  /** the system ssh client, with xen1's migration key, to HOST's sshd */
  sysSsh(host: string, command: string): Run;
  ledger(host: string): Ledger;
  /** sets HOST's ledger by CHANGE (a test's starting point) */
  setLedger(host: string, change: (l: Ledger) => Ledger): Promise<void>;
  xlNames(host: string): string[];
  /** HOST's agent config: where it reaches its peer's sshd */
  writePeerEndpoint(host: string, port: number): void;
  stop(): Promise<void>;
}

export async function startSshdPair(fleet: string): Promise<SshdPair> {
  const dir = mkdtempSync(join(tmpdir(), 'xh-ssh-'));
  const agent = buildAgent();
  const sim = await startSim({ fleet, clock: 'real' });
  const sshd: Record<string, Sshd> = {};
  const stateDir = (h: string): string => join(sim.hostRoot(h), 'var/lib/xenherd');
  const cli = (host: string, args: readonly string[]): Run => runAsync(process.execPath, [agent.path, ...args], sim.env(host));
  const stop = async (): Promise<void> => {
    for (const s of Object.values(sshd)) await s.stop();
    await sim.stop();
    agent.cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  const writePeerEndpoint = (h: string, port: number): void => {
    const peers = { [otherOf(h)]: { address: '127.0.0.1', port } };
    writeFileSync(join(sim.hostRoot(h), 'etc/xenherd/agent.json'), JSON.stringify({ migration: { peers } }));
    writeRootSshConfig(sim.hostRoot(h), { [otherOf(h)]: { address: '127.0.0.1', port, hostKey: sshd[otherOf(h)]?.hostKeyPub } });
  };
  try {
    // the line h prints is installed on its peer: its forced command runs "on" the peer
    const lines: Record<string, string> = {};
    for (const h of PAIR_HOSTS) {
      const wrapper = join(dir, `forced-on-${otherOf(h)}.sh`);
      writeWrapper(wrapper, sim.env(otherOf(h)), agent.path);
      const r = await cli(h, ['keys', 'setup', otherOf(h), '--from', '127.0.0.1', '--agent-path', wrapper]);
      lines[h] = r.stdout.split('\n').find((l) => l.startsWith('restrict,')) ?? '';
      const expected = `restrict,from="127.0.0.1",command="${wrapper} migrate2 --peer ${h}" ssh-ed25519 `;
      if (r.code !== 0 || !lines[h]?.startsWith(expected) || !lines[h]?.endsWith(` xenherd-migrate@${h}`)) throw new Error(`keys setup on ${h} (exit ${String(r.code)}): ${r.stdout}${r.stderr}`);
    }
    for (const h of PAIR_HOSTS) sshd[h] = await startSshd(join(dir, `sshd-${h}`), `${lines[otherOf(h)]}\n`);
    for (const h of PAIR_HOSTS) {
      const peer = otherOf(h);
      mkdirSync(join(sim.hostRoot(h), 'etc/xenherd'), { recursive: true });
      writeFileSync(join(sim.hostRoot(h), 'etc/xenherd/known_hosts'), `${peer} ${sshd[peer]?.hostKeyPub}\n`);
      writePeerEndpoint(h, sshd[peer]?.port ?? 0);
    }
    writeFileSync(join(dir, 'known_hosts_sys'), PAIR_HOSTS.map((h) => `[127.0.0.1]:${sshd[h]?.port} ${sshd[h]?.hostKeyPub}`).join('\n') + '\n');
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    sim,
    agentPath: agent.path,
    sshd,
    cli,
    sysSsh: (host, command) =>
      runAsync(
        'ssh',
        ['-i', join(sim.hostRoot('xen1'), 'etc/xenherd/migrate_key'), '-p', String(sshd[host]?.port), '-o', `UserKnownHostsFile=${join(dir, 'known_hosts_sys')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-T', '--', 'root@127.0.0.1', command],
        {},
      ),
    ledger: (host) => {
      const r = ledgerStore(stateDir(host), host).read();
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
    setLedger: async (host, change) => {
      const w = await ledgerStore(stateDir(host), host).update(change);
      if (!w.ok) throw new Error(w.error.message);
    },
    xlNames: (host) => sim.state().domains.filter((d) => d.host === host).map((d) => d.name),
    writePeerEndpoint,
    stop,
  };
}
