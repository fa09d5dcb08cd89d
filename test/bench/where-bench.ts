// `where` as an operator meets it, on a simulated fleet of 20 Dom0s with the real agent on each
// and the real controller: how soon after a live migration the answer follows the domU, how long
// `xenherdctl where` takes as a command, and the shell loop it replaces (`ssh HOST xl list | grep`
// over every Dom0 through a real OpenSSH sshd) against it.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchLiveFleet, type LiveFleet } from '../playground/live-fleet.js';
import { runNode } from '../playground/processes.js';
import { keygen, sshdInstalled, startSshd } from '../ssh/sshd.js';
import { httpsGetter } from './https-getter.js';
import { MACHINE_EXTRA_CAS, NODE_IDLE_ARGS, withoutExtraCas, writeBareGet } from './node-floor.js';
import { median, pct, say, type Row } from './table.js';

const HOSTS = 20;

function fleetText(): string {
  const lines = ['option bandwidth=4096 connect-delay=100'];
  for (let h = 1; h <= HOSTS; h++) lines.push(`host xen${h} mem=65536 cpus=16 toolstack=xl xen=4.17.7 drbd=8.4`);
  lines.push('domu web1 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r1 running=xen1');
  // the domU the loop looks for, on the 17th Dom0 it asks
  lines.push('domu needle mem=1024 vcpus=1 home=xen17 peer=xen18 drbd=r2 running=xen17');
  for (let h = 1; h <= HOSTS; h++) for (let i = 1; i <= 3; i++) lines.push(`domu v${h}x${i} mem=512 vcpus=1 home=xen${h} running=xen${h}`);
  return `${lines.join('\n')}\n`;
}

interface WhereAnswer {
  readonly matches: readonly { readonly places: readonly { readonly host: string; readonly domain: { readonly migration: string | null } }[] }[];
}

function whereClient(live: LiveFleet): { where: (name: string) => Promise<WhereAnswer>; close: () => void } {
  const api = httpsGetter(live.ctlEnv['XENHERD_URL'] as string, readFileSync(live.ctlEnv['XENHERD_CA'] as string, 'utf8'), live.ctlEnv['XENHERD_TOKEN'] as string);
  return { where: async (name) => JSON.parse((await api.get(`/v1/where?pattern=${name}`)).body) as WhereAnswer, close: () => api.destroy() };
}

/** After `xl migrate` returns on the source: how long until `where` answers the new Dom0 alone. */
async function freshness(live: LiveFleet, runs: number): Promise<number[]> {
  const { where, close } = whereClient(live);
  const times: number[] = [];
  try {
    for (let k = 0; k < runs; k++) {
      const [from, to] = k % 2 === 0 ? ['xen1', 'xen2'] : ['xen2', 'xen1'];
      const r = await live.sim.run(from, 'xl', ['migrate', 'web1', to]);
      const t0 = performance.now();
      if (r.exitCode !== 0) throw new Error(`xl migrate web1 ${to}: ${r.stderr}`);
      for (;;) {
        const answer = await where('web1');
        const places = answer.matches[0]?.places ?? [];
        if (places.length === 1 && places[0]?.host === to && places[0].domain.migration === null) break;
        if (performance.now() - t0 > 30_000) throw new Error(`where never followed the migration of web1 to ${to}; it answers ${JSON.stringify(answer)}`);
      }
      times.push(performance.now() - t0);
    }
  } finally {
    close();
  }
  return times;
}

interface CliTimes {
  readonly ctl: number[];
  /** the same answer fetched by a bare Node HTTPS GET (node-floor.ts) */
  readonly bareGet: number[];
  /** `node -e 0` */
  readonly nodeIdle: number[];
  /** xenherdctl and `node -e 0` again, with this machine's NODE_EXTRA_CA_CERTS (when it sets one) */
  readonly ctlExtraCas: number[];
  readonly nodeIdleExtraCas: number[];
}

/** All of them, interleaved run by run: this machine's speed drifts from one minute to the next. */
async function cliTimes(live: LiveFleet, ctl: string, bareGet: string, runs: number): Promise<CliTimes> {
  const times: CliTimes = { ctl: [], bareGet: [], nodeIdle: [], ctlExtraCas: [], nodeIdleExtraCas: [] };
  const timed = async (into: number[], file: string, args: readonly string[], extraCas: boolean, check: (stdout: string) => boolean): Promise<void> => {
    const t0 = performance.now();
    const r = await runNode(file, args, extraCas ? live.ctlEnv : withoutExtraCas(live.ctlEnv));
    into.push(performance.now() - t0);
    if (r.code !== 0 || !check(r.stdout)) throw new Error(`${file} ${args.join(' ')}: exit ${String(r.code)}: ${r.stdout}${r.stderr}`);
  };
  for (let k = 0; k < runs; k++) {
    await timed(times.ctl, ctl, ['where', 'needle'], false, (o) => o.includes('xen17'));
    await timed(times.bareGet, bareGet, ['needle'], false, (o) => o.trim() === 'xen17');
    await timed(times.nodeIdle, NODE_IDLE_ARGS[0], NODE_IDLE_ARGS.slice(1), false, (o) => o === '');
    if (MACHINE_EXTRA_CAS === '') continue;
    await timed(times.ctlExtraCas, ctl, ['where', 'needle'], true, (o) => o.includes('xen17'));
    await timed(times.nodeIdleExtraCas, NODE_IDLE_ARGS[0], NODE_IDLE_ARGS.slice(1), true, (o) => o === '');
  }
  return times;
}

/** The loop, as a shell script: one real ssh connection per Dom0, `xl list | grep` on each. */
async function sshLoop(live: LiveFleet, dir: string, runs: number): Promise<number[]> {
  const keys: string[] = [];
  const authorized: string[] = [];
  for (let h = 1; h <= HOSTS; h++) {
    const wrapper = join(dir, `on-xen${h}.sh`);
    const env = Object.entries(live.sim.env(`xen${h}`)).map(([k, v]) => `export ${k}='${v}'`).join('\n');
    writeFileSync(wrapper, `#!/bin/sh\n${env}\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`);
    chmodSync(wrapper, 0o755);
    const key = join(dir, `key-xen${h}`);
    authorized.push(`command="${wrapper}",no-pty ${await keygen(key, `xen${h}`)}`);
    keys.push(key);
  }
  const sshd = await startSshd(join(dir, 'sshd'), `${authorized.join('\n')}\n`);
  try {
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub}\n`);
    const script = keys.map((k, i) => `ssh -i ${k} -p ${sshd.port} -o BatchMode=yes -o UserKnownHostsFile=${knownHosts} root@127.0.0.1 xl list | grep -qw needle && echo xen${i + 1}`).join('\n');
    const times: number[] = [];
    for (let k = 0; k < runs; k++) {
      const t0 = performance.now();
      const out = await new Promise<string>((resolve) => {
        const c = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let o = '';
        c.stdout.on('data', (d: Buffer) => (o += d.toString()));
        c.on('close', () => resolve(o));
      });
      times.push(performance.now() - t0);
      if (out.trim() !== 'xen17') throw new Error(`the ssh loop answered ${JSON.stringify(out)}`);
    }
    return times;
  } finally {
    await sshd.stop();
  }
}

export async function whereBench(bundles: { agent: string; controller: string; ctl: string }, dir: string, quick: boolean, rows: Row[]): Promise<void> {
  say(`where on a simulated fleet of ${HOSTS} Dom0s: real agents, real controller, real xenherdctl`);
  const live = await launchLiveFleet({ fleet: fleetText(), dir: join(dir, 'live'), bundles, withSsh: false });
  try {
    const fresh = await freshness(live, quick ? 6 : 30);
    rows.push({ what: `freshness: xl migrate returned → where answers the new Dom0, p50 (${fresh.length} migrations)`, measured: `${pct(fresh, 50).toFixed(0)} ms`, target: '(info)', pass: true });
    rows.push({ what: 'freshness, p99 (each sim xl list a Perl stand-in asking the simulator)', measured: `${pct(fresh, 99).toFixed(0)} ms`, target: '< 500 ms', pass: pct(fresh, 99) < 500 });
    const times = await cliTimes(live, bundles.ctl, writeBareGet(dir), quick ? 5 : 20);
    const cli = times.ctl;
    rows.push({ what: `\`xenherdctl where needle\` as a command, median of ${cli.length} (from the 2nd on with this user's code cache${MACHINE_EXTRA_CAS !== '' ? '; NODE_EXTRA_CA_CERTS unset' : ''})`, measured: `${median(cli).toFixed(0)} ms`, target: '< 150 ms', pass: median(cli) < 150 });
    rows.push({ what: '  its first run: compiling, and writing the code cache at exit', measured: `${(cli[0] ?? NaN).toFixed(0)} ms`, target: '(info)', pass: true });
    rows.push({ what: '  this machine: a bare Node HTTPS GET of the same answer, median (same runs, interleaved)', measured: `${median(times.bareGet).toFixed(0)} ms`, target: '(info)', pass: true });
    rows.push({ what: '  this machine: `node -e 0`, median (same runs, interleaved)', measured: `${median(times.nodeIdle).toFixed(0)} ms`, target: '(info)', pass: true });
    if (MACHINE_EXTRA_CAS !== '') {
      rows.push({ what: `  with this machine's NODE_EXTRA_CA_CERTS=${MACHINE_EXTRA_CAS} (unset above, as on Debian): xenherdctl where / node -e 0, medians`, measured: `${median(times.ctlExtraCas).toFixed(0)} / ${median(times.nodeIdleExtraCas).toFixed(0)} ms`, target: '(info)', pass: true });
    }
    if (!sshdInstalled()) {
      rows.push({ what: 'ssh loop over 20 Dom0s vs xenherdctl where', measured: 'not run (no OpenSSH)', target: '≥ 30×', pass: false });
      return;
    }
    const loop = await sshLoop(live, dir, quick ? 1 : 3);
    rows.push({ what: `ssh HOST xl list | grep, over ${HOSTS} Dom0s through a real sshd, median of ${loop.length}`, measured: `${median(loop).toFixed(0)} ms`, target: '(info)', pass: true });
    const ratio = median(loop) / median(cli);
    rows.push({ what: 'xenherdctl where vs that loop', measured: `${ratio.toFixed(1)}× faster`, target: '≥ 30×', pass: ratio >= 30 });
  } finally {
    await live.stop();
  }
}
