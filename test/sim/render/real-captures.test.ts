import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, readFixture } from '../../fixture.js';
import { readCfg } from '../tools/cfg-reader.js';
import type { Sim } from '../sim.js';
import { simPerTest } from '../sim-per-test.js';
import { LAB_TINY_CFG } from './lab-guests.js';

/**
 * The lab's own captures (test/fixtures/real-xen-4.17/, Xen 4.17.7 + DRBD 8.4.11 under QEMU):
 * build the captured state in the simulator and compare what the fake tools print, byte for byte,
 * exit codes included. Build constants of `xl info` (kernel release, compiler, ...) are taken
 * from the capture; everything state-derived comes from the simulator.
 */
const REAL = 'real-xen-4.17';
const BASE = '09-guest-running-on-a/dom0a.xl-info';
/** The lab names repeated captures "NAME-attemptN" / "NAME.attemptN": find the first one matching. */
function find(state: string, re: RegExp): string {
  const dir = join(FIXTURE_ROOT, REAL, state);
  if (!existsSync(dir)) throw new Error(`no lab capture ${REAL}/${state}: run npm run lab -- capture`);
  const hit = readdirSync(dir).sort().find((f) => f.endsWith('.stdout') && re.test(f.slice(0, -'.stdout'.length)) && existsSync(join(dir, `${f.slice(0, -7)}.rc`)));
  if (!hit) throw new Error(`no capture in ${REAL}/${state} matching ${String(re)}`);
  return hit.slice(0, -'.stdout'.length);
}
const M = '11-migrating-a-to-b';
const INCOMING = find(M, /^dom0b\.during-migration.*xl-list\.incoming$/);
const AWAY = find(M, /^dom0a\.during-migration.*xl-list\.migratedaway$/);
const TRANSCRIPT = find(M, /^dom0a\.xl-migrate-tiny-dom0b/);

function capture(state: string, file: string): { stdout: string; stderr: string; rc: number } {
  const base = `${REAL}/${state}/${file}`;
  return { stdout: readFixture(`${base}.stdout`).body, stderr: readFixture(`${base}.stderr`).body, rc: Number(readFixture(`${base}.rc`).body.trim()) };
}

const STATE_KEYS = new Set(['host', 'nr_cpus', 'max_cpu_id', 'cores_per_socket', 'total_memory', 'free_memory', 'xen_major', 'xen_minor', 'xen_extra', 'xen_version']);
function buildConstants(xlInfo: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of xlInfo.split('\n')) {
    const i = line.indexOf(': ');
    if (i < 0) continue;
    const k = line.slice(0, i).trim();
    if (!STATE_KEYS.has(k)) out[k] = line.slice(i + 2);
  }
  return out;
}

const LAB_FLEET = `
host dom0a mem=1023 dom0mem=512 overhead=15 cpus=1 toolstack=xl xen=4.17.7 drbd=8.4.11 
host dom0b mem=1023 dom0mem=512 overhead=15 cpus=1 toolstack=xl xen=4.17.7 drbd=8.4.11 
domu tiny mem=128 vcpus=1 home=dom0a peer=dom0b drbd=r0 type=pvh running=dom0a domid=1
`;

const NO_GUEST = LAB_FLEET.replace('running=dom0a domid=1', 'running=no');

const startSim = simPerTest();

async function labSim(fleet = LAB_FLEET): Promise<Sim> {
  const sim = await startSim({ fleet });
  const constants = buildConstants(capture('09-guest-running-on-a', 'dom0a.xl-info').stdout);
  sim.force('lab build constants', (s) => ({ ...s, hosts: Object.fromEntries(Object.entries(s.hosts).map(([n, h]) => [n, { ...h, info: constants }])) }));
  return sim;
}

/** CPU seconds are measurements, not state: take them from the capture being compared. */
function cpuTimes(s: Sim, state: string, file: string, host: string): void {
  const rows = capture(state, file).stdout.split('\n').slice(1).filter(Boolean);
  const cpu = new Map(rows.map((r) => { const f = r.trim().split(/\s+/); return [f[0]!, Number(f[f.length - 1])] as const; }));
  s.force(`cpu times of ${state}/${file}`, (st) => ({
    ...st,
    hosts: { ...st.hosts, [host]: { ...st.hosts[host]!, dom0CpuS: cpu.get('Domain-0') ?? st.hosts[host]!.dom0CpuS } },
    domains: st.domains.map((d) => (d.host === host && cpu.has(d.name) ? { ...d, cpuTimeS: cpu.get(d.name)! } : d)),
  }));
}

async function same(s: Sim, host: string, state: string, file: string, tool: string, argv: string[]): Promise<void> {
  const want = capture(state, `${host}.${file}`);
  const got = await s.run(host, tool, argv);
  expect({ stdout: got.stdout, stderr: got.stderr, rc: got.exitCode }, `${state}/${host}.${file}`).toEqual(want);
}

describe('09-guest-running-on-a: tiny runs on dom0a, r0 Primary there', () => {
  const S = '09-guest-running-on-a';
  it('xl list, xl list NAME, xl info, xl domid', async () => {
    const s = await labSim();
    for (const h of ['dom0a', 'dom0b']) {
      cpuTimes(s, S, `${h}.xl-list`, h);
      await same(s, h, S, 'xl-list', 'xl', ['list']);
    }
    await same(s, 'dom0a', S, 'xl-info', 'xl', ['info']);
    await same(s, 'dom0a', S, 'xl-domid-tiny', 'xl', ['domid', 'tiny']);
    cpuTimes(s, S, 'dom0a.xl-list-tiny', 'dom0a');
    await same(s, 'dom0a', S, 'xl-list-tiny', 'xl', ['list', 'tiny']);
  });

  it('drbdadm role/cstate/dstate/status and drbdsetup events2 --now on both hosts', async () => {
    const s = await labSim();
    for (const h of ['dom0a', 'dom0b']) {
      await same(s, h, S, 'drbdadm-role-r0', 'drbdadm', ['role', 'r0']);
      await same(s, h, S, 'drbdadm-cstate-r0', 'drbdadm', ['cstate', 'r0']);
      await same(s, h, S, 'drbdadm-dstate-r0', 'drbdadm', ['dstate', 'r0']);
      await same(s, h, S, 'drbdadm-status-r0', 'drbdadm', ['status', 'r0']);
      await same(s, h, S, 'drbdadm-status', 'drbdadm', ['status']);
      await same(s, h, S, 'drbdsetup-events2-now', 'drbdsetup', ['events2', '--now']);
    }
  });

  it('/proc/drbd (I/O counters aside: the sim does no I/O)', async () => {
    const s = await labSim();
    for (const h of ['dom0a', 'dom0b']) {
      const want = capture(S, `${h}.cat-proc-drbd`).stdout.split('\n').filter((l) => !l.startsWith('    ns:'));
      const got = readFileSync(join(s.hostRoot(h), 'proc/drbd'), 'utf8').split('\n').filter((l) => !l.startsWith('    ns:'));
      expect(got).toEqual(want);
    }
  });

  it('xl list -l ends like libxl prints it (yajl newline + puts)', async () => {
    const s = await labSim();
    const got = await s.run('dom0a', 'xl', ['list', '-l']);
    expect(got.stdout.endsWith('    }\n]\n\n')).toBe(true);
    expect(capture(S, 'dom0a.xl-list-l').stdout.endsWith('    }\n]\n\n')).toBe(true);
    expect(JSON.parse(got.stdout).map((e: { config: { c_info: { name: string } } }) => e.config.c_info.name)).toEqual(['Domain-0', 'tiny']);
  });

  it('xl list -l at boot: Domain-0 alone, byte for byte (empty maps as yajl prints them)', async () => {
    const s = await labSim(NO_GUEST);
    await same(s, 'dom0a', '01-boot', 'xl-list-l', 'xl', ['list', '-l']);
    expect((await s.run('dom0a', 'xl', ['list', '-l', 'Domain-0'])).stdout).toBe(capture('01-boot', 'dom0a.xl-list-l').stdout);
  });
});

describe('06-connected-secondary: r0 up and connected, both Secondary, no guest', () => {
  const S = '06-connected-secondary';
  const fleet = LAB_FLEET.replace('running=dom0a domid=1', 'running=no');
  it('drbdadm and events2 on both hosts', async () => {
    const s = await labSim(fleet);
    for (const h of ['dom0a', 'dom0b']) {
      await same(s, h, S, 'drbdadm-role-r0', 'drbdadm', ['role', 'r0']);
      await same(s, h, S, 'drbdadm-cstate-r0', 'drbdadm', ['cstate', 'r0']);
      await same(s, h, S, 'drbdadm-dstate-r0', 'drbdadm', ['dstate', 'r0']);
      await same(s, h, S, 'drbdadm-status-r0', 'drbdadm', ['status', 'r0']);
      await same(s, h, S, 'drbdsetup-events2-now', 'drbdsetup', ['events2', '--now']);
    }
    await same(s, 'dom0a', S, 'drbdsetup-status-json', 'drbdsetup', ['status', '--json']);
  });
});

describe('02-unknown-names: errors and exit codes', () => {
  const S = '02-unknown-names';
  it.each([
    ['xl-list-nosuch', 'xl', ['list', 'nosuch']],
    ['xl-list-l-nosuch', 'xl', ['list', '-l', 'nosuch']],
    ['xl-destroy-nosuch', 'xl', ['destroy', 'nosuch']],
    ['xl-pause-nosuch', 'xl', ['pause', 'nosuch']],
    ['xl-unpause-nosuch', 'xl', ['unpause', 'nosuch']],
    ['xl-shutdown-nosuch', 'xl', ['shutdown', 'nosuch']],
    ['xl-shutdown-w-nosuch', 'xl', ['shutdown', '-w', 'nosuch']],
    ['xl-domid-nosuch', 'xl', ['domid', 'nosuch']],
    ['xl-migrate-nosuch-dom0b', 'xl', ['migrate', 'nosuch', 'dom0b']],
    ['drbdadm-role-nosuch', 'drbdadm', ['role', 'nosuch']],
    ['drbdadm-cstate-nosuch', 'drbdadm', ['cstate', 'nosuch']],
    ['drbdadm-dstate-nosuch', 'drbdadm', ['dstate', 'nosuch']],
    ['drbdadm-status-nosuch', 'drbdadm', ['status', 'nosuch']],
    ['drbdsetup-status-nosuch', 'drbdsetup', ['status', 'nosuch']],
    ['drbdsetup-status-json', 'drbdsetup', ['status', '--json']],
  ] as const)('%s', async (file, tool, argv) => {
    const s = await labSim();
    await same(s, 'dom0a', S, file, tool, [...argv]);
  });
});

describe('03-drbd-down-no-metadata: module loaded, r0 not up', () => {
  const S = '03-drbd-down-no-metadata';
  it('role/status fail like drbdsetup-84; /proc/drbd lists no minor; events2 dumps nothing', async () => {
    const s = await labSim(LAB_FLEET.replace('running=dom0a domid=1', 'running=no'));
    s.force('r0 down on dom0a', (st) => {
      const r = st.drbd.r0!;
      const { dom0a: _gone, ...rest } = r.replicas;
      return { ...st, drbd: { ...st.drbd, r0: { ...r, replicas: rest, link: 'connecting' } } };
    });
    await same(s, 'dom0a', S, 'drbdadm-role-r0', 'drbdadm', ['role', 'r0']);
    await same(s, 'dom0a', S, 'drbdadm-status-r0', 'drbdadm', ['status', 'r0']);
    await same(s, 'dom0a', S, 'drbdsetup-events2-now', 'drbdsetup', ['events2', '--now']);
    expect(readFileSync(join(s.hostRoot('dom0a'), 'proc/drbd'), 'utf8')).toBe(capture(S, 'dom0a.cat-proc-drbd').stdout);
  });
});

/** /proc/drbd without the I/O counters line (the sim does no I/O) */
const procLines = (text: string): string[] => text.split('\n').filter((l) => !l.startsWith('    ns:'));
async function sameDrbd84(s: Sim, host: string, state: string): Promise<void> {
  for (const cmd of ['role', 'cstate', 'dstate', 'status']) await same(s, host, state, `drbdadm-${cmd}-r0`, 'drbdadm', [cmd, 'r0']);
  await same(s, host, state, 'drbdadm-status', 'drbdadm', ['status']);
  await same(s, host, state, 'drbdsetup-events2-now', 'drbdsetup', ['events2', '--now']);
  expect(procLines(readFileSync(join(s.hostRoot(host), 'proc/drbd'), 'utf8'))).toEqual(procLines(capture(state, `${host}.cat-proc-drbd`).stdout));
}
/** r0 down on HOST (drbdadm down): its replica gone, the other end waiting */
const r0DownOn = (s: Sim, host: string): void =>
  s.force(`r0 down on ${host}`, (st) => {
    const r = st.drbd.r0!;
    const rest = Object.fromEntries(Object.entries(r.replicas).filter(([h]) => h !== host));
    return { ...st, drbd: { ...st.drbd, r0: { ...r, replicas: rest, link: 'connecting' } } };
  });

describe('16-peer-down: r0 down on dom0b, dom0a waits for the connection', () => {
  it('dom0a reports Connecting with replication Off; dom0b has no such resource', async () => {
    const s = await labSim(NO_GUEST);
    r0DownOn(s, 'dom0b');
    await sameDrbd84(s, 'dom0a', '16-peer-down');
    await same(s, 'dom0b', '16-peer-down', 'drbdadm-status-r0', 'drbdadm', ['status', 'r0']);
    await same(s, 'dom0b', '16-peer-down', 'drbdadm-role-r0', 'drbdadm', ['role', 'r0']);
  });
});

describe('20-split-brain-standalone: both ends StandAlone', () => {
  it('no peer section in status, no conn-name in events2, no protocol letter in /proc/drbd', async () => {
    const s = await labSim(NO_GUEST);
    expect(s.drbd('r0', 'split-brain').ok).toBe(true);
    for (const h of ['dom0a', 'dom0b']) await sameDrbd84(s, h, '20-split-brain-standalone');
  });
});

describe('05-drbd-up-inconsistent: live events2 on dom0a while the peer connects', () => {
  it('Connected, then the peer\'s role, then the peer device, each its own line', async () => {
    const S = '05-drbd-up-inconsistent';
    const s = await labSim(NO_GUEST);
    s.force('both Inconsistent, before the initial sync', (st) => {
      const r = st.drbd.r0!;
      const replicas = Object.fromEntries(Object.entries(r.replicas).map(([h, rep]) => [h, { ...rep!, disk: 'Inconsistent' as const }]));
      return { ...st, drbd: { ...st.drbd, r0: { ...r, replicas } } };
    });
    const peer = s.state().drbd.r0!.replicas.dom0b!;
    r0DownOn(s, 'dom0b');
    const live = s.start('dom0a', 'drbdsetup', ['events2', 'r0']);
    await s.advance(0);
    s.force('dom0b brings r0 up', (st) => ({ ...st, drbd: { ...st.drbd, r0: { ...st.drbd.r0!, replicas: { ...st.drbd.r0!.replicas, dom0b: peer } } } }));
    await s.advance(10_000);
    live.kill();
    await live.done;
    expect(live.stdout()).toBe(capture(S, 'dom0a.drbdsetup-events2-live-while-peer-connects').stdout);
  });
});

describe('11-migrating-a-to-b', () => {
  it('the target lists NAME--incoming with Mem 0 and VCPUs 0 while memory arrives', async () => {
    const s = await labSim();
    const m = s.start('dom0a', 'xl', ['migrate', 'tiny', 'dom0b']);
    await s.advance(0);
    const file = INCOMING.slice('dom0b.'.length);
    cpuTimes(s, M, INCOMING, 'dom0b');
    await same(s, 'dom0b', M, file, 'xl', ['list']);
    await s.advance(10_000);
    expect((await m.done).exitCode).toBe(0);
  });

  it('the source lists NAME--migratedaway ("--pss-") after the target acknowledged the copy', async () => {
    const s = await labSim();
    const m = s.start('dom0a', 'xl', ['migrate', 'tiny', 'dom0b']);
    await s.advance(200); // 128 MiB at 1024 MiB/s: copied after 125 ms, handshake ends at 325 ms
    cpuTimes(s, M, AWAY, 'dom0a');
    await same(s, 'dom0a', M, AWAY.slice('dom0a.'.length), 'xl', ['list']);
    await s.advance(10_000);
    expect((await m.done).exitCode).toBe(0);
  });

  it('the transcript is the captured one, line for line', async () => {
    const s = await labSim();
    // "(info 0x3/0x0/LEN)" counts the config xl sends: tiny as the lab configured it
    s.force('tiny from the lab config', (st) => ({ ...st, domains: st.domains.map((d) => (d.name === 'tiny' ? { ...d, guest: readCfg(LAB_TINY_CFG).guest } : d)) }));
    const m = s.start('dom0a', 'xl', ['migrate', 'tiny', 'dom0b']);
    await s.advance(10_000);
    expect((await m.done).stderr).toBe(capture(M, TRANSCRIPT).stderr);
  });
});

it('the capture directory is where we expect it', () => {
  expect(FIXTURE_ROOT.endsWith('fixtures')).toBe(true);
});
