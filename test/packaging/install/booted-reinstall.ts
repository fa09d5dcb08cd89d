import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { check, exists, ok, type Ctx } from './steps.js';

/**
 * What dpkg does to running daemons beyond a plain upgrade, in the booted tree: an upgrade whose
 * new daemons refuse the config the old ones ran with, a remove followed by an install (config
 * and state kept, the enabled units stopped until started), and a unit failing at every start
 * stopped by its start limit.
 */
const AGENT = 'xenherd-agent.service';
const CONTROLLER = 'xenherd-controller.service';
const show = async (c: Ctx, unit: string, prop: string): Promise<string> => (await ok(c, ['systemctl', 'show', '-p', prop, '--value', unit])).stdout.trim();
const active = async (c: Ctx, unit: string): Promise<string> => (await c.chroot.run(['systemctl', 'is-active', unit])).stdout.trim();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const debPaths = (c: Ctx): string[] => c.debs.map((d) => `/srv/debs/${basename(d)}`);

/** Both daemons run; each config gets a key the new release does not know; dpkg -i ends 0 and says, on the terminal, what is wrong and the fix. */
export async function upgradeRefusesConfig(c: Ctx): Promise<void> {
  const files = { [AGENT]: 'etc/xenherd/agent.json', [CONTROLLER]: 'etc/xenherd/controller.json' };
  for (const unit of [AGENT, CONTROLLER]) {
    await ok(c, ['systemctl', 'reset-failed', unit]);
    await ok(c, ['systemctl', 'start', unit]);
  }
  const good = new Map(Object.entries(files).map(([unit, f]) => [unit, readFileSync(c.chroot.host(f))]));
  try {
    // the running daemons read their config at start only: the upgrade's restart is the first to read these
    for (const [unit, f] of Object.entries(files)) {
      const config = JSON.parse((good.get(unit) as Buffer).toString('utf8')) as Record<string, unknown>;
      writeFileSync(c.chroot.host(f), `${JSON.stringify({ ...config, logLevle: 'debug' }, null, 2)}\n`);
    }
    const r = await c.chroot.run(['dpkg', '-i', ...debPaths(c)], {}, 180_000);
    check(r.code === 0, `dpkg -i over configs the new daemons refuse: exit ${r.code} (a failed start fails no package):\n${r.stderr}`);
    for (const [unit, f] of Object.entries(files)) {
      const name = unit.replace(/\.service$/, '');
      check((await active(c, unit)) === 'failed', `${unit} after the upgrade with a refused /${f}: ${await active(c, unit)} (expected failed)`);
      for (const said of [`${name}: ERROR: ${name} is not running: ${unit} failed`, `exit 78 (XH_ERR_CONFIG): it refuses /${f}`, 'unknown key "logLevle"', `then: systemctl start ${name}`]) {
        check(r.stderr.includes(said), `dpkg -i did not say ${JSON.stringify(said)} of ${unit}:\n${r.stderr}`);
      }
      check(!r.stdout.includes(`${name} is enabled but not running (it starts at the next boot)`), `dpkg -i told that the failed ${unit} starts at the next boot:\n${r.stdout}`);
    }
    c.note(`dpkg -i over refused configs: ${r.stderr.split('\n').find((l) => l.includes('logLevle'))?.trim() ?? ''}`);
  } finally {
    for (const [unit, f] of Object.entries(files)) writeFileSync(c.chroot.host(f), good.get(unit) as Buffer);
  }
  // the fix the install named
  for (const unit of [AGENT, CONTROLLER]) {
    const r = await c.chroot.run(['systemctl', 'start', unit], {}, 60_000);
    check(r.code === 0 && (await active(c, unit)) === 'active', `systemctl start ${unit} with its config put back: ${r.code} ${r.stderr}`);
  }
}

/** Removed (not purged) while enabled and running, then installed again: config and state stay; the units are enabled again, stopped, and the install says how to start them (README, "Upgrades and removal"). */
export async function removeThenInstall(c: Ctx): Promise<void> {
  const kept = ['etc/xenherd/agent.json', 'etc/xenherd/controller.json', 'etc/xenherd/state/tokens.json', 'etc/xenherd/tls/server.key'];
  const before = new Map(kept.map((f) => [f, readFileSync(c.chroot.host(f))]));
  // the agent's and the controller's state directories, each with a file the remove must leave
  const marks = ['var/lib/xenherd/pkgtest-mark', 'var/lib/private/xenherd-controller/pkgtest-mark'];
  for (const m of marks) writeFileSync(c.chroot.host(m), 'kept\n');
  for (const unit of [AGENT, CONTROLLER]) check((await active(c, unit)) === 'active', `${unit} is not running before the remove`);
  await ok(c, ['dpkg', '-r', 'xenherd-agent', 'xenherd-controller']);
  for (const unit of [AGENT, CONTROLLER]) check((await active(c, unit)) !== 'active', `${unit} still runs after dpkg -r`);
  const r = await ok(c, ['dpkg', '-i', ...debPaths(c)]);
  for (const f of kept) check(exists(c, f) && readFileSync(c.chroot.host(f)).equals(before.get(f) as Buffer), `/${f} changed or went with dpkg -r and -i`);
  for (const m of marks) check(exists(c, m), `/${m} went with dpkg -r and -i: the state directory was emptied`);
  for (const unit of [AGENT, CONTROLLER]) {
    const name = unit.replace(/\.service$/, '');
    const enabled = (await c.chroot.run(['systemctl', 'is-enabled', unit])).stdout.trim();
    check(enabled === 'enabled', `${unit} is ${enabled} after installing again (it was enabled before the remove)`);
    check((await active(c, unit)) === 'inactive', `${unit} is ${await active(c, unit)} after installing again: the README says stopped until started`);
    const line = `${name} is enabled but not running (it starts at the next boot); to start it now: systemctl start ${name}`;
    check(r.stdout.includes(line), `dpkg -i after the remove did not say ${JSON.stringify(line)}:\n${r.stdout}`);
    await ok(c, ['systemctl', 'start', unit]);
    check((await active(c, unit)) === 'active', `systemctl start ${unit} after installing again: ${await active(c, unit)}`);
  }
  for (const m of marks) await ok(c, ['rm', '-f', `/${m}`]);
}

/**
 * A unit failing at every start, not for its config (that is never restarted), is stopped by its
 * start limit: BURST restarts within StartLimitIntervalSec, whatever a failed start costs here
 * (systemd 252 leaves Result=exit-code and logs 'Start request repeated too quickly').
 * Waited for, up to the interval from the first start: a loop slower than that would never hit
 * the limit and would run for ever.
 */
export async function startLimitEndsLoop(c: Ctx): Promise<void> {
  for (const unit of [AGENT, CONTROLLER]) {
    const dropIn = `etc/systemd/system/${unit}.d/pkgtest-fails.conf`;
    mkdirSync(dirname(c.chroot.host(dropIn)), { recursive: true });
    // node itself refuses to start: each round is a real process start that fails (exit 9)
    writeFileSync(c.chroot.host(dropIn), '[Service]\nEnvironment=NODE_OPTIONS=--xenherd-pkgtest-no-such-option\n');
    try {
      await ok(c, ['systemctl', 'daemon-reload']);
      await ok(c, ['systemctl', 'stop', unit]);
      await ok(c, ['systemctl', 'reset-failed', unit]);
      const [interval, burst] = [seconds(await show(c, unit, 'StartLimitIntervalUSec')), await show(c, unit, 'StartLimitBurst')];
      check(interval > 0, `${unit}: no start limit interval`);
      const cursor = /^-- cursor: (.+)$/m.exec((await ok(c, ['journalctl', '-n', '0', '--show-cursor', '--no-pager'])).stdout)?.[1] ?? '';
      const t0 = Date.now();
      await c.chroot.run(['systemctl', 'start', unit], {}, 60_000);
      // activating (auto-restart) between rounds; failed once systemd refuses the next restart
      let state = await active(c, unit);
      while (state !== 'failed' && Date.now() - t0 < interval * 1000) {
        await sleep(250);
        state = await active(c, unit);
      }
      const [restarts, took] = [await show(c, unit, 'NRestarts'), ((Date.now() - t0) / 1000).toFixed(1)];
      // systemd's own line reaches the journal a moment after the unit is failed: read until it is there (or 30 s)
      const journal = async (): Promise<string> => {
        await c.chroot.run(['journalctl', '--sync']);
        return (await c.chroot.run(['journalctl', '-u', unit, '--no-pager', '-o', 'cat', `--after-cursor=${cursor}`])).stdout;
      };
      let said = await journal();
      for (const until = Date.now() + 30_000; state === 'failed' && !said.includes('Start request repeated too quickly') && Date.now() < until; said = await journal()) await sleep(250);
      check(state === 'failed' && restarts === burst && said.includes('Start request repeated too quickly'), `${unit} failing at every start: ${state}, ${restarts} restarts after ${took} s (expected failed by its start limit, ${burst} restarts, within its ${interval} s interval):\n${said.slice(-2000)}`);
      c.note(`${unit} failing at every start: stopped by its start limit after ${restarts} restarts in ${took} s of its ${interval} s interval`);
    } finally {
      await ok(c, ['rm', '-f', `/${dropIn}`]);
      await ok(c, ['systemctl', 'daemon-reload']);
    }
    await ok(c, ['systemctl', 'reset-failed', unit]);
  }
}

/** "5min" or "30s", as systemctl show prints a span, in seconds */
function seconds(span: string): number {
  let total = 0;
  for (const [, n, u] of span.matchAll(/(\d+)\s*(min|s|h)\b/g)) total += Number(n) * (u === 'h' ? 3600 : u === 'min' ? 60 : 1);
  return total;
}
