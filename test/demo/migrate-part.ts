// The demo's migration part: web1 moves from its home xen1 to its peer xen2 (`migrate`), both
// Dom0s show their ledger (`status ALL`), and xen1 brings it back with `reverse`, which reaches
// xen2's real OpenSSH sshd and runs the `migrate2` forced command there.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sim } from '../sim/sim.js';
import { startSshd, writeWrapper, type Sshd } from '../ssh/sshd.js';
import { writeRootSshConfig } from '../harness/root-ssh-config.js';

type Say = (text?: string) => void;
const indent = (text: string): string => text.replace(/\n$/, '').replace(/^/gm, '    ');

function agentOn(agent: string, sim: Sim, host: string, args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [agent, ...args], { env: { ...process.env, ...sim.env(host) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => resolve({ code, out, err }));
  });
}

async function show(agent: string, sim: Sim, host: string, args: readonly string[], say: Say, okCodes: readonly number[] = [0]): Promise<void> {
  say(`  ${host}# xenherd-agent ${args.join(' ')}`);
  const r = await agentOn(agent, sim, host, args);
  if (r.out) say(indent(r.out));
  if (r.err) say(indent(r.err));
  if (!okCodes.includes(r.code ?? -1)) throw new Error(`xenherd-agent ${args.join(' ')} on ${host} exited ${String(r.code)}`);
}

/**
 * One sshd per Dom0 of the pair, each with the other's migration key bound to
 * `migrate2 --peer OTHER` (made by `keys setup`); each Dom0 told how to reach the other's sshd.
 * xen1 needs xen2's: `migrate` asks xen2's forced command before it moves web1, `reverse` asks it
 * to send web1 back; xen2 checks that xen1's is reachable before it migrates web1 back (xl
 * migrate would go there).
 */
async function sshForMigrations(sim: Sim, agent: string, work: string): Promise<Sshd[]> {
  const pair = ['xen1', 'xen2'] as const;
  const other = (h: string): string => (h === 'xen1' ? 'xen2' : 'xen1');
  const lines: Record<string, string> = {};
  for (const h of pair) {
    const wrapper = join(work, `forced-on-${other(h)}.sh`);
    writeWrapper(wrapper, sim.env(other(h)), agent);
    const keys = await agentOn(agent, sim, h, ['keys', 'setup', other(h), '--from', '127.0.0.1', '--agent-path', wrapper]);
    const line = keys.out.split('\n').find((l) => l.startsWith('restrict,'));
    if (keys.code !== 0 || line === undefined) throw new Error(`keys setup on ${h} failed: ${keys.err}`);
    lines[h] = line;
  }
  const sshd: Record<string, Sshd> = {};
  try {
    for (const h of pair) sshd[h] = await startSshd(join(work, `sshd-${h}`), `${lines[other(h)] ?? ''}\n`);
  } catch (e) {
    for (const s of Object.values(sshd)) await s.stop();
    throw e;
  }
  for (const h of pair) {
    const peer = sshd[other(h)] as Sshd;
    const etc = join(sim.hostRoot(h), 'etc/xenherd');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'known_hosts'), `${other(h)} ${peer.hostKeyPub}\n`);
    const peers = { [other(h)]: { address: '127.0.0.1', port: peer.port } };
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers } }));
    writeRootSshConfig(sim.hostRoot(h), { [other(h)]: { address: '127.0.0.1', port: peer.port, hostKey: peer.hostKeyPub } });
  }
  return Object.values(sshd);
}

export async function migratePart(sim: Sim, agent: string, work: string, say: Say): Promise<void> {
  say('4. Migrations and the ledger: web1 leaves its home xen1 for its peer xen2, and comes back');
  let sshd: Sshd[] = [];
  try {
    say('   (xen1 and xen2 each get their own OpenSSH sshd on 127.0.0.1, with the other\'s migration key');
    say('   bound to the forced command `xenherd-agent migrate2 --peer OTHER`, made by `keys setup`.)');
    sshd = await sshForMigrations(sim, agent, work);
    say();
    await show(agent, sim, 'xen1', ['ping', 'xen2'], say);
    say();
    await show(agent, sim, 'xen1', ['migrate', 'web1'], say);
    say();
    say('Both Dom0s now know where web1 is: its home records it as away, xen2 as a visitor.');
    await show(agent, sim, 'xen1', ['status', 'ALL'], say, [0, 85]);
    await show(agent, sim, 'xen2', ['status', 'ALL'], say, [0, 85]);
    say();
    say('xen1 brings web1 home: `reverse` connects to xen2 with its migration key; sshd there runs');
    say('only `migrate2 --peer xen1`, which checks that web1 is xen1\'s and migrates it back.');
    await show(agent, sim, 'xen1', ['reverse', 'web1'], say);
    say();
    await show(agent, sim, 'xen1', ['status', 'ALL'], say);
    await show(agent, sim, 'xen2', ['status', 'ALL'], say, [0, 85]);
    say();
    say('web1 is home again and both ledgers say so. xen2 still reports shop1: the operator started it');
    say('there by hand in part 3, outside xenherd, so no ledger knows it; status says so (exit 85)');
    say('instead of inventing a record. Having checked, the operator records what xl list shows:');
    await show(agent, sim, 'xen2', ['reconcile', 'shop1', '--home', 'xen3'], say);
    await show(agent, sim, 'xen2', ['status', 'ALL'], say);
  } finally {
    for (const d of sshd) await d.stop();
  }
}
