import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_NAMES } from '../../controller/config/credentials.js';
import { CONTROLLER_UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';

// Both units as shipped: systemd accepts them, every sandboxing option is either set or its
// absence explained, and the controller's exposure stays where it was measured.
const UNITS = ['xenherd-agent.service', 'xenherd-controller.service'] as const;
const text = (unit: string): string => readFileSync(join(process.cwd(), 'systemd', unit), 'utf8');
/** key=value lines of a unit, a key given more than once keeps every value */
const values = (unit: string, key: string): string[] => [...text(unit).matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1] as string);
const value = (unit: string, key: string): string | undefined => values(unit, key).at(-1);
/** the key=value lines of one [SECTION] of a unit */
const section = (unit: string, name: string): string => text(unit).split(/^(?=\[)/m).find((s) => s.startsWith(`[${name}]`)) ?? '';
const inSection = (unit: string, name: string, key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(section(unit, name))?.[1];

const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const NEED = 'systemd-analyze is needed (package systemd; .ci/run installs it)';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-units-'));
  // verify wants every ExecStart to exist: the programs are stand-ins in the temp dir
  const exe = join(dir, 'stand-in');
  writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
  for (const u of UNITS) writeFileSync(join(dir, u), text(u).replace(/\/usr\/(s?bin)\/(node|xenherd-[a-z]+)/g, exe));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(UNITS)('systemd/%s', (unit) => {
  it('passes systemd-analyze verify', () => {
    expect(probe.status, NEED).toBe(0);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, unit)], { encoding: 'utf8' });
    // units named in After=/Before= that this machine lacks (xen, drbd) are fine
    const problems = r.stderr.split('\n').filter((l) => l.includes(unit) && !/not found|Cannot add dependency/.test(l));
    expect(problems).toEqual([]);
  });

  it('never restarts for ever: a config or usage error is not restarted, other loops end in failed', () => {
    // RestartSec=2 alone stays under systemd's default start limit (5 in 10 s): a unit failing
    // at every start would loop for ever, "activating", never in `systemctl --failed`
    expect(value(unit, 'Restart')).toBe('on-failure');
    const prevented = (value(unit, 'RestartPreventExitStatus') ?? '').split(/\s+/);
    expect(prevented).toEqual(expect.arrayContaining(['64', '78']));
    // start limits are [Unit] settings: in [Service] systemd ignores them (a warning only)
    const interval = Number(inSection(unit, 'Unit', 'StartLimitIntervalSec'));
    const burst = Number(inSection(unit, 'Unit', 'StartLimitBurst'));
    expect(burst).toBeGreaterThan(0);
    // the loop is RestartSec plus a failed start: BURST rounds of it must fall inside the interval.
    // What a failed start costs is no constant of the unit file: npm run test:package starts each
    // unit failing every time and waits for its start limit to stop it within the interval
    // (test/packaging/install/booted-reinstall.ts). Here only the waits between starts are known,
    // and they alone must leave room for the starts
    expect(interval).toBeGreaterThan(burst * Number(value(unit, 'RestartSec')));
  });

  it('says that every start counts toward the limit, restarts by hand too, and how to start it again once hit', () => {
    const words = (t: string): string => t.replace(/^# ?/gm, '').replace(/\s+/g, ' ');
    const comments = words(text(unit).split('\n').filter((l) => l.startsWith('#')).join('\n'));
    expect(comments).toContain('Every start counts toward this limit, a successful one too');
    expect(comments).toContain(`systemctl reset-failed ${unit.replace(/\.service$/, '')}`);
    // the 6th `systemctl restart` within the interval leaves the unit stopped: the README says what then
    const readme = words(readFileSync(join(process.cwd(), 'README.md'), 'utf8'));
    expect(readme).toContain('(`start-limit-hit` in `systemctl status`), leaving it stopped; `systemctl reset-failed xenherd-agent`');
  });

  it("logs under its own name, not node's: journalctl -t and syslog's program name find it", () => {
    const program = /^\S+/.exec(value(unit, 'ExecStart') ?? '')?.[0] ?? '';
    // systemd tags each line with SyslogIdentifier=, else the file name of the program it runs
    expect(value(unit, 'SyslogIdentifier') ?? basename(program)).toBe(unit.replace(/\.service$/, ''));
  });

  it('sets each sandboxing option, or says in a comment why it is left out', () => {
    const options = ['ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'ProtectProc', 'ProcSubset', 'ProtectKernelLogs', 'ProtectControlGroups', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectClock', 'ProtectHostname', 'PrivateNetwork', 'IPAddressDeny', 'RestrictAddressFamilies', 'CapabilityBoundingSet', 'SystemCallFilter', 'MemoryDenyWriteExecute', 'RestrictNamespaces', 'UMask', 'NoNewPrivileges', 'RestrictSUIDSGID', 'RestrictRealtime', 'LockPersonality', 'SystemCallArchitectures'];
    const comments = text(unit).split('\n').filter((l) => l.startsWith('#')).join('\n');
    const unexplained = options.filter((o) => value(unit, o) === undefined && !comments.includes(`${o}=`));
    expect(unexplained).toEqual([]);
  });
});

describe('xenherd-agent.service', () => {
  const u = 'xenherd-agent.service';
  it('runs after Xen, DRBD and the network, before xendomains, with a watchdog', () => {
    const after = (value(u, 'After') ?? '').split(' ');
    // drbd-configured.target: where drbd-utils 9.31 and later bring the resources up (drbd.service disabled)
    expect(after).toEqual(expect.arrayContaining(['network-online.target', 'drbd.service', 'drbd-configured.target', 'xen.service']));
    expect(value(u, 'Before')).toBe('xendomains.service');
    expect(Number(value(u, 'WatchdogSec'))).toBeGreaterThan(0);
    expect(value(u, 'Type')).toBe('notify');
  });

  it('is still restarted after a watchdog kill, several times before the start limit', () => {
    // a watchdog kill is SIGABRT, a failure Restart=on-failure restarts (64/78 are exit codes)
    expect(value(u, 'Restart')).toBe('on-failure');
    const round = Number(value(u, 'WatchdogSec')) + Number(value(u, 'RestartSec'));
    expect(Number(inSection(u, 'Unit', 'StartLimitBurst'))).toBeGreaterThanOrEqual(3);
    // the limit still ends a loop of watchdog kills: BURST rounds fit into the interval
    expect(Number(inSection(u, 'Unit', 'StartLimitIntervalSec'))).toBeGreaterThanOrEqual(Number(inSection(u, 'Unit', 'StartLimitBurst')) * round);
  });

  it('keeps /run/xenherd (the boot record) across stop/start and remove/install: only a reboot clears it', () => {
    expect(value(u, 'RuntimeDirectory')).toBe('xenherd');
    // "restart" would keep it across a restart only: a stop, or a package removal, drops it
    expect(value(u, 'RuntimeDirectoryPreserve')).toBe('yes');
  });

  it('leaves the xl processes of started domUs alone and uncounted', () => {
    expect(value(u, 'KillMode')).toBe('process');
    expect(value(u, 'TasksMax')).toBe('infinity');
  });
});

describe('xenherd-controller.service', () => {
  const u = 'xenherd-controller.service';
  it('runs unprivileged and gets exactly the files serve reads from credentials', () => {
    expect(value(u, 'DynamicUser')).toBe('yes');
    expect(value(u, 'CapabilityBoundingSet')).toBe('');
    const names = values(u, 'LoadCredential').map((v) => v.split(':')[0]);
    expect(names.sort()).toEqual(['controller.json', ...Object.values(CREDENTIAL_NAMES)].sort());
    expect(value(u, 'ExecStart')).toBe('/usr/bin/node --max-semi-space-size=32 /usr/sbin/xenherd-controller serve --config %d/controller.json');
    // node is what systemd runs: the journal names the controller only through this
    expect(value(u, 'SyslogIdentifier')).toBe('xenherd-controller');
    expect(CONTROLLER_UNIT_NODE_FLAGS).toEqual(['--max-semi-space-size=32']);
  });

  it('is ready only once it listens: Type=notify, the message accepted from its systemd-notify child', () => {
    // Type=exec would report a start that fails a moment later (exit 78) as a success
    expect(value(u, 'Type')).toBe('notify');
    expect(value(u, 'NotifyAccess')).toBe('all');
  });

  it('fails visibly, once, before `init` ran or with a credential file missing, naming it; unreadable credentials (243) are not restarted', () => {
    // the config init writes must exist (an assertion, not a silently skipping condition)
    const config = values(u, 'LoadCredential').find((v) => v.startsWith('controller.json:'))?.split(':')[1];
    // systemd checks asserts last first and names the first not met: before init, the config
    expect([...section(u, 'Unit').matchAll(/^AssertPathExists=(.*)$/gm)].at(-1)?.[1]).toBe(config);
    expect(text(u)).not.toMatch(/^ConditionPathExists=/m);
    // every credential's source: systemd 252 names none of them when one is missing ("Protocol error")
    const sources = values(u, 'LoadCredential').map((v) => v.split(':')[1]);
    const asserted = [...section(u, 'Unit').matchAll(/^AssertPathExists=(.*)$/gm)].map((m) => m[1]);
    expect(asserted.sort()).toEqual(sources.sort());
    expect((value(u, 'RestartPreventExitStatus') ?? '').split(/\s+/)).toContain('243');
  });

  it('has no reload that reports success and applies nothing (SIGHUP cannot re-read credentials)', () => {
    expect(value(u, 'ExecReload')).toBeUndefined();
  });

  it('keeps its systemd-analyze security exposure at or below 1.5 (measured 1.3: NotifyAccess=all is 0.2 of it)', () => {
    expect(probe.status, NEED).toBe(0);
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', join(dir, u)], { encoding: 'utf8' });
    const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThanOrEqual(1.5);
  });
});
