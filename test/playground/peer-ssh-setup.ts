import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sim } from '../sim/sim.js';
import { startSshd, writeWrapper, type Sshd } from '../ssh/sshd.js';
import { migrationPairs, type MigrationPair } from './migration-pairs.js';
import { runNode } from './processes.js';
import { writeRootSshConfig } from '../harness/root-ssh-config.js';

/**
 * Reverse migrations for a simulated fleet: every Dom0 gets its own OpenSSH sshd on 127.0.0.1 whose
 * authorized_keys hold the migration key (made by `xenherd-agent keys setup`) of every Dom0 that may
 * migrate a domU to it (migration-pairs.ts), each bound to the forced command `xenherd-agent migrate2
 * --peer THAT-DOM0` run "on" this Dom0; every Dom0 knows the others' host keys.
 */
export interface PeerSsh {
  /** the agent.json `migration.peers` of host: every other Dom0's sshd */
  peersOf(host: string): Record<string, { address: string; port: number }>;
  /** how the keys were set up, for the playground to say: the pairs, the domU that needed them all, the time */
  readonly setup: { readonly pairs: number; readonly anyHostFor: string | null; readonly ms: number };
  stop(): Promise<void>;
}

/** each keys setup is a node process of about a second: a few at once, not all of a 40-Dom0 fleet's */
const SETUPS_AT_ONCE = 4;

export async function peerSsh(sim: Sim, agent: string, dir: string, hosts: readonly string[]): Promise<PeerSsh> {
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const lines = new Map<string, string[]>(hosts.map((h) => [h, []]));
  const wrappers = new Map(hosts.map((h) => [h, join(dir, `forced-on-${h}.sh`)]));
  for (const [h, wrapper] of wrappers) writeWrapper(wrapper, sim.env(h), agent);
  const known = new Set(hosts);
  const { pairs: all, anyHostFor } = migrationPairs(sim.state());
  const pairs = all.filter((p) => known.has(p.from) && known.has(p.to));
  const setUp = async ({ from, to }: MigrationPair): Promise<void> => {
    const r = await runNode(agent, ['keys', 'setup', to, '--from', '127.0.0.1', '--agent-path', wrappers.get(to) ?? ''], sim.env(from));
    const line = r.stdout.split('\n').find((l) => l.startsWith('restrict,'));
    if (r.code !== 0 || line === undefined) throw new Error(`keys setup ${to} on ${from} failed: ${r.stderr}`);
    lines.get(to)?.push(line);
  };
  // One Dom0's setups one after another: its first makes its migration key, and two at once on one
  // Dom0 both ran ssh-keygen on the same file (the second failed). Different Dom0s at once.
  const grouped = new Map<string, MigrationPair[]>();
  for (const p of pairs) grouped.set(p.from, [...(grouped.get(p.from) ?? []), p]);
  const bySource = [...grouped.values()];
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    try {
      while (!failed && next < bySource.length) for (const pair of bySource[next++]!) if (!failed) await setUp(pair);
    } catch (e) {
      // the other workers start no further setup once one has failed
      failed = true;
      throw e;
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETUPS_AT_ONCE, bySource.length) }, worker));
  // authorized_keys in the same order whatever order the setups ended in
  for (const l of lines.values()) l.sort();
  const sshd = new Map<string, Sshd>();
  try {
    for (const h of hosts) sshd.set(h, await startSshd(join(dir, `sshd-${h}`), `${(lines.get(h) ?? []).join('\n')}\n`));
  } catch (e) {
    for (const s of sshd.values()) await s.stop();
    throw e;
  }
  const peersOf = (host: string): Record<string, { address: string; port: number }> =>
    Object.fromEntries(hosts.filter((p) => p !== host).map((p) => [p, { address: '127.0.0.1', port: sshd.get(p)?.port ?? 22 }]));
  // root's ssh (xl migrate's route) goes where migration.peers sends the agent's checks
  for (const h of hosts) {
    const etc = join(sim.hostRoot(h), 'etc/xenherd');
    mkdirSync(etc, { recursive: true, mode: 0o700 });
    writeFileSync(join(etc, 'known_hosts'), hosts.filter((p) => p !== h).map((p) => `${p} ${sshd.get(p)?.hostKeyPub}`).join('\n') + '\n');
    writeRootSshConfig(sim.hostRoot(h), Object.fromEntries(Object.entries(peersOf(h)).map(([p, e]) => [p, { ...e, hostKey: sshd.get(p)?.hostKeyPub }])));
  }
  return {
    setup: { pairs: pairs.length, anyHostFor, ms: Date.now() - started },
    peersOf,
    stop: async () => {
      for (const s of sshd.values()) await s.stop();
    },
  };
}
