import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFleet } from './model/fleet-file.js';

// A fleet file is typed by hand (the playground takes anyone's): a mistake is named with its line
// and the fix, never read as some other fleet, and refused before anything starts.
const HOSTS = 'host xen1 mem=8192 cpus=2\nhost xen2 mem=8192 cpus=2\n';
const refusal = (text: string): string => {
  try {
    parseFleet(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('parsed, expected a refusal');
};

describe('fleet file mistakes', () => {
  it('a key the line does not take is named, with the keys it takes', () => {
    expect(refusal('host xen1 memory=8192\n')).toBe('line 1: host xen1: unknown key memory= (a host line takes mem= cpus= toolstack= xen= drbd= dom0mem= dom0vcpus= dom0cpu= overhead= power= module= migrate-tab= next-domid= info.KEY=)');
    expect(refusal(`${HOSTS}domu web1 mem=512 home=xen1 peer=xen2 drbd=r1 runing=xen1\n`)).toMatch(/^line 3: domu web1: unknown key runing= \(a domu line takes mem= vcpus= home= peer= drbd= running=/);
  });

  it('an unknown keyword names the ones there are', () => {
    expect(refusal(`${HOSTS}domU web1 mem=512 home=xen1\n`)).toBe('line 3: unknown keyword "domU": a line starts with option, host, domu, resource (lower case)');
  });

  it('a running domU bigger than what its host has free', () => {
    expect(refusal('host xen1 mem=4096\ndomu web1 mem=8192 home=xen1 running=xen1\n')).toBe('line 2: web1 (mem=8192) does not fit on xen1: 3072 of its mem=4096 MiB are free (dom0mem=1024 and the domUs before it take the rest)');
    expect(refusal('host xen1 mem=4096\ndomu a mem=2048 home=xen1 running=xen1\ndomu b mem=2048 home=xen1 running=xen1\n')).toMatch(/^line 3: b \(mem=2048\) does not fit on xen1: 1024 of/);
    // exactly full fits
    expect(parseFleet('host xen1 mem=4096\ndomu a mem=3072 home=xen1 running=xen1\n').domains).toHaveLength(1);
  });
});

describe('npm run sim with a fleet file it cannot use', () => {
  const sim = (file: string): { status: number | null; stderr: string; left: string[] } => {
    const tmp = mkdtempSync(join(tmpdir(), 'xenherd-simcli-'));
    try {
      const r = spawnSync(process.execPath, ['packaging/run-ts.mjs', 'test/sim/cli.ts', '--controller', file], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
      return { status: r.status, stderr: r.stderr, left: readdirSync(tmp).filter((f) => f.startsWith('xenherd-playground-')) };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };

  it('a missing file: one line naming it, exit 64, no stack trace', () => {
    const r = sim('/nonexistent/xenherd.fleet');
    expect(r).toEqual({ status: 64, stderr: 'sim: /nonexistent/xenherd.fleet: no such file (the fleet file format: test/sim/README.md, "Fleet file"; an example: test/sim/example.fleet)\n', left: [] });
  });

  it('a mistake in the file: refused before anything is built, nothing left in the temp dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-simcli-fleet-'));
    try {
      writeFileSync(join(dir, 'bad.fleet'), 'host xen1 memory=8192\n');
      const r = sim(join(dir, 'bad.fleet'));
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(/^sim: \S+bad\.fleet: line 1: host xen1: unknown key memory= /);
      expect(r.left).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
