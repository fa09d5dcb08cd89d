import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UNIT = readFileSync(new URL('../../../systemd/xenherd-agent.service', import.meta.url), 'utf8');

/** [section] key=value pairs, in order (the subset of systemd.syntax our unit uses). */
function parseUnit(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let section: Map<string, string> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(\w+)\]$/.exec(line);
    if (sec) {
      section = new Map();
      out.set(sec[1] as string, section);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`not a unit line: ${raw}`);
    section.set(kv[1] as string, kv[2] as string);
  }
  return out;
}

describe('systemd/xenherd-agent.service', () => {
  const unit = parseUnit(UNIT);
  const svc = unit.get('Service');

  it('is a notify service running the daemon, reloading through autostart reload, restarting on failure', () => {
    expect(svc?.get('Type')).toBe('notify');
    expect(svc?.get('NotifyAccess')).toBe('all');
    expect(svc?.get('ExecStart')).toMatch(/^\/usr\/bin\/node (--[a-z-]+(=\d+)? )*\/usr\/sbin\/xenherd-agent run$/);
    expect(svc?.get('ExecReload')).toBe('/usr/bin/node /usr/sbin/xenherd-agent autostart reload');
    // the xl child of every `xl create` lives in the agent's cgroup and must survive an agent stop
    expect(svc?.get('KillMode')).toBe('process');
    expect(svc?.get('Restart')).toBe('on-failure');
    expect(svc?.get('RuntimeDirectory')).toBe('xenherd');
    expect(svc?.get('StateDirectory')).toBe('xenherd');
    expect(unit.get('Install')?.get('WantedBy')).toBe('multi-user.target');
  });

  it('passes systemd-analyze verify', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    expect(probe.status, 'systemd-analyze is needed (package systemd; .ci/run installs it)').toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-unit-'));
    try {
      // verify wants ExecStart to exist: point it at a stand-in in the temp dir
      const exe = join(dir, 'xenherd-agent');
      writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
      const file = join(dir, 'xenherd-agent.service');
      writeFileSync(file, UNIT.replace('/usr/sbin/xenherd-agent', exe));
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8' });
      const problems = r.stderr
        .split('\n')
        .filter((l) => l.includes('xenherd-agent.service'))
        // units named in After= that this machine does not have are fine
        .filter((l) => !/not found|Cannot add dependency/.test(l));
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
