// One real `xenherd-agent run` (the built bundle, the unit's Node flags) on the fleet simulator
// with 100 guarded domUs, while a DRBD link flaps (disconnect, connect) every few seconds for a
// long time. The flapping resource is vm1's, which runs on the peer: each flap turns the agent's
// decision for it between "skip: the peer is Primary" and "defer: the peer is not connected", so
// every flap goes through the event stream, a decision and a log line, and nothing is started. Its RSS is read from /proc each second; at the end its child processes are counted
// (only its two long-running watchers may remain), and after it stops, no process may mention the
// simulator's directory (no orphaned tool or watcher).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';
import { liveProcessesMentioning } from '../agent/run/agent-process.js';
import { procMemory, say, sleep } from '../bench/table.js';
import { startSim } from '../sim/sim.js';
import { firstAndLast, mib, rssFlat, type Sample } from './samples.js';
import type { SoakContext } from './section.js';

const DOMUS = 100;
const FLAP_EVERY_MS = 3_000;
/** the agent's long-running children: the DRBD event stream and the xenstore watch */
const WATCHERS = /drbdsetup|xenstore-watch/;

function fleet(n: number): string {
  const lines = ['option bandwidth=1024 connect-delay=100', 'host xen1 mem=262144 cpus=32 toolstack=xl xen=4.17.7 drbd=8.4', 'host xen2 mem=262144 cpus=32 toolstack=xl xen=4.17.7 drbd=8.4'];
  for (let i = 1; i <= n; i++) lines.push(`domu vm${i} mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r${i} running=${i === 1 ? 'xen2' : 'xen1'}`);
  return `${lines.join('\n')}\n`;
}

/** the live children of PID, with their command lines */
function childrenOf(pid: number): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(f[1]) !== pid || f[0] === 'Z') return [];
        return [readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim()];
      } catch {
        return [];
      }
    });
}

export async function soakAgent(ctx: SoakContext): Promise<void> {
  const durationMs = ctx.minutes * 60_000;
  say(`soak-agent: ${DOMUS} guarded domUs, DRBD link r1 flapping every ${FLAP_EVERY_MS / 1000} s for ${ctx.minutes} min`);
  const sim = await startSim({ fleet: fleet(DOMUS), clock: 'real' });
  const cfg = join(ctx.dir, 'soak-agent.json');
  writeFileSync(cfg, JSON.stringify({}));
  const child = spawn(process.execPath, [...UNIT_NODE_FLAGS, ctx.bundles.agent, 'run', '--config', cfg], { env: { ...process.env, ...sim.env('xen1') }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const levels = { lines: 0, warn: 0, error: 0 };
  /** warnings and errors by their first words, for the summary */
  const notable = new Map<string, number>();
  let ready = false;
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) {
      levels.lines++;
      try {
        const l = JSON.parse(p) as { level: number; msg: string };
        if (l.level >= 50) levels.error++;
        else if (l.level >= 40) levels.warn++;
        const key = `${l.level >= 50 ? 'error' : 'warn'}: ${l.msg.slice(0, 70)}`;
        if (l.level >= 40) notable.set(key, (notable.get(key) ?? 0) + 1);
        if (l.msg.startsWith('ready')) ready = true;
      } catch {
        levels.error++;
      }
    }
  });
  let flaps = 0;
  try {
    for (let i = 0; !ready; i++) {
      if (i > 600 || child.exitCode !== null) throw new Error('the agent never logged ready');
      await sleep(50);
    }
    const pid = child.pid as number;
    await sleep(5_000);
    const samples: Sample[] = [];
    const t0 = Date.now();
    let nextFlap = t0;
    let nextReport = t0 + 60_000;
    while (Date.now() - t0 < durationMs) {
      if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}) during the soak`);
      if (Date.now() >= nextFlap) {
        sim.drbd('r1', flaps % 2 === 0 ? 'disconnect' : 'connect');
        flaps++;
        nextFlap += FLAP_EVERY_MS;
      }
      samples.push({ t: Date.now() - t0, rssKiB: procMemory(pid).rssKiB, lagMs: null });
      if (Date.now() >= nextReport) {
        nextReport += 60_000;
        say(`  ${Math.round((Date.now() - t0) / 60_000)} min: RSS ${mib((samples.at(-1) as Sample).rssKiB / 1024)}, ${flaps} flaps, ${levels.lines} log lines (${levels.warn} warn, ${levels.error} error)`);
      }
      await sleep(1_000);
    }
    if (flaps % 2 === 1) sim.drbd('r1', 'connect');
    await sleep(3_000);
    const children = childrenOf(pid);
    const strays = children.filter((c) => !WATCHERS.test(c));
    child.kill('SIGTERM');
    const code = await exited;
    let left = liveProcessesMentioning(sim.dir);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await sleep(100);
      left = liveProcessesMentioning(sim.dir);
    }
    const creates = sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xl' && c.argv[0] === 'create').length;
    for (const [m, n] of [...notable.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)) say(`  ${n} × ${m}`);
    const { first, last } = firstAndLast(samples, durationMs);
    const label = `agent, ${DOMUS} guarded domUs, ${flaps} DRBD flaps, ${ctx.minutes} min`;
    ctx.rows.push({ what: `${label}: RSS median, first → last window`, measured: `${mib(first.rssMiB)} → ${mib(last.rssMiB)}`, target: 'flat (≤ +15 % or +16 MiB)', pass: rssFlat(first, last) });
    ctx.rows.push({ what: `${label}: RSS max`, measured: mib(Math.max(...samples.map((s) => s.rssKiB)) / 1024), target: '< 64 MiB', pass: Math.max(...samples.map((s) => s.rssKiB)) / 1024 < 64 });
    ctx.rows.push({ what: `${label}: child processes at the end (${children.map((c) => basename(c.split(' ').find((w) => WATCHERS.test(w)) ?? c)).join(', ') || 'none'})`, measured: `${children.length} (${strays.length} not a watcher)`, target: '≤ 2 watchers, 0 others', pass: strays.length === 0 && children.length <= 2 });
    ctx.rows.push({ what: `${label}: processes mentioning the sim dir after stop (exit ${code})`, measured: `${left.length}`, target: '0', pass: left.length === 0 && code === 0 });
    ctx.rows.push({ what: `${label}: domUs started (vm1 runs on the peer; the others run here)`, measured: `${creates}`, target: '0', pass: creates === 0 });
    ctx.rows.push({ what: `${label}: log lines (warn / error)`, measured: `${levels.lines} (${levels.warn} / ${levels.error})`, target: '(info)', pass: true });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await sim.stop();
  }
}
