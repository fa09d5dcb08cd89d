// `npm run bench`: the agent's performance targets (DESIGN §6) measured on the fleet simulator with
// the real clock and the built single-file agent. The simulator's fake xl/drbdadm are Node
// processes (~50-150 ms each, real xl list ~10-30 ms), so times that include tool calls are
// pessimistic. Prints a table: what, measured, target, pass/fail.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';
import { startSim, type Sim } from '../sim/sim.js';

interface Row { what: string; measured: string; target: string; pass: boolean }
const rows: Row[] = [];
const say = (t: string): void => void process.stderr.write(`${t}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

class Agent {
  readonly logs: { msg: string; time: number }[] = [];
  readonly spawnedAt = Date.now();
  readonly child;
  constructor(agent: string, sim: Sim, host: string, config: unknown, dir: string) {
    const cfg = join(dir, `agent-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(cfg, JSON.stringify(config));
    this.child = spawn(process.execPath, [...UNIT_NODE_FLAGS, agent, 'run', '--config', cfg], { env: { ...process.env, ...sim.env(host) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    this.child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        try {
          this.logs.push(JSON.parse(buf.slice(0, nl)) as { msg: string; time: number });
        } catch {
          /* ignore */
        }
        buf = buf.slice(nl + 1);
      }
    });
  }
  async waitLog(pred: (m: string) => boolean, timeoutMs = 30_000): Promise<{ msg: string; time: number }> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.find((l) => pred(l.msg));
      if (hit) return hit;
      if (Date.now() > end) throw new Error('agent log line never came');
      await sleep(5);
    }
  }
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await new Promise((r) => this.child.on('close', r));
  }
}

function fleet(n: number, running: boolean): string {
  const lines = ['option bandwidth=1024 connect-delay=100', 'host xen1 mem=262144 cpus=32 toolstack=xl xen=4.17.7 drbd=8.4', 'host xen2 mem=262144 cpus=32 toolstack=xl xen=4.17.7 drbd=8.4'];
  for (let i = 1; i <= n; i++) lines.push(`domu vm${i} mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r${i} running=${running ? 'xen1' : 'no'}`);
  return `${lines.join('\n')}\n`;
}

/** simulated time when the link of res is up, polled every 1 ms */
async function connectedAt(sim: Sim, res: string): Promise<number> {
  for (;;) {
    if (sim.state().drbd[res]?.link === 'connected') return sim.clock.now();
    await sleep(1);
  }
}

async function reaction(agent: string, dir: string, runs: number): Promise<void> {
  say(`reaction: ${runs} domUs deferred (links cut), then made safe one at a time`);
  const sim = await startSim({ fleet: fleet(runs, false), clock: 'real' });
  try {
    sim.power('xen1', 'off');
    sim.power('xen1', 'on');
    for (let i = 1; i <= runs; i++) sim.drbd(`r${i}`, 'disconnect');
    const a = new Agent(agent, sim, 'xen1', { autostart: { parallel: 4 } }, dir);
    await a.waitLog((m) => m.startsWith('ready'));
    const times: number[] = [];
    for (let i = 1; i <= runs; i++) {
      sim.drbd(`r${i}`, 'connect');
      const safe = await connectedAt(sim, `r${i}`);
      await a.waitLog((m) => m === `started vm${i}`);
      const create = sim.commandLog.find((c) => c.tool === 'xl' && c.argv[0] === 'create' && c.argv[1] === `/etc/xen/drbd-auto/vm${i}.cfg`);
      times.push((create?.at ?? NaN) - safe);
    }
    await a.stop();
    const p50 = pct(times, 50);
    const p99 = pct(times, 99);
    rows.push({ what: `autostart reaction, DRBD safe → xl create, p50 (${runs} runs)`, measured: `${p50} ms`, target: '< 1000 ms', pass: p50 < 1000 });
    rows.push({ what: `autostart reaction, DRBD safe → xl create, p99 (${runs} runs)`, measured: `${p99} ms`, target: '< 1000 ms', pass: p99 < 1000 });
  } finally {
    await sim.stop();
  }
}

const procStat = (pid: number): { cpuTicks: number; rssKiB: number } => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { cpuTicks: Number(f[11]) + Number(f[12]), rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) };
};

async function idle(agent: string, dir: string, seconds: number): Promise<void> {
  say(`idle: 100 guarded domUs running, agent watched for ${seconds} s`);
  const sim = await startSim({ fleet: fleet(100, true), clock: 'real' });
  try {
    const a = new Agent(agent, sim, 'xen1', {}, dir);
    await a.waitLog((m) => m.startsWith('ready'));
    await sleep(3_000);
    const pid = a.child.pid as number;
    const t0 = Date.now();
    const s0 = procStat(pid);
    let maxRss = s0.rssKiB;
    while (Date.now() - t0 < seconds * 1000) {
      await sleep(1_000);
      maxRss = Math.max(maxRss, procStat(pid).rssKiB);
    }
    const s1 = procStat(pid);
    const cpu = ((s1.cpuTicks - s0.cpuTicks) / 100 / ((Date.now() - t0) / 1000)) * 100;
    await a.stop();
    rows.push({ what: 'agent RSS with 100 guarded domUs (max over the window)', measured: `${(maxRss / 1024).toFixed(1)} MB`, target: '< 64 MB', pass: maxRss / 1024 < 64 });
    rows.push({ what: `agent idle CPU with 100 guarded domUs (${seconds} s, incl. one full re-read)`, measured: `${cpu.toFixed(2)} %`, target: '< 0.5 %', pass: cpu < 0.5 });
  } finally {
    await sim.stop();
  }
}

async function ready(agent: string, dir: string, runs: number): Promise<void> {
  say(`ready: ${runs} agent starts on a host with 3 guarded domUs`);
  const sim = await startSim({ fleet: fleet(3, true), clock: 'real' });
  try {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = new Agent(agent, sim, 'xen1', {}, dir);
      const r = await a.waitLog((m) => m.startsWith('ready'));
      times.push(r.time - a.spawnedAt);
      await a.stop();
    }
    const p50 = pct(times, 50);
    rows.push({ what: `process start → READY, p50 of ${runs} (sim tools: slower than real xl)`, measured: `${p50} ms`, target: '< 400 ms', pass: p50 < 400 });
    rows.push({ what: `process start → READY, max of ${runs}`, measured: `${Math.max(...times)} ms`, target: '(info)', pass: true });
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-bench-'));
  try {
    const built = await new Promise<number | null>((resolve) => spawn(process.execPath, ['packaging/build.mjs', '--outdir', dir, 'xenherd-agent'], { stdio: 'ignore' }).on('close', resolve));
    if (built !== 0) throw new Error('build failed');
    const agent = join(dir, 'xenherd-agent');
    say(`agent run as in systemd/xenherd-agent.service: node ${UNIT_NODE_FLAGS.join(' ')} xenherd-agent run`);
    const size = statSync(agent).size;
    rows.push({ what: 'agent bundle size', measured: `${(size / 1024 / 1024).toFixed(2)} MB`, target: '< 1.5 MB', pass: size < 1.5 * 1024 * 1024 });
    const quick = process.argv.includes('--quick');
    await reaction(agent, dir, quick ? 10 : 50);
    await ready(agent, dir, quick ? 3 : 10);
    await idle(agent, dir, quick ? 10 : 60);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const w = [0, 1, 2].map((i) => Math.max(...[['what', 'measured', 'target'][i] as string, ...rows.map((r) => [r.what, r.measured, r.target][i] as string)].map((s) => s.length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(w[i] ?? 0)).join('  ');
  process.stdout.write(`${line(['what', 'measured', 'target'])}  result\n`);
  for (const r of rows) process.stdout.write(`${line([r.what, r.measured, r.target])}  ${r.pass ? 'pass' : 'FAIL'}\n`);
  return rows.every((r) => r.pass) ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
