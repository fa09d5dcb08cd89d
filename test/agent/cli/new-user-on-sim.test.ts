import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/sim.js';
import { buildAgent, runAsync } from '../run/agent-process.js';
import { DB1_ON_XEN2, pairFleet } from '../../harness/pair-fleet.js';

// What a newcomer meets first, as processes (the built bundle) on the simulator: `status` and
// `reconcile` on the Dom0 holding a standby replica, unknown names, `--help` of every subcommand
// (the forced command's included) and missing arguments named.
const FLEET = pairFleet({ bandwidth: 65536, more: DB1_ON_XEN2 });

let agent: { path: string; cleanup: () => void };
let sim: Sim | undefined;
beforeAll(() => {
  agent = buildAgent();
}, 120_000);
afterAll(() => agent?.cleanup());
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const onSim = async (): Promise<Sim> => (sim = await startSim({ fleet: FLEET, clock: 'real' }));
const cli = (s: Sim, host: string, args: string[], extra: Record<string, string> = {}) => runAsync(process.execPath, [agent.path, ...args], { ...s.env(host), ...extra });
/** no simulator: commands that must answer before touching the host */
const bare = (args: string[], env: Record<string, string> = {}) => runAsync(process.execPath, [agent.path, ...args], { PATH: '/usr/bin:/bin', ...env });

interface StatusJson {
  domus: { name: string; place: string; home: string | null; replicas: string[]; here: string | null }[];
  mismatches: unknown[];
}

describe('status and reconcile on the Dom0 holding a standby replica', () => {
  it("status db1 on xen1 (db1's DRBD partner) answers: standby, replica of r2, home xen2 (exit 0)", async () => {
    const s = await onSim();
    const text = await cli(s, 'xen1', ['status', 'db1']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}db1 +standby: replica of r2, home xen2, not running here$/m);
    // words an operator can act on: the ledger's file, not an internal write counter
    expect(text.stdout.split('\n')[0]).toBe('xen1: 1 domU(s) (ledger /var/lib/xenherd/ledger.json)');
    const json = await cli(s, 'xen1', ['status', 'db1', '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as StatusJson).domus).toEqual([expect.objectContaining({ name: 'db1', place: 'standby', home: 'xen2', replicas: ['r2'], here: null })]);
    const all = await cli(s, 'xen1', ['status', 'ALL', '--json']);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as StatusJson).domus.map((d) => [d.name, d.place])).toEqual([
      ['db1', 'standby'],
      ['web1', 'home'],
    ]);
  }, 60_000);

  it('status and reconcile of a name nothing here knows: XH_ERR_NOT_FOUND, exit 1', async () => {
    const s = await onSim();
    const st = await cli(s, 'xen1', ['status', 'nosuch']);
    expect(st.code).toBe(1);
    expect(st.stderr).toContain('XH_ERR_NOT_FOUND: nosuch is not known on xen1');
    const rec = await cli(s, 'xen1', ['reconcile', 'nosuch']);
    expect(rec.code).toBe(1);
    expect(rec.stdout).toBe('');
    expect(rec.stderr).toMatch(/^xenherd-agent: XH_ERR_NOT_FOUND: unknown domU nosuch on xen1: /);
    const recJson = await cli(s, 'xen1', ['reconcile', 'nosuch', '--json']);
    expect(JSON.parse(recJson.stdout)).toMatchObject({ ok: false, code: 'XH_ERR_NOT_FOUND' });
    // the name in another case: the same refusal, saying which name was meant (xl takes it exactly)
    const upper = await cli(s, 'xen1', ['status', 'WEB1']);
    expect([upper.code, upper.stderr]).toEqual([1, 'xenherd-agent: XH_ERR_NOT_FOUND: WEB1 is not known on xen1: not homed here, not in the ledger, not running here, no standby replica here (domU names are case-sensitive: did you mean web1?)\n']);
    const recUpper = await cli(s, 'xen1', ['reconcile', 'Db1']);
    expect([recUpper.code, recUpper.stderr]).toEqual([1, expect.stringMatching(/^xenherd-agent: XH_ERR_NOT_FOUND: unknown domU Db1 on xen1: .*\(domU names are case-sensitive: did you mean db1\?\)\n$/)]);
    expect(st.stderr).not.toContain('did you mean');
    // a standby replica is known here: nothing to reconcile, exit 0
    const db1 = await cli(s, 'xen1', ['reconcile', 'db1']);
    expect(db1.code).toBe(0);
    expect(db1.stdout).toContain('nothing to reconcile');
  }, 60_000);

  it('a domain xl lists that has stopped (the sending half left by a migration that broke off) is listed here, not running', async () => {
    const s = await onSim();
    s.force('web1 suspended, renamed as xl migrate leaves its sending half', (st) => ({ ...st, domains: st.domains.map((d) => (d.name === 'web1' ? { ...d, name: 'web1--migratedaway', run: 'suspended' as const } : d)) }));
    const r = await cli(s, 'xen1', ['status', 'web1']);
    expect(r.stdout).toMatch(/^ {2}web1 +home, listed here as a migration's half, not running \(shutdown \(web1--migratedaway\)\) {2}\[peer xen2\]$/m);
  }, 60_000);

  it('status text escapes what xl list printed', async () => {
    const s = await onSim();
    s.force('a hostile domain name', (st) => ({ ...st, domains: [...st.domains, { ...st.domains.find((d) => d.name === 'web1')!, name: 'evil\x1b[2J\u202e1', domid: 77 }] }));
    const r = await cli(s, 'xen1', ['status', 'ALL']);
    expect(r.stdout).toContain('evil\\x1b[2J\\u{202e}1');
    // and the escaped name is padded, so what follows it starts in the same column as for the others
    const column = (name: string): number => {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`  ${name} `)) ?? '';
      return line.length - line.slice(2 + name.length).trimStart().length;
    };
    expect(column('evil\\x1b[2J\\u{202e}1')).toBe(column('web1'));
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
  }, 60_000);
});

describe('--help and missing arguments', () => {
  const COMMANDS = ['run', 'autostart', 'inventory', 'status', 'migrate', 'reverse', 'reconcile', 'ping', 'migrate2', 'keys'];

  it.each(COMMANDS)('%s --help: exit 0, what it does first, then the usage', async (cmd) => {
    const r = await bare([cmd, '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [first, ...rest] = r.stdout.split('\n');
    expect(first).not.toMatch(/^usage:/);
    expect(first?.length).toBeGreaterThan(20);
    expect(rest.join('\n')).toMatch(new RegExp(`^usage: xenherd-agent ${cmd}`, 'm'));
  });

  it('migrate2 --help typed by an operator is help; under sshd (SSH_ORIGINAL_COMMAND set) the gate still refuses it', async () => {
    const help = await bare(['migrate2', '-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^The ssh forced command/);
    const forced = await bare(['migrate2', '--help'], { SSH_ORIGINAL_COMMAND: 'ping' });
    expect(forced.code).toBe(64);
    expect(JSON.parse(forced.stdout.trim())).toMatchObject({ t: 'result', ok: false, code: 'XH_ERR_USAGE' });
    const withPeer = await bare(['migrate2', '--peer', 'xen1', '--help']);
    expect(withPeer.code).toBe(64);
    expect(withPeer.stdout).toContain('"t":"result"');
  });

  it.each([
    [['keys', 'setup'], 'keys setup PEER: PEER is missing'],
    [['keys'], 'keys setup PEER: setup and PEER are missing'],
    [['reverse'], 'reverse NAME: NAME is missing'],
    [['reconcile'], 'reconcile NAME: NAME is missing'],
    [['ping'], 'ping HOST: HOST is missing'],
    [['migrate'], 'migrate NAME [HOST]: NAME is missing'],
    [['status', 'a', 'b'], 'status [ALL|NAME]: unexpected argument "b"'],
  ])('%j names what is wrong', async (args, message) => {
    const r = await bare(args);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(`xenherd-agent: XH_ERR_USAGE: ${message} (see xenherd-agent ${args[0]} --help)\n`);
  });

  it('keys with an unknown first word names that word, not a missing PEER', async () => {
    const r = await bare(['keys', 'frob', 'xen2']);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe('xenherd-agent: XH_ERR_USAGE: unknown keys subcommand "frob" (keys setup PEER)\n');
  });
});
