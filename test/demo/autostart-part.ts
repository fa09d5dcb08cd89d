// The demo's guarded-autostart part: xen3 reboots with `xenherd-agent run` on it. dns1 starts as
// soon as DRBD reconnects; shop1 is refused because it was moved to its peer xen2 while xen3 was
// down (its disk is Primary there); db2 waits until its replication link is back, then starts.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sim } from '../sim/sim.js';
import { untilFound, Wakes } from '../helpers/until.js';

type Say = (text?: string) => void;
interface LogLine { readonly msg: string; readonly domu?: string; readonly level: number }

const indent = (text: string): string => text.replace(/\n$/, '').replace(/^/gm, '    ');

function runAgentCli(agent: string, sim: Sim, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [agent, ...args], { env: { ...process.env, ...sim.env('xen3') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`xenherd-agent ${args.join(' ')} exited ${String(code)}: ${err}`))));
  });
}

export async function autostartPart(sim: Sim, agent: string, say: Say): Promise<void> {
  say('3. Guarded autostart: xen3 reboots again, now with the xenherd agent daemon on it');
  say('   While xen3 is down, the operator moves shop1 to its peer xen2 (so its disk is Primary there),');
  say("   and db2's replication link to xen1 is cut (a switch port, say).");
  sim.power('xen3', 'off');
  const moved = await sim.run('xen2', 'xl', ['create', '/etc/xen/shop1.cfg']);
  if (moved.exitCode !== 0) throw new Error(`could not start shop1 on xen2: ${moved.stderr}`);
  sim.drbd('r9', 'disconnect');
  sim.power('xen3', 'on');
  const config = join(sim.dir, 'xen3-agent.json');
  writeFileSync(config, JSON.stringify({ autostart: { parallel: 4 } }));
  const t0 = Date.now();
  const child = spawn(process.execPath, [agent, 'run', '--config', config], { env: { ...process.env, ...sim.env('xen3') }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  let buf = '';
  const wakes = new Wakes();
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        /* not ours */
      }
      wakes.wake();
    }
  });
  const waitFor = (pred: (l: LogLine) => boolean, what: string): Promise<LogLine> => untilFound(() => logs.find(pred), `the agent to log ${what}`, { limitMs: 20_000, step: wakes.step(200) });
  const show = (l: LogLine): void => say(`    +${((Date.now() - t0) / 1000).toFixed(1)} s  ${l.level >= 50 ? 'ERROR ' : ''}${l.msg}`);
  try {
    say();
    say('   The agent log (JSON on stdout; here just the messages):');
    show(await waitFor((l) => l.msg.startsWith('ready'), 'ready'));
    show(await waitFor((l) => l.domu === 'db2' && l.msg.startsWith('deferring'), 'db2 deferred'));
    show(await waitFor((l) => l.msg.startsWith('started dns1'), 'dns1 started'));
    show(await waitFor((l) => l.domu === 'shop1' && l.msg.startsWith('NOT starting'), 'shop1 refused'));
    say();
    say('   `xenherd-agent autostart status` on xen3:');
    say(indent(await runAgentCli(agent, sim, ['autostart', 'status'])));
    say();
    say("   db2's link comes back; DRBD reconnects, the peer is Secondary, the disk UpToDate:");
    sim.drbd('r9', 'connect');
    const connectedAt = Date.now() + sim.state().connectDelayMs;
    const started = await waitFor((l) => l.msg.startsWith('started db2'), 'db2 started');
    show(started);
    say(`    (started ${Math.max(0, Date.now() - connectedAt)} ms after DRBD said it was safe; the old init script re-checked every 5 min ± 60 s)`);
    say();
    say(indent(await runAgentCli(agent, sim, ['autostart', 'status'])));
    const where = (d: string): string => sim.state().domains.filter((x) => x.name === d).map((x) => x.host).join(', ') || 'nowhere';
    say();
    say(`   Now: dns1 on ${where('dns1')}, db2 on ${where('db2')}, shop1 on ${where('shop1')} (not started twice).`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
  }
}
