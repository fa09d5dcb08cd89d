import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { check, exists, ok, type Ctx } from './steps.js';

/**
 * agent.json is the operator's file, made by the postinst only when absent: an install finds one
 * already there without asking (dpkg's conffile question fails with nobody at the terminal), an
 * upgrade from a package that shipped it as a conffile keeps it, and a purge deletes it. These
 * steps run after the purge of the chroot's first round, on a tree without the packages.
 */

const CONFIG = 'etc/xenherd/agent.json';
const OPERATORS = '{\n  "controller": { "url": "wss://ctl.example.org:7443", "token": "xh1.operator" }\n}\n';

const agentDeb = (c: Ctx): string => {
  const deb = c.debs.find((d) => basename(d).startsWith('xenherd-agent_'));
  if (deb === undefined) throw new Error(`no xenherd-agent package among ${c.debs.join(', ')}`);
  return `/tmp/debs/${basename(deb)}`;
};

/** Files dpkg leaves beside a conffile it set aside or would have replaced. */
const setAside = (c: Ctx): string[] => readdirSync(c.chroot.host('etc/xenherd')).filter((n) => n.startsWith('agent.json.'));

function kept(c: Ctx, text: string, fileMode: number, when: string): void {
  const st = lstatSync(c.chroot.host(CONFIG));
  check(readFileSync(c.chroot.host(CONFIG), 'utf8') === text, `${when}: /${CONFIG} was changed`);
  check((st.mode & 0o7777) === fileMode, `${when}: /${CONFIG} is ${(st.mode & 0o7777).toString(8)}, not ${fileMode.toString(8)} as the operator left it`);
  check(setAside(c).length === 0, `${when}: dpkg left ${setAside(c).join(', ')} beside agent.json`);
}

async function purged(c: Ctx): Promise<void> {
  await ok(c, ['dpkg', '-P', 'xenherd-agent']);
  check(!exists(c, CONFIG), `dpkg -P left /${CONFIG}`);
}

/** An agent.json written before the install (configuration management): no question, kept byte for byte. */
export async function writtenBeforeInstall(c: Ctx): Promise<void> {
  mkdirSync(c.chroot.host('etc/xenherd'), { recursive: true });
  writeFileSync(c.chroot.host(CONFIG), OPERATORS);
  // a mode the package never gives it, so a rewrite shows
  chmodSync(c.chroot.host(CONFIG), 0o640);
  await ok(c, ['dpkg', '-i', agentDeb(c)]);
  kept(c, OPERATORS, 0o640, 'installed over an agent.json written first');
  await purged(c);
}

/**
 * The package as earlier builds made it: agent.json `{}` shipped as a conffile, an older version.
 * Made from this build's package, so only what an upgrade from it tests differs.
 */
function conffilePackage(c: Ctx): string {
  const tree = c.chroot.host('tmp/debs/old-tree');
  rmSync(tree, { recursive: true, force: true });
  execFileSync('dpkg-deb', ['-R', c.chroot.host(agentDeb(c).slice(1)), tree]);
  mkdirSync(join(tree, 'etc/xenherd'), { recursive: true, mode: 0o755 });
  writeFileSync(join(tree, CONFIG), '{}\n');
  chmodSync(join(tree, CONFIG), 0o600);
  writeFileSync(join(tree, 'DEBIAN/conffiles'), `/${CONFIG}\n`);
  const control = readFileSync(join(tree, 'DEBIAN/control'), 'utf8');
  writeFileSync(join(tree, 'DEBIAN/control'), control.replace(/^Version: .*$/m, 'Version: 0.1.0+20200101.000000'));
  const old = c.chroot.host('tmp/debs/xenherd-agent_0.1.0+20200101.000000_all.deb');
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', tree, old], { stdio: ['ignore', 'ignore', 'pipe'] });
  return c.chroot.inside(old);
}

/**
 * Upgraded from a package that shipped agent.json as a conffile: the operator's file stays, dpkg
 * calls it obsolete until the purge (why that entry is left: PackageLayout in packaging/deb/layout.ts).
 */
export async function upgradeFromConffile(c: Ctx): Promise<void> {
  const old = conffilePackage(c);
  await ok(c, ['dpkg', '-i', old]);
  const before = await ok(c, ['dpkg-query', '-W', '-f=${Conffiles}', 'xenherd-agent']);
  check(new RegExp(`^ /${CONFIG} [0-9a-f]{32}$`, 'm').test(before.stdout), `the earlier package did not ship agent.json as a conffile: ${before.stdout}`);
  writeFileSync(c.chroot.host(CONFIG), OPERATORS);
  const upgrade = await ok(c, ['dpkg', '-i', agentDeb(c)]);
  kept(c, OPERATORS, 0o600, 'upgraded from the package that shipped it');
  // the old package listed /etc/xenherd, this one does not: dpkg tries to remove the directory once,
  // finds the operator's files there and leaves it, saying so (why that is harmless: layout.ts)
  const dirWarning = "unable to delete old directory '/etc/xenherd': Directory not empty";
  check(`${upgrade.stdout}${upgrade.stderr}`.includes(dirWarning), `the upgrade from the conffile package did not say what the README tells of: ${upgrade.stdout}${upgrade.stderr}`);
  const again = await ok(c, ['dpkg', '-i', agentDeb(c)]);
  check(!`${again.stdout}${again.stderr}`.includes('unable to delete old directory'), `dpkg still tries to remove /etc/xenherd after the first upgrade: ${again.stdout}${again.stderr}`);
  const after = await ok(c, ['dpkg-query', '-W', '-f=${Conffiles}', 'xenherd-agent']);
  check(new RegExp(`^ /${CONFIG} [0-9a-f]{32} obsolete$`, 'm').test(after.stdout), `dpkg does not list agent.json as an obsolete conffile after the upgrade: ${JSON.stringify(after.stdout)}`);
  await purged(c);
}
