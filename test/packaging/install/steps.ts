import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startSim } from '../../sim/sim.js';
import { cacheDir, cacheFileName, cacheFilePrefix } from '../../../controller/ctl/launcher/code-cache.js';
import { CHROOT_PATH, type Chroot, type RunResult } from './chroot.js';
import { processesRootedIn } from './mounts.js';
import { diffTrees, listTree } from './tree-diff.js';

/** The install test's steps, in order; each throws with what it saw when a check fails. */
export interface Ctx {
  readonly chroot: Chroot;
  readonly version: string;
  readonly debs: readonly string[];
  /** stops the simulator if one runs (set by the inventory step) */
  stopSim: (() => Promise<void>) | null;
  /** a measured figure for the run's output */
  readonly note: (line: string) => void;
}

export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

const shown = (r: RunResult): string => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

export async function ok(c: Ctx, argv: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const r = await c.chroot.run(argv, env);
  check(r.code === 0, `${argv.join(' ')} failed: ${shown(r)}`);
  return r;
}

const mode = (c: Ctx, p: string): number => lstatSync(c.chroot.host(p)).mode & 0o7777;
/** P (a path inside the tree) exists, also as a symlink whose absolute target means nothing on the host */
export const exists = (c: Ctx, p: string): boolean => existsSync(c.chroot.host(p)) || isLink(c, p);
const isLink = (c: Ctx, p: string): boolean => {
  try {
    return lstatSync(c.chroot.host(p)).isSymbolicLink();
  } catch {
    return false;
  }
};

/** Nothing the packages installed may be running: maintainer scripts start no agent, no domU. */
function nothingRuns(c: Ctx): void {
  const pids = processesRootedIn(c.chroot.root);
  const cmds = pids.map((p) => `${p}: ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
  check(pids.length === 0, `processes left running inside the tree: ${cmds.join('; ')}`);
  const wants = 'etc/systemd/system/multi-user.target.wants';
  check(!exists(c, `${wants}/xenherd-agent.service`) && !exists(c, `${wants}/xenherd-controller.service`), 'a unit was enabled by installing');
}

let before = new Map<string, string>();

export async function install(c: Ctx): Promise<void> {
  before = listTree(c.chroot.root);
  mkdirSync(c.chroot.host('tmp/debs'), { recursive: true });
  for (const d of c.debs) copyFileSync(d, c.chroot.host(`tmp/debs/${basename(d)}`));
  await ok(c, ['dpkg', '-i', ...c.debs.map((d) => `/tmp/debs/${basename(d)}`)]);
  nothingRuns(c);
  check(readlinkSync(c.chroot.host('usr/sbin/xenherd-agent')) === '../lib/xenherd/xenherd-agent', '/usr/sbin/xenherd-agent is not the link to the bundle');
  check(readFileSync(c.chroot.host('usr/lib/xenherd/xenherd-agent'), 'utf8').startsWith('#!/usr/bin/node\n'), 'the agent bundle does not start with #!/usr/bin/node');
  check(mode(c, 'var/lib/xenherd') === 0o700, `/var/lib/xenherd is ${mode(c, 'var/lib/xenherd').toString(8)}, not 700`);
  // made by the postinst, not shipped: a conffile already there stops an unattended install
  const made = lstatSync(c.chroot.host('etc/xenherd/agent.json'));
  check((made.mode & 0o7777) === 0o600 && made.uid === 0, `/etc/xenherd/agent.json is ${(made.mode & 0o7777).toString(8)}, uid ${made.uid}, not 0600 root's`);
  check(readFileSync(c.chroot.host('etc/xenherd/agent.json'), 'utf8') === '{}\n', 'the install did not make agent.json as {}');
  const conffiles = await ok(c, ['dpkg-query', '-W', '-f=${Conffiles}', 'xenherd-agent']);
  check(conffiles.stdout === '', `xenherd-agent has conffiles: ${conffiles.stdout}`);
  for (const p of ['usr/bin/xenherdctl', 'usr/sbin/xenherd-controller', 'lib/systemd/system/xenherd-agent.service', 'lib/systemd/system/xenherd-controller.service']) check(exists(c, p), `/${p} missing`);
}

export async function versions(c: Ctx): Promise<void> {
  for (const bin of ['xenherd-agent', 'xenherd-controller', 'xenherdctl']) {
    const r = await ok(c, [bin, '--version']);
    check(r.stdout === `${bin} ${c.version}\n`, `${bin} --version printed ${JSON.stringify(r.stdout)}`);
  }
}

const FLEET = `host xen1 mem=16384 cpus=8 toolstack=xl drbd=8.4
host xen2 mem=16384 cpus=8 toolstack=xl drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;

/** `xenherd-agent inventory` against the simulator, whose socket and fake tools sit inside the tree. */
export async function inventory(c: Ctx): Promise<void> {
  const sim = await startSim({ fleet: FLEET, clock: 'real', dir: c.chroot.host('tmp/xh-sim') });
  c.stopSim = () => sim.stop();
  const host = sim.env('xen1');
  const env = {
    PATH: `${c.chroot.inside(sim.binDirFor('xen1'))}:${CHROOT_PATH}`,
    XENHERD_SIM_SOCKET: c.chroot.inside(host['XENHERD_SIM_SOCKET'] as string),
    XENHERD_SIM_HOST: 'xen1',
    XENHERD_HOST_ROOT: c.chroot.inside(host['XENHERD_HOST_ROOT'] as string),
  };
  const r = await ok(c, ['xenherd-agent', 'inventory', '--json'], env);
  const inv = JSON.parse(r.stdout) as { host: string; toolstack: { kind: string }; domains: { name: string }[]; guarded: { name: string; drbdResources: string[]; runningHere: boolean }[] };
  check(inv.host === 'xen1' && inv.toolstack.kind === 'xl', `inventory read the wrong host: ${r.stdout.slice(0, 300)}`);
  check(inv.domains.some((d) => d.name === 'web1'), 'inventory does not list web1');
  check(inv.guarded.some((g) => g.name === 'web1' && g.runningHere && g.drbdResources.includes('r1')), 'inventory does not show web1 guarded with r1');
  const table = await ok(c, ['xenherd-agent', 'inventory'], env);
  check(table.stdout.includes('web1'), 'the inventory table does not show web1');
  await sim.stop();
  c.stopSim = null;
}

/** init as the README says (as root, default /etc/xenherd), and the files the unit loads exist. */
export async function controllerInit(c: Ctx): Promise<void> {
  const r = await ok(c, ['xenherd-controller', 'init', '--listen', '127.0.0.1', '--json']);
  const out = JSON.parse(r.stdout) as { config: string; token: string };
  check(out.config === '/etc/xenherd/controller.json', `init wrote its config to ${out.config}`);
  const unit = readFileSync(c.chroot.host('lib/systemd/system/xenherd-controller.service'), 'utf8');
  const loaded = [...unit.matchAll(/^LoadCredential=[^:]+:(.+)$/gm)].map((m) => m[1] as string);
  check(loaded.length >= 5, 'the controller unit loads fewer credentials than expected');
  for (const f of loaded) check(exists(c, f.slice(1)), `the controller unit loads ${f}, which init did not write`);
  const enroll = await ok(c, ['xenherd-controller', 'enroll', 'xen1']);
  const snippet = JSON.parse(enroll.stdout) as { controller?: { token?: unknown } };
  check(typeof snippet.controller?.token === 'string', `enroll printed no token: ${enroll.stdout}`);
}

/** Where root's xenherdctl keeps its code cache, as the launcher finds it; purge leaves it, as it is the user's. */
const ROOT_CTL_CACHE = (cacheDir({ HOME: '/root' }) ?? '/root/.cache/xenherd').slice(1);

/** --help works, and the first run leaves its code cache where README says, private to root. */
export async function ctlHelp(c: Ctx): Promise<void> {
  const r = await ok(c, ['xenherdctl', '--help']);
  check(r.stdout.includes('usage: xenherdctl COMMAND'), `xenherdctl --help: ${r.stdout.slice(0, 300)}`);
  check(exists(c, ROOT_CTL_CACHE), `xenherdctl --help left no code cache in /${ROOT_CTL_CACHE}`);
  const dirMode = lstatSync(c.chroot.host(ROOT_CTL_CACHE)).mode & 0o777;
  check(dirMode === 0o700, `/${ROOT_CTL_CACHE} has mode ${dirMode.toString(8)}, not 700`);
  const files = readdirSync(c.chroot.host(ROOT_CTL_CACHE));
  // the launcher's own name for it, up to the build's source key: this Node, this arch, `--help` (no command word)
  const node = (await ok(c, ['node', '-p', 'process.version + " " + process.arch'])).stdout.trim().split(' ');
  const tail = cacheFileName({ sourceKey: '', node: node[0] ?? '?', arch: node[1] ?? '?', command: '--help' }).slice(cacheFilePrefix('').length);
  check(files.length === 1 && (files[0] ?? '').startsWith('xenherdctl-') && (files[0] ?? '').endsWith(`-${tail}`), `/${ROOT_CTL_CACHE} holds ${files.join(', ')}, not one file ending -${tail}`);
  const fileMode = lstatSync(c.chroot.host(`${ROOT_CTL_CACHE}/${files[0]}`)).mode & 0o777;
  check(fileMode === 0o600, `the code cache file has mode ${fileMode.toString(8)}, not 600`);
}

/** Man pages render from the installed files; completion completes from the installed script. */
export async function docs(c: Ctx): Promise<void> {
  for (const [page, th] of [['usr/share/man/man8/xenherd-agent.8.gz', 'XENHERD-AGENT 8'], ['usr/share/man/man8/xenherd-controller.8.gz', 'XENHERD-CONTROLLER 8'], ['usr/share/man/man1/xenherdctl.1.gz', 'XENHERDCTL 1']] as const) {
    const text = gunzipSync(readFileSync(c.chroot.host(page))).toString();
    check(text.includes(`.TH ${th} `), `/${page} has no .TH ${th}`);
    check(text.includes('.SH FILES'), `/${page} has no FILES section`);
  }
  // the keys of agent.json and controller.json: the README's tables, installed with each package
  for (const pkg of ['xenherd-agent', 'xenherd-controller']) {
    const doc = `usr/share/doc/${pkg}/README.md.gz`;
    check(exists(c, doc) && gunzipSync(readFileSync(c.chroot.host(doc))).toString().includes('/etc/xenherd/agent.json'), `/${doc} is missing or holds no config keys`);
  }
  const script = 'source /usr/share/bash-completion/completions/xenherdctl; COMP_WORDS=(xenherdctl wh); COMP_CWORD=1; _xenherdctl; echo "${COMPREPLY[*]}"';
  const r = await ok(c, ['bash', '-c', script]);
  check(r.stdout === 'where\n', `completing "xenherdctl wh" gave ${JSON.stringify(r.stdout)}`);
  const agent = 'source /usr/share/bash-completion/completions/xenherd-agent; COMP_WORDS=(xenherd-agent autostart st); COMP_CWORD=2; _xenherd_agent; echo "${COMPREPLY[*]}"';
  const a = await ok(c, ['bash', '-c', agent]);
  check(a.stdout === 'start stop status\n', `completing "xenherd-agent autostart st" gave ${JSON.stringify(a.stdout)}`);
}

/** The units as installed, with their real ExecStart paths, pass systemd-analyze verify. */
export async function verifyUnits(c: Ctx): Promise<void> {
  const r = await c.chroot.run(['systemd-analyze', 'verify', '--man=no', '/lib/systemd/system/xenherd-agent.service', '/lib/systemd/system/xenherd-controller.service']);
  const problems = r.stderr.split('\n').filter((l) => /xenherd-/.test(l) && !/not found|Cannot add dependency/.test(l));
  check(problems.length === 0, `systemd-analyze verify: ${problems.join('\n')}`);
}

/** Installing again (dpkg's upgrade path) keeps the operator's agent.json and starts nothing. */
export async function upgrade(c: Ctx): Promise<void> {
  const edited = '{"logLevel": "debug"}\n';
  writeFileSync(c.chroot.host('etc/xenherd/agent.json'), edited);
  await ok(c, ['dpkg', '-i', ...c.debs.map((d) => `/tmp/debs/${basename(d)}`)]);
  check(readFileSync(c.chroot.host('etc/xenherd/agent.json'), 'utf8') === edited, 'the upgrade replaced the edited agent.json');
  nothingRuns(c);
}

/** remove keeps agent.json and state; purge leaves only what the operator made (init's files). */
export async function removeAndPurge(c: Ctx): Promise<void> {
  // a guarded domU: nothing starts it at boot once the agent is gone, and the remove must say so
  mkdirSync(c.chroot.host('etc/xen/drbd-auto'), { recursive: true });
  writeFileSync(c.chroot.host('etc/xen/drbd-auto/web1.cfg'), 'name = "web1"\n');
  const removal = await ok(c, ['dpkg', '-r', 'xenherd-agent', 'xenherd-controller']);
  check(removal.stderr.includes('nothing starts the guarded domUs at boot; /etc/xen/drbd-auto still holds: web1.cfg'), `dpkg -r did not name the guarded domU left without autostart:\n${removal.stderr}`);
  rmSync(c.chroot.host('etc/xen'), { recursive: true });
  check(!exists(c, 'usr/lib/xenherd') && !exists(c, 'usr/sbin/xenherd-agent'), 'remove left the programs');
  check(exists(c, 'etc/xenherd/agent.json') && exists(c, 'var/lib/xenherd'), 'remove took agent.json or the state');
  await ok(c, ['dpkg', '-P', 'xenherd-agent', 'xenherd-controller']);
  const operators = /^etc\/xenherd(\/controller\.json|\/tls(\/(ca|server)\.(crt|key))?|\/state(\/tokens\.json)?)?$/;
  // A package must not touch users' home directories, so root's xenherdctl cache stays (and is
  // harmless: a later build ignores and replaces it).
  const usersOwn = (p: string): boolean => p === 'root/.cache' || p === ROOT_CTL_CACHE || p.startsWith(`${ROOT_CTL_CACHE}/`);
  const { added, removed } = diffTrees(before, listTree(c.chroot.root));
  const left = added.filter((p) => !operators.test(p) && !usersOwn(p));
  check(left.length === 0, `purge left: ${left.join(', ')}`);
  check(removed.length === 0, `install + purge removed: ${removed.join(', ')}`);
  check(exists(c, 'etc/xenherd/tls/ca.key'), "purge removed the operator's CA key");
}
