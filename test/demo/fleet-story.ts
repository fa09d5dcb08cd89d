// The demo's fleet story: three simulated Dom0s, each running the real `xenherd-agent run`, all
// reporting to the real `xenherd-controller serve` over TLS on loopback; the operator asks with the
// real `xenherdctl`. Where is web1, a live migration and where again, a power cut where guarded
// autostart refuses a domU its peer now runs, `xenherdctl reverse`, and an alert only the
// controller can raise.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchLiveFleet, type LiveFleet } from '../playground/live-fleet.js';
import { buildBundles, runNode, runNodeStreaming } from '../playground/processes.js';
import { DEMO_FLEET } from './fleet.js';
import type { LogLine } from '../agent/run/agent-process.js';
import { pauseOf, until } from '../helpers/until.js';

const say = (text = ''): void => void process.stdout.write(`${text}\n`);
const indent = (text: string): string => text.replace(/\n$/, '').replace(/^/gm, '    ');

interface Ctl {
  /** runs xenherdctl, prints the command and what it printed; fails the demo on an unexpected exit */
  show(args: readonly string[], okCodes?: readonly number[]): Promise<string>;
  /** runs xenherdctl quietly, --json, and parses the answer */
  json<T>(args: readonly string[]): Promise<T>;
}

function ctlOf(live: LiveFleet, ctl: string): Ctl {
  return {
    async show(args, okCodes = [0]) {
      say(`  $ xenherdctl ${args.map((a) => (/^[\w./:-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`);
      // printed as it comes: a migration's progress streams to the operator's terminal
      const r = await runNodeStreaming(ctl, args, live.ctlEnv, (line) => say(`    ${line}`));
      if (!okCodes.includes(r.code ?? -1)) throw new Error(`xenherdctl ${args.join(' ')} exited ${String(r.code)}`);
      return r.stdout;
    },
    async json<T>(args: readonly string[]) {
      const r = await runNode(ctl, [...args, '--json'], live.ctlEnv);
      if (r.code !== 0 && r.code !== 1) throw new Error(`xenherdctl ${args.join(' ')} exited ${String(r.code)}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
  };
}

interface WhereJson {
  readonly matches: readonly { readonly name: string; readonly places: readonly { readonly host: string; readonly domain: { readonly domid: number | null } }[] }[];
}

const runningOn = async (ctl: Ctl, name: string): Promise<string[]> =>
  (await ctl.json<WhereJson>(['where', name])).matches.flatMap((m) => m.places.map((p) => p.host));

/** What the guest itself reads with `xenstore-read data/xenherd/dom0` (read here from its Dom0's side). */
async function guestSeesDom0(live: LiveFleet, host: string, name: string): Promise<string> {
  const row = live.sim.state().domains.find((d) => d.name === name && d.host === host);
  if (!row || row.domid === null) return `(${name} is not running on ${host})`;
  const r = await live.sim.run(host, 'xenstore-read', [`/local/domain/${row.domid}/data/xenherd/dom0`]);
  return r.exitCode === 0 ? r.stdout.trim() : `(nothing: ${r.stderr.trim()})`;
}

export async function fleetStory(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'xenherd-demo-'));
  let live: LiveFleet | null = null;
  try {
    say('xenherd demo: three Xen 4.17 Dom0s (xen1, xen2, xen3) with DRBD 8.4 and eight domUs. Each domU has');
    say('a home Dom0 and replicates its disks with DRBD to one peer Dom0. Every Dom0 runs `xenherd-agent run`,');
    say('which reports to `xenherd-controller serve` over TLS; the operator asks the controller with `xenherdctl`.');
    say('Xen and DRBD are simulated; the agent, the controller and xenherdctl are the real bundles, real');
    say('processes on 127.0.0.1.');
    say();
    const bundles = await buildBundles(join(work, 'bin'));
    // a full re-read of each Dom0 every 2 s instead of every 60 s, so part 5 does not wait a minute;
    // OpenSSH is there (main.ts checked): every Dom0 gets its own sshd for its peers' forced command
    live = await launchLiveFleet({ fleet: DEMO_FLEET, dir: work, bundles, withSsh: true, agentConfig: { events: { resyncSeconds: 2 } } });
    const ctl = ctlOf(live, bundles.ctl);

    // db2 was stopped; xen3's agent starts it (guarded, its DRBD safe): the table below shows all
    // eight whatever the machine's speed, and the text says why db2 runs
    await until(async () => (await runningOn(ctl, 'db2')).includes('xen3'), 'the controller seeing db2 on xen3', { limitMs: 30_000, step: pauseOf(100) });
    say('1. Where is web1? Instead of looping `ssh xenN xl list | grep` over every Dom0, ask the controller:');
    say('   it already knows, from what the agents report as it happens. (db2 was stopped when the agents');
    say("   started: it is in xen3's guarded dir and its DRBD resource was safe, so xen3's agent started it.)");
    await ctl.show(['hosts']);
    await ctl.show(['where', 'web1']);
    await ctl.show(['where', 'db*']);
    say('   `where -q` prints only the Dom0, for `ssh root@$(xenherdctl where -q web1)` (or `xenherdctl ssh web1`):');
    await ctl.show(['where', '-q', 'web1']);
    say();

    say('2. A live migration, asked of the controller: it hands the command to the agent on xen1, which');
    say('   checks DRBD on both sides, runs `xl migrate` and records the move in its ledger.');
    await ctl.show(['migrate', 'web1', 'xen2']);
    await ctl.show(['where', 'web1']);
    say('   "as of" is how old the controller\'s knowledge of xen2 is: agents report each change as it happens.');
    say(`   Inside web1, \`xenstore-read data/xenherd/dom0\` now says: ${await guestSeesDom0(live, 'xen2', 'web1')}`);
    say('   (a Dom0 name put on the guest\'s kernel command line goes stale at the first migration).');
    say();

    say('3. xen3 loses power. While it is down, the operator starts shop1 (xen3 is its home) on its DRBD');
    say('   peer xen2 by hand, so shop1\'s disk is Primary there.');
    const xen3 = live.agents.get('xen3');
    xen3?.child.kill('SIGKILL');
    await xen3?.exited;
    live.sim.power('xen3', 'off');
    const moved = await live.sim.run('xen2', 'xl', ['create', '/etc/xen/shop1.cfg']);
    if (moved.exitCode !== 0) throw new Error(`xl create shop1 on xen2 failed: ${moved.stderr}`);
    say('  xen2# xl create /etc/xen/shop1.cfg');
    say(indent(moved.stdout || 'Parsing config from /etc/xen/shop1.cfg'));
    // a start by hand records nothing: without this the controller would raise an alert
    // (away-unrecorded) 30 s after xen3 is back, and part 5 would show it or not by the machine's speed
    const xen2Config = join(live.sim.hostRoot('xen2'), 'etc/xenherd/agent.json');
    const recorded = await runNode(bundles.agent, ['reconcile', 'shop1', '--home', 'xen3', '--config', xen2Config], live.sim.env('xen2'));
    if (recorded.code !== 0) throw new Error(`xenherd-agent reconcile shop1 on xen2 failed: ${recorded.stderr}`);
    say('  xen2# xenherd-agent reconcile shop1 --home xen3');
    say(indent(recorded.stdout));
    say("   (xen2's ledger now records shop1 as a visitor from xen3, as a migration would have; without a");
    say('   record the controller raises an alert once xen3 is back: shop1 away from home, unrecorded)');
    await until(async () => (await runningOn(ctl, 'shop1')).includes('xen2'), 'the controller seeing shop1 on xen2', { limitMs: 30_000, step: pauseOf(100) });
    await ctl.show(['where', 'dns1']);
    say('   xen3 is silent: what the controller last heard from it is marked stale, not presented as fact.');
    say();
    say('   Power comes back; xen3 boots, its agent starts and asks the controller where everything runs');
    say('   before deciding anything. Its log (JSON on stdout; here the messages):');
    live.sim.power('xen3', 'on');
    const t0 = Date.now();
    const agent = live.startAgent('xen3');
    const show = (l: LogLine): void => say(`    +${((l.time - t0) / 1000).toFixed(1)} s  ${l.level >= 50 ? 'ERROR ' : ''}${l.msg}`);
    const seen = [
      await agent.waitLog((l) => l.msg.startsWith('ready'), 30_000),
      await agent.waitLog((l) => l.domu === 'shop1' && l.decision === 'skip', 30_000),
      await agent.waitLog((l) => l.msg.startsWith('started dns1'), 30_000),
    ];
    for (const l of seen.sort((a, b) => a.time - b.time)) show(l);
    say('   shop1 runs on xen2 and its disk is Primary there: starting it on xen3 would split the brain of its');
    say('   disk, so the agent refuses, whatever happens later. dns1 starts once DRBD has reconnected.');
    await ctl.show(['where', 'shop1']);
    say();

    say('4. web1 goes home: `xenherdctl reverse` asks the agent on web1\'s home xen1, which connects to xen2\'s');
    say('   sshd with its migration key; sshd there runs only the forced command `xenherd-agent migrate2');
    say('   --peer xen1`, which checks that web1 is xen1\'s and migrates it back.');
    await ctl.show(['reverse', 'web1']);
    await ctl.show(['where', 'web1']);
    say(`   Inside web1, \`xenstore-read data/xenherd/dom0\` says: ${await guestSeesDom0(live, 'xen1', 'web1')}`);
    say();

    say('5. What no single Dom0 can see: someone copies web2\'s guarded config from xen1 to xen2, which is');
    say('   not web2\'s DRBD peer. After a reboot both would think web2 is theirs to start.');
    const auto = (h: string): string => join(live?.sim.hostRoot(h) ?? '', 'etc/xen/drbd-auto');
    mkdirSync(auto('xen2'), { recursive: true });
    copyFileSync(join(auto('xen1'), 'web2.cfg'), join(auto('xen2'), 'web2.cfg'));
    say('  xen2# scp xen1:/etc/xen/drbd-auto/web2.cfg /etc/xen/drbd-auto/');
    await until(async () => (await ctl.json<{ alerts: unknown[] }>(['status'])).alerts.length > 0, 'the controller raising an alert', { limitMs: 30_000, step: pauseOf(100) });
    await ctl.show(['status']);
    say('   Alerts come first in `status`, and the controller logs each one when it is raised.');
    say();

    const leaked = live.sim.violations;
    if (leaked.length > 0) throw new Error(`simulator invariant violated: ${JSON.stringify(leaked)}`);
    say('Try it on a fleet of your own: `npm run sim -- --controller test/sim/example.fleet`.');
    say('The older story, one agent\'s view of each Dom0 without a controller: `npm run demo -- --agent-only`.');
    say('Demo finished: every process it started has ended, temp files removed.');
    return 0;
  } finally {
    if (live) await live.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
