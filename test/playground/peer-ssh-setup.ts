import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sim } from '../sim/sim.js';
import { startSshd, writeWrapper, type Sshd } from '../ssh/sshd.js';
import { runNode } from './processes.js';

/**
 * Reverse migrations for a simulated fleet: every Dom0 gets its own OpenSSH sshd on 127.0.0.1 whose
 * authorized_keys hold every other Dom0's migration key (made by `xenherd-agent keys setup`), each
 * bound to the forced command `xenherd-agent migrate2 --peer THAT-DOM0` run "on" this Dom0; every
 * Dom0 knows the others' host keys.
 */
export interface PeerSsh {
  /** the agent.json `migration.peers` of host: every other Dom0's sshd */
  peersOf(host: string): Record<string, { address: string; port: number }>;
  stop(): Promise<void>;
}

export async function peerSsh(sim: Sim, agent: string, dir: string, hosts: readonly string[]): Promise<PeerSsh> {
  mkdirSync(dir, { recursive: true });
  const lines = new Map<string, string[]>(hosts.map((h) => [h, []]));
  for (const target of hosts) {
    const wrapper = join(dir, `forced-on-${target}.sh`);
    writeWrapper(wrapper, sim.env(target), agent);
    for (const from of hosts.filter((h) => h !== target)) {
      const r = await runNode(agent, ['keys', 'setup', target, '--from', '127.0.0.1', '--agent-path', wrapper], sim.env(from));
      const line = r.stdout.split('\n').find((l) => l.startsWith('restrict,'));
      if (r.code !== 0 || line === undefined) throw new Error(`keys setup ${target} on ${from} failed: ${r.stderr}`);
      lines.get(target)?.push(line);
    }
  }
  const sshd = new Map<string, Sshd>();
  try {
    for (const h of hosts) sshd.set(h, await startSshd(join(dir, `sshd-${h}`), `${(lines.get(h) ?? []).join('\n')}\n`));
  } catch (e) {
    for (const s of sshd.values()) await s.stop();
    throw e;
  }
  for (const h of hosts) {
    const etc = join(sim.hostRoot(h), 'etc/xenherd');
    mkdirSync(etc, { recursive: true, mode: 0o700 });
    writeFileSync(join(etc, 'known_hosts'), hosts.filter((p) => p !== h).map((p) => `${p} ${sshd.get(p)?.hostKeyPub}`).join('\n') + '\n');
  }
  return {
    peersOf: (host) => Object.fromEntries(hosts.filter((p) => p !== host).map((p) => [p, { address: '127.0.0.1', port: sshd.get(p)?.port ?? 22 }])),
    stop: async () => {
      for (const s of sshd.values()) await s.stop();
    },
  };
}
