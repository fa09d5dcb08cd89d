// npm run test:package: installs the .debs from `npm run package` into a minimal Debian 12 (a
// cached debootstrap tree under an overlay), runs the shipped binaries there, then removes and
// purges them and checks what is left; then does it again in a fresh copy booted with systemd
// (systemd-nspawn), following the README's install steps with the packaged units running.
// Needs root (debootstrap, chroot, mount, nspawn); CI runs it as root. The first run on a machine
// downloads Debian (3-4 min); later runs reuse the cached tree. XENHERD_PKGTEST_SYSTEMD=skip
// leaves out the booted part.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutDebVersion, debFileName } from '../../../packaging/deb/deb-version.js';
import { ensureBaseTree } from './base-tree.js';
import { Booted } from './booted.js';
import { controllerRestarts, missingCredential } from './booted-controller.js';
import { upgradeFromConffile, writtenBeforeInstall } from './agent-json-steps.js';
import { agentLogPriorities } from './booted-journal.js';
import { removeThenInstall, startLimitEndsLoop, upgradeRefusesConfig } from './booted-reinstall.js';
import { agentService, controllerService, installUnderSystemd, reloadAndUpgrade, removeAndPurgeUnderSystemd, reportsToController } from './booted-steps.js';
import { Chroot } from './chroot.js';
import { controllerInit, ctlHelp, docs, install, inventory, removeAndPurge, upgrade, verifyUnits, versions, type Ctx } from './steps.js';

const log = (line: string): void => void process.stdout.write(`test:package: ${line}\n`);
const fail = (why: string): never => {
  process.stderr.write(`test:package: FAILED: ${why}\n`);
  process.exit(1);
};

if (process.getuid?.() !== 0) fail('needs root for debootstrap, chroot and mount (CI runs it as root): sudo npm run test:package');
const booted = process.env['XENHERD_PKGTEST_SYSTEMD'] !== 'skip';
for (const [tool, pkg] of [['debootstrap', 'debootstrap'], ['dpkg-deb', 'dpkg'], ['chroot', 'coreutils'], ['mount', 'mount'], ...(booted ? [['systemd-nspawn', 'systemd-container'], ['nsenter', 'util-linux']] : [])]) {
  if (!['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, tool as string)))) fail(`needs ${tool}: apt-get install -y ${pkg}${tool === 'systemd-nspawn' ? ' (or XENHERD_PKGTEST_SYSTEMD=skip)' : ''}`);
}
// the packages' version, which the build gives the binaries too: --version says which build is installed
const version = checkoutDebVersion(process.cwd());
const debs = ['xenherd-agent', 'xenherd-controller'].map((n) => join(process.cwd(), 'dist', debFileName(n, version)));
for (const d of debs) if (!existsSync(d)) fail(`${d} is missing: run npm run package first`);

const abortBuild: { current: (() => void) | null } = { current: null };
let chroot: Chroot | null = null;
let container: Booted | null = null;
const cleanup = (): void => {
  abortBuild.current?.();
  container?.kill();
  const problems = chroot?.dispose() ?? [];
  for (const p of problems) process.stderr.write(`test:package: cleanup: ${p}\n`);
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

const t0 = Date.now();
const base = await ensureBaseTree(log, abortBuild);
log(`base tree ${base.built ? 'built' : 'reused'} in ${((Date.now() - t0) / 1000).toFixed(1)} s (Debian 12, nodejs ${base.nodejs}): ${base.rootfs}`);
type Step = [string, (c: Ctx) => Promise<void>];
const inChroot: Step[] = [
  ['dpkg -i both packages: nothing started, files and modes as packaged', install],
  ['--version of the three binaries', versions],
  ['xenherd-agent inventory against the fleet simulator', inventory],
  ['xenherd-controller init and enroll; the unit loads what init wrote', controllerInit],
  ['xenherdctl --help', ctlHelp],
  ['man pages and bash completion as installed', docs],
  ['systemd-analyze verify on the installed units', verifyUnits],
  ['dpkg -i again (upgrade path): the edited agent.json stays, nothing started', upgrade],
  ['dpkg -r, then -P: only the operator files are left', removeAndPurge],
  ['an agent.json written before dpkg -i: no question, kept byte for byte; dpkg -P deletes it', writtenBeforeInstall],
  ['an upgrade from a package that shipped agent.json as a conffile: kept, listed obsolete, dpkg\'s /etc/xenherd warning once; dpkg -P deletes it', upgradeFromConffile],
];
const underSystemd: Step[] = [
  ['dpkg -i with systemd running: both units installed disabled and stopped', installUnderSystemd],
  ['init, enroll, systemctl enable --now xenherd-controller: runs unprivileged, xenherdctl answers', controllerService],
  ['systemctl restart xenherd-controller: active once it listens (Type=notify); a broken controller.json or certificate fails it, the journal names the key', controllerRestarts],
  ['a credential file missing: the start fails, systemctl status names the path; without TLS files the override in the unit starts it', missingCredential],
  ['agent.json gets the controller section, systemctl enable --now xenherd-agent: READY, STATUS, watchdog', agentService],
  ['xenherdctl where web1 answers xen1 (the agent reports)', reportsToController],
  ["log lines reach the journal at their priorities: journalctl -p err shows the agent's error line and both daemons' refused starts", agentLogPriorities],
  ['systemctl reload keeps the agent; an upgrade restarts what runs, not what is stopped', reloadAndUpgrade],
  ["an upgrade whose new daemons refuse their configs: dpkg ends 0 and says on the terminal what is wrong and the fix", upgradeRefusesConfig],
  ['dpkg -r, then -i: config and state kept, the units enabled and stopped, the install says how to start them', removeThenInstall],
  ['a unit failing at every start is stopped by its start limit within the interval', startLimitEndsLoop],
  ['dpkg -r stops both, dpkg -P leaves no units, links or state', removeAndPurgeUnderSystemd],
];

/** Runs STEPS in a fresh tree (booted with systemd when BOOT); false when one failed. */
async function phase(title: string, steps: Step[], boot: boolean): Promise<boolean> {
  log(title);
  chroot = Chroot.create(base.rootfs, { proc: !boot });
  const ctx: Ctx = { chroot, version, debs, stopSim: null, note: (line) => log(`     ${line}`) };
  let passed = true;
  try {
    if (boot) {
      const t = Date.now();
      container = await Booted.boot(chroot);
      log(`booted with systemd in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    for (const [name, run] of steps) {
      const t = Date.now();
      await run(ctx);
      log(`ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    }
  } catch (e) {
    log(`FAIL ${e instanceof Error ? e.message : String(e)}`);
    passed = false;
  }
  await ctx.stopSim?.();
  if (container !== null && passed) await container.shutdown(chroot);
  container?.kill();
  container = null;
  const problems = chroot.dispose();
  chroot = null;
  for (const p of problems) log(`cleanup: ${p}`);
  return passed && problems.length === 0;
}

const passed = (await phase('in a chroot', inChroot, false)) && (!booted || (await phase('booted with systemd (systemd-nspawn)', underSystemd, true)));
const total = ((Date.now() - t0) / 1000).toFixed(1);
if (!passed) fail(`after ${total} s`);
log(`passed in ${total} s (${base.built ? 'cold: base tree built' : 'warm: base tree cached'}${booted ? '' : '; XENHERD_PKGTEST_SYSTEMD=skip: not booted'})`);
