import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { startSim } from '../../sim/sim.js';
import { check, exists, ok, type Ctx } from './steps.js';

/**
 * The README's "Install on your Dom0s", followed inside the booted tree (systemd 252 running):
 * packages, `init`, `enroll`, `systemctl enable --now`, the agent reporting, `xenherdctl where`;
 * then reload, upgrade, removal and purge with systemd watching. The agent reads a simulated Dom0.
 */
const show = async (c: Ctx, unit: string, prop: string): Promise<string> => (await ok(c, ['systemctl', 'show', '-p', prop, '--value', unit])).stdout.trim();
const active = async (c: Ctx, unit: string): Promise<string> => (await c.chroot.run(['systemctl', 'is-active', unit])).stdout.trim();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const debPaths = (c: Ctx): string[] => c.debs.map((d) => `/srv/debs/${basename(d)}`);
const AGENT = 'xenherd-agent.service';
const CONTROLLER = 'xenherd-controller.service';

/** What the later steps need from the earlier ones. */
const state = { ctlEnv: {} as Record<string, string>, agentController: {} as Record<string, string> };
const journal = async (c: Ctx, unit: string): Promise<string> => (await c.chroot.run(['journalctl', '-u', unit, '--no-pager', '-n', '30'])).stdout;
/** XENHERD_URL, XENHERD_TOKEN and XENHERD_CA for xenherdctl, once the controller step ran */
export const ctlEnv = (): Record<string, string> => state.ctlEnv;

export async function installUnderSystemd(c: Ctx): Promise<void> {
  mkdirSync(c.chroot.host('srv/debs'), { recursive: true });
  for (const d of c.debs) copyFileSync(d, c.chroot.host(`srv/debs/${basename(d)}`));
  await ok(c, ['dpkg', '-i', ...debPaths(c)]);
  for (const unit of [AGENT, CONTROLLER]) {
    const enabled = (await c.chroot.run(['systemctl', 'is-enabled', unit])).stdout.trim();
    check(enabled === 'disabled', `${unit} is ${enabled} after installing, not disabled`);
    check((await active(c, unit)) === 'inactive', `${unit} runs after installing`);
  }
  // before `init`: one visible failure naming what is missing, not a credentials restart loop
  // (enabled, as README's `enable --now` does: a disabled unit's failed assertion is forgotten at once)
  const early = await c.chroot.run(['systemctl', 'enable', '--now', CONTROLLER]);
  check(early.code !== 0 && early.stderr.includes('Assertion failed'), `${CONTROLLER} before xenherd-controller init: ${early.code} ${early.stderr}`);
  const status = (await c.chroot.run(['systemctl', 'status', '--no-pager', CONTROLLER])).stdout;
  check(status.includes('AssertPathExists=/etc/xenherd/controller.json'), `systemctl status ${CONTROLLER} before init does not name /etc/xenherd/controller.json:\n${status}`);
  // `systemctl start` returns once the start job ended: a unit that will be restarted is
  // "activating" (auto-restart) then; one whose assertion failed never ran and stays "inactive"
  const restarts = await show(c, CONTROLLER, 'NRestarts');
  const state = await active(c, CONTROLLER);
  check(restarts === '0' && state === 'inactive', `${CONTROLLER} before init: ${restarts} restarts, ${state} (expected 0, inactive)`);
}

export async function controllerService(c: Ctx): Promise<void> {
  const init = JSON.parse((await ok(c, ['xenherd-controller', 'init', '--listen', '127.0.0.1', '--json'])).stdout) as { url: string; token: string; ca: string };
  const snippet = JSON.parse((await ok(c, ['xenherd-controller', 'enroll', 'xen1'])).stdout) as { controller: Record<string, string> };
  await ok(c, ['systemctl', 'enable', '--now', CONTROLLER]);
  if ((await active(c, CONTROLLER)) !== 'active') check(false, `${CONTROLLER} is not active: ${await journal(c, CONTROLLER)}`);
  const pid = await show(c, CONTROLLER, 'MainPID');
  const uid = /^Uid:\s+(\d+)/m.exec((await ok(c, ['cat', `/proc/${pid}/status`])).stdout)?.[1];
  check(uid !== undefined && uid !== '0', `the controller runs as uid ${uid}`);
  state.ctlEnv = { XENHERD_URL: init.url, XENHERD_TOKEN: init.token, XENHERD_CA: init.ca };
  // Type=notify: active only once it listens, so it answers at once, no retry
  const hosts = await c.chroot.run(['xenherdctl', 'hosts'], state.ctlEnv);
  check(hosts.code === 0, `xenherdctl hosts against the packaged service, just after enable --now: ${hosts.stderr}`);
  state.agentController = snippet.controller;
  for (const unit of [AGENT, CONTROLLER]) {
    const security = await ok(c, ['systemd-analyze', 'security', '--no-pager', unit]);
    for (const l of security.stdout.split('\n').filter((x) => x.includes('Overall exposure'))) c.note(l.replace(/^→ /, ''));
  }
}

/** agent.json with an unknown key: exit 78 (XH_ERR_CONFIG) is not restarted, the unit is failed at once. */
async function brokenConfigFailsOnce(c: Ctx): Promise<void> {
  writeFileSync(c.chroot.host('etc/xenherd/agent.json'), '{"autostrat": {}}\n', { mode: 0o600 });
  const start = await c.chroot.run(['systemctl', 'start', AGENT]);
  check(start.code !== 0, `${AGENT} started with a broken agent.json`);
  // the start job has ended: a restart to come would show as "activating" (auto-restart) now
  const [restarts, state_] = [await show(c, AGENT, 'NRestarts'), await active(c, AGENT)];
  check(restarts === '0' && state_ === 'failed', `${AGENT} with a broken agent.json: ${restarts} restarts, ${state_} (expected 0, failed)`);
  check((await journal(c, AGENT)).includes('XH_ERR_CONFIG'), `no XH_ERR_CONFIG in the journal: ${await journal(c, AGENT)}`);
  await ok(c, ['systemctl', 'reset-failed', AGENT]);
}

/** The agent under its unit: READY=1 ends `systemctl start`, STATUS= shows, WATCHDOG=1 keeps it alive. */
export async function agentService(c: Ctx): Promise<void> {
  const sim = await startSim({ fleet: 'host xen1 mem=16384 cpus=8 toolstack=xl drbd=8.4\nhost xen2 mem=16384 cpus=8 toolstack=xl drbd=8.4\ndomu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1\n', clock: 'real', dir: c.chroot.host('srv/xh-sim') });
  c.stopSim = () => sim.stop();
  const root = c.chroot.inside(sim.hostRoot('xen1'));
  writeFileSync(c.chroot.host('etc/xenherd/agent.json'), `${JSON.stringify({ controller: state.agentController }, null, 2)}\n`);
  // the simulated Dom0's files live under XENHERD_HOST_ROOT: its agent.json is the packaged one
  const simConfig = `${sim.hostRoot('xen1')}/etc/xenherd/agent.json`;
  mkdirSync(dirname(simConfig), { recursive: true });
  symlinkSync('/etc/xenherd/agent.json', simConfig);
  const dropIn = c.chroot.host('etc/systemd/system/xenherd-agent.service.d/simulated-dom0.conf');
  mkdirSync(dirname(dropIn), { recursive: true });
  const env = `PATH=${c.chroot.inside(sim.binDirFor('xen1'))}:/usr/sbin:/usr/bin:/sbin:/bin XENHERD_SIM_SOCKET=${c.chroot.inside(sim.socketPath)} XENHERD_SIM_HOST=xen1 XENHERD_HOST_ROOT=${root}`;
  // a short watchdog: missing WATCHDOG=1 shows as a restart within seconds
  writeFileSync(dropIn, `[Service]\nEnvironment=${env}\nWatchdogSec=4\n`);
  await ok(c, ['systemctl', 'daemon-reload']);
  await brokenConfigFailsOnce(c);
  // as `enroll > xen1.json` under umask 022 leaves it: the agent warns, naming the fix
  writeFileSync(c.chroot.host('etc/xenherd/agent.json'), `${JSON.stringify({ controller: state.agentController }, null, 2)}\n`, { mode: 0o644 });
  chmodSync(c.chroot.host('etc/xenherd/agent.json'), 0o644);
  const start = await c.chroot.run(['systemctl', 'enable', '--now', AGENT]);
  if (start.code !== 0 || (await active(c, AGENT)) !== 'active') check(false, `${AGENT} did not start: ${start.stderr}\n${await journal(c, AGENT)}`);
  check((await show(c, AGENT, 'StatusText')) !== '', 'the agent sent no STATUS=');
  // the agent reads it through the simulated Dom0's root: a link to /etc/xenherd/agent.json
  const warned = (await c.chroot.run(['journalctl', '-u', AGENT, '--no-pager', '-o', 'cat'])).stdout;
  check(/mode 0644\).*chmod 600 \S*\/etc\/xenherd\/agent\.json/.test(warned), `no warning about the world-readable token in agent.json:\n${warned.slice(-3000)}`);
  chmodSync(c.chroot.host('etc/xenherd/agent.json'), 0o600);
  const pid = await show(c, AGENT, 'MainPID');
  await sleep(9_000);
  const restarts = await show(c, AGENT, 'NRestarts');
  if (restarts !== '0' || (await show(c, AGENT, 'MainPID')) !== pid) check(false, `the agent was restarted ${restarts} times in 9 s (WatchdogSec=4): ${await journal(c, AGENT)}`);
}

export async function reportsToController(c: Ctx): Promise<void> {
  let where = await c.chroot.run(['xenherdctl', 'where', '-q', 'web1'], state.ctlEnv);
  for (let i = 0; i < 100 && where.stdout !== 'xen1\n'; i++) {
    await sleep(200);
    where = await c.chroot.run(['xenherdctl', 'where', '-q', 'web1'], state.ctlEnv);
  }
  check(where.stdout === 'xen1\n', `xenherdctl where web1: ${where.stdout}${where.stderr}`);
}

/** reload (autostart reload, the same process reading its config again); an upgrade restarts what runs and leaves stopped what is stopped. */
export async function reloadAndUpgrade(c: Ctx): Promise<void> {
  const pid = await show(c, AGENT, 'MainPID');
  await ok(c, ['systemctl', 'reload', AGENT]);
  check((await show(c, AGENT, 'MainPID')) === pid && (await active(c, AGENT)) === 'active', 'reload replaced or stopped the agent');
  // the controller reads everything at start: a reload that did nothing must not report success
  check((await c.chroot.run(['systemctl', 'reload', CONTROLLER])).code !== 0, `systemctl reload ${CONTROLLER} reported success (it cannot apply anything)`);
  const ctlPid = await show(c, CONTROLLER, 'MainPID');
  await ok(c, ['dpkg', '-i', ...debPaths(c)]);
  const after = await show(c, AGENT, 'MainPID');
  check(after !== pid && (await active(c, AGENT)) === 'active', `the upgrade did not restart the running agent (pid ${pid} → ${after})`);
  check((await show(c, CONTROLLER, 'MainPID')) !== ctlPid && (await active(c, CONTROLLER)) === 'active', 'the upgrade did not restart the running controller');
  await ok(c, ['touch', BOOT_MARK]);
  await ok(c, ['systemctl', 'stop', AGENT]);
  check(await runDirKept(c), `systemctl stop ${AGENT} emptied /run/xenherd (the record of this boot's domUs)`);
  await ok(c, ['dpkg', '-i', ...debPaths(c)]);
  check((await active(c, AGENT)) === 'inactive', 'the upgrade started a stopped agent');
}

/** stands for the boot record in /run/xenherd: whatever is there must outlive stop and remove */
const BOOT_MARK = '/run/xenherd/pkgtest-boot-mark';
const runDirKept = async (c: Ctx): Promise<boolean> => (await c.chroot.run(['test', '-e', BOOT_MARK])).code === 0;

export async function removeAndPurgeUnderSystemd(c: Ctx): Promise<void> {
  await ok(c, ['systemctl', 'start', AGENT]);
  await ok(c, ['dpkg', '-r', 'xenherd-agent', 'xenherd-controller']);
  for (const unit of [AGENT, CONTROLLER]) check((await active(c, unit)) !== 'active', `${unit} still runs after dpkg -r`);
  check(await runDirKept(c), 'dpkg -r emptied /run/xenherd: an agent installed again this boot would restart domUs an operator shut down');
  await ok(c, ['dpkg', '-P', 'xenherd-agent', 'xenherd-controller']);
  check(!(await runDirKept(c)), 'dpkg -P left /run/xenherd');
  for (const p of ['etc/systemd/system/xenherd-agent.service', 'etc/systemd/system/multi-user.target.wants/xenherd-agent.service', 'etc/systemd/system/multi-user.target.wants/xenherd-controller.service', 'var/lib/private/xenherd-controller', 'var/lib/xenherd', 'etc/xenherd/agent.json']) {
    check(!exists(c, p), `/${p} is left after purge`);
  }
}
