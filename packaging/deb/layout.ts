import type { PackageMeta } from './metadata.js';

/**
 * What each package installs. Bundles live in /usr/lib/xenherd; the names on PATH are relative
 * symlinks to them (/usr/sbin/xenherd-agent is also the path sshd's forced command and the unit
 * run). Units go to /lib/systemd/system, where Debian 12's systemd and lintian expect them.
 */
export type Entry =
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly source: Source }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string };

export type Source =
  | { readonly from: 'bundle'; readonly binary: string }
  /** gzip: compressed as `gzip -9n` does (documentation in /usr/share/doc) */
  | { readonly from: 'repo'; readonly file: string; readonly gzip?: boolean }
  | { readonly from: 'man'; readonly binary: string; readonly section: 1 | 8 }
  | { readonly from: 'completion'; readonly binary: string };

export interface PackageLayout {
  readonly meta: Omit<PackageMeta, 'version' | 'maintainer'>;
  /**
   * No conffiles: a file in /etc the operator writes (agent.json) is made by the postinst when
   * absent, since dpkg asks about a conffile it finds already there, and with nobody at a terminal
   * (configuration management, an agent.json put back after a purge) the install fails.
   * A Dom0 upgraded from a build that shipped agent.json as a conffile keeps dpkg's entry for it,
   * marked obsolete, until a purge. That is left on purpose: dpkg keeps the entry for a conffile
   * that became a file the maintainer scripts look after, and what drops it takes the operator's
   * file too (dpkg-maintscript-helper rm_conffile and a `remove-on-upgrade` line in
   * DEBIAN/conffiles rename an edited one to agent.json.dpkg-bak or .dpkg-old, mv_conffile moves it
   * to another name), leaving the Dom0 without its token. The entry only has the purge delete the
   * file, which the postrm does anyway.
   * That first upgrade also prints dpkg's "warning: unable to delete old directory '/etc/xenherd':
   * Directory not empty", once: the old package listed the directory (it held the conffile), this
   * one does not, so dpkg tries to remove it and leaves it, as the operator's files are in it.
   * Harmless, and nothing clean avoids it: shipping /etc/xenherd again would have dpkg print "directory
   * '/etc/xenherd' not empty so not removed" at every remove and purge instead (agent.json, the
   * migration key and known_hosts are not the package's), and dpkg-maintscript-helper's
   * dir_to_symlink is for a directory that becomes a symlink, which this one does not.
   */
  readonly entries: readonly Entry[];
  /** maintainer scripts in packaging/deb/scripts/, as <prefix>.postinst etc. */
  readonly scripts: string;
}

const bundle = (binary: string): Entry => ({ kind: 'file', path: `usr/lib/xenherd/${binary}`, mode: 0o755, source: { from: 'bundle', binary } });
const link = (dir: 'usr/sbin' | 'usr/bin', binary: string): Entry => ({ kind: 'symlink', path: `${dir}/${binary}`, target: `../lib/xenherd/${binary}` });
const man = (binary: string, section: 1 | 8): Entry => ({ kind: 'file', path: `usr/share/man/man${section}/${binary}.${section}.gz`, mode: 0o644, source: { from: 'man', binary, section } });
const completion = (binary: string): Entry => ({ kind: 'file', path: `usr/share/bash-completion/completions/${binary}`, mode: 0o644, source: { from: 'completion', binary } });
/** The README: the only full description of agent.json's and controller.json's keys (the man pages' FILES point here). */
const readme = (pkg: string): Entry => ({ kind: 'file', path: `usr/share/doc/${pkg}/README.md.gz`, mode: 0o644, source: { from: 'repo', file: 'README.md', gzip: true } });
const unit = (name: string): Entry => ({ kind: 'file', path: `lib/systemd/system/${name}`, mode: 0o644, source: { from: 'repo', file: `systemd/${name}` } });

export const AGENT: PackageLayout = {
  meta: {
    name: 'xenherd-agent',
    // the unit reloads through the agent itself (`autostart reload`). Every live move runs ssh: `xl
    // migrate -s` carries the domU over it to the peer, and `keys` makes the migration key with
    // ssh-keygen; so openssh-client is a dependency, not a recommendation that
    // --no-install-recommends drops. The receiving Dom0's sshd is where every live move lands (`ssh
    // HOST xl migrate-receive`) and runs the migrate2 forced command `reverse` asks; each Dom0 of a
    // pair receives its peer's domUs, so apt brings openssh-server by default. Recommended, not a
    // dependency: boot autostart, status and inventory need no sshd, and a Dom0 whose sshd comes
    // from elsewhere, or that never receives, leaves it out with --no-install-recommends. xl and
    // drbdadm come with Xen and DRBD, whose packages differ between installs: none is named.
    depends: 'nodejs (>= 18), openssh-client',
    recommends: 'openssh-server',
    suggests: 'drbd-utils',
    synopsis: 'DRBD-aware guarded autostart and migrations for Xen Dom0s',
    description: [
      'The xenherd agent runs on every Xen Dom0 whose domUs have DRBD-replicated disks. It reads xl or xm and DRBD truthfully, starts guarded domUs at boot only when DRBD says it is safe (never into a split brain), keeps a ledger of the domUs that left this Dom0, and serves reverse migrations through a locked-down ssh forced command.',
      'The package installs the agent and its systemd unit, neither enabled nor started: configure /etc/xenherd/agent.json, then run systemctl enable --now xenherd-agent.',
    ],
  },
  entries: [
    bundle('xenherd-agent'),
    link('usr/sbin', 'xenherd-agent'),
    unit('xenherd-agent.service'),
    man('xenherd-agent', 8),
    readme('xenherd-agent'),
    completion('xenherd-agent'),
  ],
  scripts: 'agent',
};

export const CONTROLLER: PackageLayout = {
  meta: {
    name: 'xenherd-controller',
    // no procps: its unit has no ExecReload= (credentials are read at start; restart applies them).
    // Only `xenherdctl ssh` runs ssh, the controller itself never does: the client recommended, and
    // no sshd (no Dom0 dials the controller's machine over ssh; where it is a Dom0, the agent's
    // package brings it)
    depends: 'nodejs (>= 18)',
    recommends: 'openssh-client',
    synopsis: 'thin controller and CLI for a fleet of xenherd Xen Dom0s',
    description: [
      'The xenherd controller is the place xenherd agents report to: it answers where each domU runs, lists the Dom0s and their domains, flags conflicts no single Dom0 can see, and routes migrations to the agents, which own the truth. xenherdctl is its command-line client.',
      'The package installs both and a hardened systemd unit that runs the controller as a dynamic unprivileged user, neither enabled nor started: run xenherd-controller init first.',
    ],
  },
  entries: [
    bundle('xenherd-controller'),
    bundle('xenherdctl'),
    link('usr/sbin', 'xenherd-controller'),
    link('usr/bin', 'xenherdctl'),
    unit('xenherd-controller.service'),
    man('xenherd-controller', 8),
    man('xenherdctl', 1),
    readme('xenherd-controller'),
    completion('xenherd-controller'),
    completion('xenherdctl'),
  ],
  scripts: 'controller',
};
