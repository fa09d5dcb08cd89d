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

// One row per rule a new user's fleet broke without a word; each message names the line, the key,
// what was given and what would do.
const D = 'domu web1 mem=512 home=xen1 peer=xen2';
describe('fleet file values the format does not allow', () => {
  it.each([
    ['peer equal to home', `${HOSTS}domu web1 mem=512 home=xen1 peer=xen1\n`, 'line 3: domu web1: peer=xen1: expected a host other than its home=xen1: the peer holds the DRBD replica the home does not'],
    ['the same domu twice', `${HOSTS}${D}\n${D}\n`, 'line 4: domu web1: a second domu web1; the first is line 3: a domU name is one domain in the whole fleet (xl refuses a second domain of one name)'],
    ['the same host twice', `${HOSTS}host xen1 mem=4096\n${D}\n`, 'line 3: host xen1: a second host xen1; the first is line 1: give each host one line'],
    ['the same host twice, in other case', `${HOSTS}host XEN1 mem=4096\n`, 'line 3: host XEN1: a second host xen1 (XEN1 and xen1 are one name: host names compare without case, as DNS does); the first is line 1: give each host one line'],
    ['the same resource line twice', `${HOSTS}${D} drbd=r1\nresource r1 minor=1\nresource r1 port=7800\n`, 'line 5: resource r1: a second resource r1; the first is line 4: give each resource one line'],
    ['a domid twice on one host', `${HOSTS}domu a mem=512 home=xen1 running=xen1 domid=1\ndomu b mem=512 home=xen1 running=xen1 domid=1\n`, 'line 4: domu b: domid=1: expected a domid no other domU on xen1 has (a, line 3, has 1), or no domid= for the next free one'],
    ['a domid the one before took by default', `${HOSTS}domu a mem=512 home=xen1 running=xen1\ndomu b mem=512 home=xen1 running=xen1 domid=1\n`, 'line 4: domu b: domid=1: expected a domid no other domU on xen1 has (a, line 3, has 1), or no domid= for the next free one'],
    ['domid 0 (Domain-0)', `${HOSTS}domu a mem=512 home=xen1 running=xen1 domid=0\n`, 'line 3: domu a: domid=0: expected a domid (0 is Domain-0) from 1 to 32751'],
    ['a negative mem', `${HOSTS}domu web1 mem=-5 home=xen1\n`, 'line 3: domu web1: mem=-5: expected a whole number of MiB, at least 1'],
    ['mem with a unit', `host xen1 mem=32G\n`, 'line 1: host xen1: mem=32G: expected a whole number of MiB, at least 1 (32G is 32768)'],
    ['mem in hex', `host xen1 mem=0x2000\n`, 'line 1: host xen1: mem=0x2000: expected a whole number of MiB, at least 1'],
    ['no mem= at all, with its unit', 'host xen1 cpus=2\n', 'line 1: host xen1 needs mem= (a whole number of MiB)'],
    ['no vCPU', `${HOSTS}domu web1 mem=512 vcpus=0 home=xen1\n`, 'line 3: domu web1: vcpus=0: expected a whole number of vCPUs, at least 1'],
    ['half a vCPU', `${HOSTS}domu web1 mem=512 vcpus=1.5 home=xen1\n`, 'line 3: domu web1: vcpus=1.5: expected a whole number of vCPUs, at least 1'],
    ['no host CPU', 'host xen1 mem=8192 cpus=0\n', 'line 1: host xen1: cpus=0: expected a whole number of CPUs, at least 1'],
    ['a negative overhead', 'host xen1 mem=8192 overhead=-1\n', 'line 1: host xen1: overhead=-1: expected a whole number of MiB'],
    ['a state xl does not print', `${HOSTS}${D} running=xen1 state=x\n`, 'line 3: domu web1: state=x: expected r, b or p (exactly so, lower case)'],
    ['two-primaries=maybe', `${HOSTS}${D} drbd=r1\nresource r1 two-primaries=maybe\n`, 'line 4: resource r1: two-primaries=maybe: expected yes or no (exactly so, lower case)'],
    ['power=of', 'host xen1 mem=8192 power=of\n', 'line 1: host xen1: power=of: expected on or off (exactly so, lower case)'],
    ['migrate-tab=true', 'host xen1 mem=8192 migrate-tab=true\n', 'line 1: host xen1: migrate-tab=true: expected yes or no (exactly so, lower case)'],
    ['module=No', 'host xen1 mem=8192 module=No\n', 'line 1: host xen1: module=No: expected yes or no (exactly so, lower case)'],
    ['a key twice on one line', 'host xen1 mem=2048 cpus=2 mem=4096\n', 'line 1: host xen1: mem= is given twice (mem=2048 and mem=4096): keep one'],
    ['an option twice on one line', 'option bandwidth=1 bandwidth=2\nhost xen1 mem=8192\n', 'line 1: option: bandwidth= is given twice (bandwidth=1 and bandwidth=2): keep one'],
    ['an option on two lines', 'option bandwidth=1\noption bandwidth=2\nhost xen1 mem=8192\n', 'line 2: option bandwidth= is given twice, also on line 1: keep one'],
    ['bandwidth=0', 'option bandwidth=0\nhost xen1 mem=8192\n', 'line 1: option: bandwidth=0: expected MiB/s of simulated copy: a number above 0'],
    ['bandwidth=fast', 'option bandwidth=fast\nhost xen1 mem=8192\n', 'line 1: option: bandwidth=fast: expected MiB/s of simulated copy: a number above 0'],
    ['a negative connect-delay', 'option connect-delay=-1\nhost xen1 mem=8192\n', 'line 1: option: connect-delay=-1: expected a whole number of milliseconds'],
    ['start=tomorrow', 'option start=tomorrow\nhost xen1 mem=8192\n', 'line 1: option: start=tomorrow: expected a UTC date and time, e.g. start=2025-01-01T00:00:00Z'],
    ['a start without a zone', 'option start=2025-01-01T00:00:00\nhost xen1 mem=8192\n', 'line 1: option: start=2025-01-01T00:00:00: expected a UTC date and time, e.g. start=2025-01-01T00:00:00Z'],
    ['two resources with one minor on a host', `${HOSTS}${D} drbd=r1,r2\nresource r1 minor=3\nresource r2 minor=3\n`, 'line 5: resource r2: minor=3: r1 (line 4) has minor 3 too, and both have a replica on xen1: expected a minor no other resource on xen1 uses (set it with resource r2 minor=N)'],
    ['two resources with one port on a host', `${HOSTS}${D} drbd=r1\ndomu db1 mem=512 home=xen2 peer=xen1 drbd=r2\nresource r1 port=7800\nresource r2 port=7800\n`, 'line 6: resource r2: port=7800: r1 (line 5) has port 7800 too, and both have a replica on xen2: expected a port no other resource on xen2 uses (set it with resource r2 port=N)'],
    ['a port another resource gets by default', `${HOSTS}${D} drbd=r1,r2\nresource r1 port=7789\n`, 'line 3: domu web1: drbd=r2 gets port 7789 (7788 + its minor 1, as no resource r2 line gives port=): r1 (line 4) has port 7789 too, and both have a replica on xen1: expected a port no other resource on xen1 uses (set it with resource r2 port=N)'],
    ['a port out of range', `${HOSTS}${D} drbd=r1\nresource r1 port=70000\n`, 'line 4: resource r1: port=70000: expected a TCP port from 1 to 65535'],
    ['a domU name Xen does not take', `${HOSTS}domu we/b1 mem=512 home=xen1\n`, 'line 3: domu "we/b1": expected a Xen domU name: a letter or digit, then up to 63 letters, digits, ".", "_" or "-"'],
    ['a host name DNS does not take', 'host xen_1 mem=8192\n', 'line 1: host "xen_1": expected a host name: labels of letters, digits and -, joined by single dots; no label starts or ends with -'],
    ['a line with no name', 'host mem=8192\n', 'line 1: host needs a name before its key=value pairs, e.g. host xen1 mem=8192'],
    ['a resource name drbdadm would read as an option', `${HOSTS}${D} drbd=-r1\n`, 'line 3: domu web1: drbd=-r1: expected comma-separated DRBD resource names (letters, digits and _ . : + -, not starting with -), e.g. drbd=r1,r2; "-r1" is not one'],
    ['running=yes', `${HOSTS}domu web1 mem=512 home=xen1 running=yes\n`, 'line 3: domu web1: running=yes: expected the host it runs on (xen1, xen2) or no'],
    ['running where its disk has no replica', `${HOSTS}host xen3 mem=8192\n${D} drbd=r1 running=xen3\n`, 'line 4: domu web1: running=xen3: expected its home or peer, the hosts with a replica of r1 (xen1, xen2), or no: xen3 holds none'],
    ['running on a host that is off', `host xen1 mem=8192 power=off\ndomu web1 mem=512 home=xen1 running=xen1\n`, 'line 2: domu web1: running=xen1: xen1 is off (power=off): give running=no or power it on'],
    ['home on no host line, named with its line', `${HOSTS}domu web1 mem=512 home=xen1 peer=xen3\n`, 'line 3: domu web1: peer=xen3: expected a host the fleet has a host line for (xen1, xen2)'],
    ['drbd= without peer=, named with its line', `${HOSTS}domu web1 mem=512 home=xen1 drbd=r1\n`, 'line 3: domu web1: drbd=r1: expected a peer= too: a DRBD resource has a replica on the home and one on the peer'],
    ['a type the format does not know', `${HOSTS}domu web1 mem=512 home=xen1 type=PV\n`, 'line 3: domu web1: type=PV: expected pv, pvh or hvm (exactly so, lower case)'],
    ['a DRBD version that is neither 8.4 nor 9', 'host xen1 mem=8192 drbd=8.3\n', 'line 1: host xen1: drbd=8.3: expected 8.4, 8.4.N (e.g. 8.4.11), 9, a DRBD 9 version or none'],
  ])('%s', (_rule, fleet, message) => {
    expect(refusal(fleet)).toBe(message);
  });

  it('the spellings the format documents are read as written', () => {
    const s = parseFleet('option bandwidth=0.5 connect-delay=0 start=2025-06-01T12:00:00Z\nhost xen1 mem=8192 power=on module=yes migrate-tab=no\nhost xen2 mem=8192 power=off module=no migrate-tab=yes\n' +
      'domu web1 mem=512 home=xen1 peer=xen2 drbd=r1 running=xen1 domid=7 state=p cpu=1.5\ndomu db1 mem=512 home=xen1 peer=xen2 drbd=r2 running=no\nresource r1 minor=0 port=7000 two-primaries=no\n');
    expect([s.bandwidthMiBps, s.connectDelayMs, s.now]).toEqual([0.5, 0, Date.UTC(2025, 5, 1, 12)]);
    expect([s.hosts.xen1!.power, s.hosts.xen1!.drbdModuleLoaded, s.hosts.xen1!.migrateTab, s.hosts.xen2!.power, s.hosts.xen2!.drbdModuleLoaded, s.hosts.xen2!.migrateTab]).toEqual(['on', true, false, 'off', false, true]);
    expect(s.domains.map((d) => [d.name, d.domid, d.run, d.cpuTimeS])).toEqual([['web1', 7, 'paused', 1.5]]);
    expect(Object.values(s.drbd).map((r) => [r.name, r.minor, r.port, r.allowTwoPrimaries])).toEqual([['r1', 0, 7000, false], ['r2', 1, 7789, true]]);
  });
});

describe('host names in references compare without case, as the host lines do', () => {
  it('home=, peer= and running= in another case name the host, spelled as its host line spells it', () => {
    const s = parseFleet('host xen1 mem=8192\nhost xen2 mem=8192\ndomu web9 mem=1024 home=XEN1 peer=Xen2 drbd=r9 running=XEN1\n');
    expect(s.domains.map((d) => [d.name, d.host])).toEqual([['web9', 'xen1']]);
    expect(s.drbd['r9']?.nodes).toEqual(['xen1', 'xen2']);
    expect(() => parseFleet('host xen1 mem=8192\nhost xen2 mem=8192\ndomu web9 mem=1024 home=XEN3 peer=xen2\n')).toThrow(/home=XEN3: expected a host the fleet has a host line for \(xen1, xen2\)/);
  });
});

describe('npm run sim with a fleet file it cannot use', () => {
  const sim = (file: string, extra: string[] = []): { status: number | null; stderr: string; left: string[] } => {
    const tmp = mkdtempSync(join(tmpdir(), 'xenherd-simcli-'));
    try {
      const r = spawnSync(process.execPath, ['packaging/run-ts.mjs', 'test/sim/cli.ts', '--controller', file, ...extra], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
      return { status: r.status, stderr: r.stderr, left: readdirSync(tmp).filter((f) => f.startsWith('xenherd-playground-')) };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };

  it('an option it does not know (a typo of --controller) is refused with the usage, not ignored', () => {
    const r = sim('test/sim/example.fleet', ['--controler']);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/^sim: .*--controler.*; usage: npm run sim -- FLEETFILE \[--dir DIR\] \[--controller\]\n$/);
    expect(r.left).toEqual([]);
  });

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
