import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';

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

/** Where the agent's postinst, as run here, finds agent.json: in the temp dir, never /etc/xenherd. */
const agentJsonIn = (d: string): string => join(d, 'etc-xenherd', 'agent.json');

/** BEFORE, when given, runs on the fresh temp dir before the script (an agent.json already there). */
function runPostinst(pkg: 'agent' | 'controller', args: readonly string[], unit: UnitState, before?: (d: string) => void): { stdout: string; stderr: string; calls: string } {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-postinst-'));
  before?.(dir);
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
  if (pkg === 'agent') expect(text).toContain('config=/etc/xenherd/agent.json\n');
  writeFileSync(script, text.replaceAll('/run/systemd/system', booted).replace('config=/etc/xenherd/agent.json\n', `config='${agentJsonIn(dir)}'\n`));
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

describe('packaging/deb/scripts/agent.postinst: agent.json, not a conffile', () => {
  const OPERATORS = '{\n  "controller": { "url": "wss://ctl.example.org:7443", "token": "xh1.operator" }\n}\n';

  it('makes it when absent, {} (every default), 0600, the directory too', () => {
    runPostinst('agent', ['configure'], { enabled: false, active: false });
    const file = agentJsonIn(dir);
    expect(readFileSync(file, 'utf8')).toBe('{}\n');
    const st = statSync(file);
    expect(st.mode & 0o7777).toBe(0o600);
    // the postinst runs as root: the file is root's (here: whoever runs the test)
    expect(st.uid).toBe(process.getuid?.());
  });

  it('an install over an agent.json already there leaves it byte for byte, mode and all', () => {
    const put = (d: string): void => {
      mkdirSync(join(d, 'etc-xenherd'));
      writeFileSync(agentJsonIn(d), OPERATORS, { mode: 0o640 });
      chmodSync(agentJsonIn(d), 0o640);
    };
    for (const args of [['configure'], ['configure', '0.1.0+20261205.184112']]) {
      runPostinst('agent', args, { enabled: false, active: false }, put);
      expect(readFileSync(agentJsonIn(dir), 'utf8')).toBe(OPERATORS);
      expect(statSync(agentJsonIn(dir)).mode & 0o7777).toBe(0o640);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a symlink there, even one leading nowhere, is the operator\'s: left as it is', () => {
    runPostinst('agent', ['configure'], { enabled: false, active: false }, (d) => {
      mkdirSync(join(d, 'etc-xenherd'));
      symlinkSync(join(d, 'elsewhere.json'), agentJsonIn(d));
    });
    expect(readlinkSync(agentJsonIn(dir))).toBe(join(dir, 'elsewhere.json'));
    expect(existsSync(join(dir, 'elsewhere.json'))).toBe(false);
  });

  it('makes nothing on an abort-upgrade', () => {
    runPostinst('agent', ['abort-upgrade', '0.1.0+20261205.184112'], { enabled: false, active: false });
    expect(existsSync(agentJsonIn(dir))).toBe(false);
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

  it("names each file a postrm purge deletes in /etc, though the operator wrote it (agent.json: the Dom0's token)", () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const start = readme.indexOf('Removing the package stops the agent');
    const purge = readme.slice(start, readme.indexOf('Installed again after a remove', start));
    const files = ['agent', 'controller'].flatMap((pkg) => {
      const postrm = readFileSync(join(process.cwd(), 'packaging/deb/scripts', `${pkg}.postrm`), 'utf8');
      return [...postrm.matchAll(/^\s*rm -f (.*)$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
    });
    expect(files).toEqual(['/etc/xenherd/agent.json']);
    for (const f of files) {
      const at = purge.indexOf(`\`${f}\``);
      expect(at, `${f} is not named where README tells what a purge deletes`).toBeGreaterThanOrEqual(0);
      expect(purge.slice(at).split('. ')[0]).toContain('goes with the purge, whoever wrote');
    }
  });
});

/**
 * The agent's prerm as shipped, run by sh with its paths moved into a temp directory (no systemd:
 * its stop is the postinst tests' concern): AGENTJSON is agent.json's text, or null for none.
 */
function runAgentPrerm(arg: string, agentJson: string | null, guarded: Record<string, string>): { stdout: string; stderr: string; guardedDir: string } {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-prerm-'));
  const config = join(dir, 'agent.json');
  const guardedDir = join(dir, 'drbd-auto');
  mkdirSync(guardedDir);
  for (const [name, text] of Object.entries(guarded)) writeFileSync(join(guardedDir, name), text);
  if (agentJson !== null) writeFileSync(config, agentJson);
  const text = readFileSync(join(process.cwd(), 'packaging/deb/scripts/agent.prerm'), 'utf8');
  expect(text).toContain('config=/etc/xenherd/agent.json');
  expect(text).toContain('default_guarded=/etc/xen/drbd-auto');
  const script = join(dir, 'prerm');
  writeFileSync(script, text.replace('config=/etc/xenherd/agent.json', `config='${config}'`).replace('default_guarded=/etc/xen/drbd-auto', `default_guarded='${guardedDir}'`).replaceAll('/run/systemd/system', join(dir, 'no-systemd')));
  const r = spawnSync('sh', [script, arg], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, stderr: r.stderr, guardedDir };
}

describe('packaging/deb/scripts/agent.prerm', () => {
  it('a remove names the guarded domU configs nothing starts at boot any more, and the way back', () => {
    const r = runAgentPrerm('remove', '{"controller": {}}\n', { 'web1.cfg': 'name = "web1"\n', 'db1.cfg': 'name = "db1"\n', 'web1.cfg.dpkg-old': '', '.web1.cfg.swp': '' });
    expect(r.stderr).toContain(`xenherd-agent: WARNING: with the agent removed, nothing starts the guarded domUs at boot; ${r.guardedDir} still holds: db1.cfg web1.cfg\n`);
    expect(r.stderr).toContain('move its config back to /etc/xen/auto on its home Dom0 only');
    expect(r.stdout).toBe('');
  });

  it("reads the guarded dir from agent.json's guardedDir", () => {
    const other = mkdtempSync(join(tmpdir(), 'xenherd-guarded-'));
    onTestFinished(() => rmSync(other, { recursive: true, force: true }));
    writeFileSync(join(other, 'mail1.cfg'), 'name = "mail1"\n');
    const r = runAgentPrerm('remove', `${JSON.stringify({ guardedDir: other })}\n`, { 'web1.cfg': '' });
    expect(r.stderr).toContain(`${other} still holds: mail1.cfg\n`);
    expect(r.stderr).not.toContain("web1.cfg");
  });

  it('an agent.json it cannot read: the default guarded dir', () => {
    const r = runAgentPrerm('remove', '{"guardedDir": ', { 'web1.cfg': '' });
    expect(r.stderr).toContain(`${r.guardedDir} still holds: web1.cfg\n`);
  });

  it('says nothing of an upgrade, nor of an empty guarded dir', () => {
    expect(runAgentPrerm('upgrade', null, { 'web1.cfg': '' }).stderr).toBe('');
    rmSync(dir, { recursive: true, force: true });
    expect(runAgentPrerm('remove', null, { 'web1.cfg~': '' }).stderr).toBe('');
  });
});
