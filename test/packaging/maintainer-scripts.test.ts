import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The postinsts as shipped, run by sh with systemd's tools stood in for: each stand-in answers as
// the unit's state says and logs its arguments. The script checks /run/systemd/system to know that
// systemd runs; its copy here checks a temp directory instead, the one change made to it.
interface UnitState {
  readonly enabled: boolean;
  readonly active: boolean;
  /** the unit is failed: its main process's exit status and what it wrote to the journal at err */
  readonly failed?: { readonly status: number; readonly journal: string };
  /** the unit's process failed and systemd waits to start it again (SubState auto-restart) */
  readonly restarting?: boolean;
}

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function runPostinst(pkg: 'agent' | 'controller', args: readonly string[], unit: UnitState): { stdout: string; stderr: string; calls: string } {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-postinst-'));
  const bin = join(dir, 'bin');
  const booted = join(dir, 'run-systemd-system');
  mkdirSync(bin);
  mkdirSync(booted);
  const log = join(dir, 'calls');
  const stub = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\nexit 0\n`);
    chmodSync(join(bin, name), 0o755);
  };
  const failed = unit.failed;
  stub('systemctl', `case "$*" in *is-failed*) exit ${failed ? 0 : 1} ;; *is-enabled*) exit ${unit.enabled ? 0 : 1} ;; *is-active*) exit ${unit.active ? 0 : 3} ;; *ExecMainStatus*) echo ${failed?.status ?? 0} ;; *InvocationID*) echo 5f0c2a7e ;; *SubState*) echo ${unit.restarting === true ? 'auto-restart' : unit.active ? 'running' : 'dead'} ;; esac`);
  // only the failed invocation's lines: a journalctl asked for anything else prints nothing
  writeFileSync(join(dir, 'journal'), failed?.journal ?? '');
  stub('journalctl', `case "$*" in *_SYSTEMD_INVOCATION_ID=5f0c2a7e*) cat '${join(dir, 'journal')}' ;; esac`);
  // debian-installed and was-enabled answer as for a unit deb-systemd-helper has seen before
  stub('deb-systemd-helper', `case "$*" in *was-enabled*) exit ${unit.enabled ? 0 : 1} ;; esac`);
  stub('deb-systemd-invoke', '');
  // the agent's postinst makes /var/lib/xenherd with install(1): not on this machine
  stub('install', '');
  const script = join(dir, 'postinst');
  const text = readFileSync(join(process.cwd(), 'packaging/deb/scripts', `${pkg}.postinst`), 'utf8');
  expect(text).toContain('[ -d /run/systemd/system ]');
  writeFileSync(script, text.replaceAll('/run/systemd/system', booted));
  const r = spawnSync('sh', [script, ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
  expect(r.status, r.stderr).toBe(0);
  let calls = '';
  try {
    calls = readFileSync(log, 'utf8');
  } catch {
    // no stand-in was called
  }
  return { stdout: r.stdout, stderr: r.stderr, calls };
}

describe.each([
  ['agent', 'xenherd-agent'],
  ['controller', 'xenherd-controller'],
] as const)('packaging/deb/scripts/%s.postinst', (pkg, name) => {
  it('installed again after a remove, says that the enabled unit is stopped and what starts it', () => {
    // dpkg passes the version left in config-files state by the remove
    const r = runPostinst(pkg, ['configure', '0.1.0+20261205.184112'], { enabled: true, active: false });
    expect(r.calls).toContain(`deb-systemd-invoke try-restart ${name}.service`);
    expect(r.stdout).toContain(`${name} is enabled but not running`);
    expect(r.stdout).toContain(`systemctl start ${name}`);
  });

  it('an upgrade whose new daemon refuses the config: says on the terminal that it is not running, why, and the fix', () => {
    const config = pkg === 'agent' ? '/etc/xenherd/agent.json' : '/etc/xenherd/controller.json';
    const line = `${name}: XH_ERR_CONFIG: ${config}: unknown key "autostrat" (did you mean "autostart"?)`;
    // exit 78 is RestartPreventExitStatus: the try-restart left the unit failed, not restarting
    const r = runPostinst(pkg, ['configure', '0.1.0+20261205.184112'], { enabled: true, active: false, failed: { status: 78, journal: `${line}\n` } });
    expect(r.calls).toContain(`deb-systemd-invoke try-restart ${name}.service`);
    expect(r.calls).toContain('journalctl --sync');
    expect(r.stderr).toContain(`${name}: ERROR: ${name} is not running: ${name}.service failed`);
    expect(r.stderr).toContain(`exit 78 (XH_ERR_CONFIG): it refuses ${config}`);
    expect(r.stderr).toContain(`  ${line}`);
    expect(r.stderr).toContain(`then: systemctl start ${name}`);
    // not the remove-then-install line: a failed unit does not start at the next boot
    expect(r.stdout).not.toContain('it starts at the next boot');
  });

  it('a unit failed for another reason: its exit status and where to read more', () => {
    const r = runPostinst(pkg, ['configure', '0.1.0+20261205.184112'], { enabled: true, active: false, failed: { status: 1, journal: '' } });
    expect(r.stderr).toContain(`${name}: it exited with status 1`);
    expect(r.stderr).toContain(`see systemctl status ${name} and journalctl -u ${name}; once fixed: systemctl start ${name}`);
    expect(r.stdout).toBe('');
  });

  it('an upgrade whose new daemon crashes and is being restarted: a warning naming where to read why, not "starts at the next boot"', () => {
    const r = runPostinst(pkg, ['configure', '0.1.0+20261205.184112'], { enabled: true, active: false, restarting: true });
    expect(r.stderr).toBe(`${name}: WARNING: ${name} failed as it started and systemd is starting it again: see systemctl status ${name} and journalctl -u ${name} -p err\n`);
    expect(r.stdout).toBe('');
  });

  it('says nothing of a fresh install, which leaves the unit disabled on purpose', () => {
    const r = runPostinst(pkg, ['configure'], { enabled: false, active: false });
    expect(r.calls).toContain(`systemctl --quiet is-enabled ${name}.service`);
    expect(r.stdout).toBe('');
  });

  it('says nothing when the upgrade restarted a running unit', () => {
    const r = runPostinst(pkg, ['configure', '0.1.0+20261205.184112'], { enabled: true, active: true });
    expect(r.calls).toContain(`systemctl --quiet is-active ${name}.service`);
    expect(r.stdout).toBe('');
  });
});

describe('purge, as the README tells it', () => {
  it('names every directory a postrm purge deletes', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const start = readme.indexOf('Removing the package stops the agent');
    const purge = readme.slice(start, readme.indexOf(' stays.', start));
    for (const pkg of ['agent', 'controller']) {
      const postrm = readFileSync(join(process.cwd(), 'packaging/deb/scripts', `${pkg}.postrm`), 'utf8');
      const deleted = [...postrm.matchAll(/^\s*rm -rf (.*)$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
      expect(deleted.length).toBeGreaterThan(0);
      // DynamicUser='s private copy is the same directory, reached through /var/lib/NAME
      for (const d of deleted.filter((p) => !p.startsWith('/var/lib/private/'))) expect(purge).toContain(`\`${d}\``);
    }
  });
});
