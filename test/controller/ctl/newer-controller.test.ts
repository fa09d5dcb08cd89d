import { describe, expect, it } from 'vitest';
import { CommandEventSchema, HostsAnswerSchema, WhereAnswerSchema } from '../../../shared/protocol/ctl-api.js';
import { JobEventSchema, PlanSchema } from '../../../shared/protocol/ctl-jobs.js';
import { ndjson, run } from './newer-controller-bed.js';

// A controller upgraded before the operators' xenherdctl: its answers carry fields and kinds this
// xenherdctl has never heard of. What it knows it shows as before; what it does not know it
// leaves out (a field) or shows by the answer's own words (a kind); what is wrong is still refused.
const AT = 1_700_000_000_000;
const domain = { name: 'web01', baseName: 'web01', domid: 3, state: 'running', memMiB: 1024, vcpus: 2, migration: null };
const match = { name: 'web01', places: [{ host: 'xen1', domain, reachable: true, ageMs: 1000 }], home: 'xen1', homeClaims: ['xen1'], away: null, visitor: null, autostart: [], midMigration: false, alerts: [], ageMs: 1000, reachable: true };
const where = WhereAnswerSchema.parse({ at: AT, pattern: 'web01', matches: [match] });
const newerWhere = { ...where, shard: 'eu-1', matches: [{ ...match, tags: ['web'], places: [{ ...match.places[0], domain: { ...domain, cpuPool: 'fast' }, numa: 0 }] }] };

const hostRow = {
  host: 'xen1', reachable: true, linkUp: true, lastSeen: AT - 1000, ageMs: 1000, bootId: 'b0a1b2c3d4', agentVersion: '1.4.0', toolstack: 'xl',
  memory: { totalMiB: 65536, freeMiB: 30000 }, maintenance: { state: 'online', operationId: null, owner: null }, maintenanceSince: AT - 60_000, domains: 1, homes: 1, reported: true, view: 'current',
};
const hosts = HostsAnswerSchema.parse({ at: AT, hosts: [hostRow], startedAt: AT - 3_600_000 });
const newerHosts = { ...hosts, site: 'dc2', hosts: [{ ...hostRow, kernel: '6.1.0', memory: { ...hostRow.memory, sharedMiB: 12 } }] };

describe('xenherdctl reads a newer controller: fields it does not know are left out', () => {
  it('where: an extra field at the top, in a match, a place and its domain: the same line, exit 0', async () => {
    const before = await run({ '/where': JSON.stringify(where) }, ['where', 'web01']);
    expect(before.code).toBe(0);
    const r = await run({ '/where': JSON.stringify(newerWhere) }, ['where', 'web01']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(before.stdout);
    expect(r.stdout).toMatch(/^web01 +xen1 +running +home xen1/);
    // --json passes on what it read: the fields it does not know are not in it
    const json = await run({ '/where': JSON.stringify(newerWhere) }, ['where', 'web01', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ pattern: 'web01', matches: [{ name: 'web01', places: [{ host: 'xen1' }] }] });
    expect(json.stdout).not.toMatch(/shard|tags|numa|cpuPool/);
  });

  it('hosts: an extra field at the top, in a row and in its memory: the same table, exit 0', async () => {
    const before = await run({ '/hosts': JSON.stringify(hosts) }, ['hosts']);
    expect(before.code).toBe(0);
    const r = await run({ '/hosts': JSON.stringify(newerHosts) }, ['hosts']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(before.stdout);
    expect(r.stdout).toMatch(/\nxen1 +reachable .*30000\/65536 MiB/);
  });

  it('what is there but wrong is still refused: a known field of the wrong type is XH_ERR_PROTOCOL (89), naming it', async () => {
    const wrong = { ...newerWhere, matches: [{ ...newerWhere.matches[0], ageMs: 'a second' }] };
    const r = await run({ '/where': JSON.stringify(wrong) }, ['where', 'web01']);
    expect(r.code).toBe(89);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/XH_ERR_PROTOCOL: the controller's answer is not what this xenherdctl expects \(matches\.0\.ageMs: .*\): are both the same version\?/);
    const badHosts = { ...newerHosts, hosts: [{ ...newerHosts.hosts[0], memory: { totalMiB: '64 GiB', freeMiB: 30000, sharedMiB: 12 } }] };
    const h = await run({ '/hosts': JSON.stringify(badHosts) }, ['hosts']);
    expect(h.code).toBe(89);
    expect(h.stderr).toMatch(/\(hosts\.0\.memory\.totalMiB: .*\): are both the same version\?/);
  });
});

const move = { name: 'web01', from: 'xen1', to: 'xen2', memMiB: 1024, vcpus: 2, why: 'evacuate' };
const plan = PlanSchema.parse({ kind: 'drain', hosts: ['xen1'], sets: [[move]], leftovers: [] });
const newerPlan = {
  ...plan,
  leftovers: [
    { name: 'db1', host: 'xen1', blocker: { kind: 'gpu-passthrough', device: '0000:01:00.0' }, message: 'db1 has a GPU passed through on xen1: only a cold move takes it', since: AT },
    // a kind this xenherdctl knows, with a reason a host is unavailable that it does not
    { name: 'db2', host: 'xen1', blocker: { kind: 'targets-unavailable', targets: [{ host: 'xen3', why: 'quarantined' }] }, message: 'db2: xen3, its only other replica, is quarantined' },
  ],
};

describe('xenherdctl reads a newer controller: kinds it does not know are shown by their message', () => {
  it('plan: leftovers of an unknown blocker kind, or an unknown host block, print their messages; exit 1 (the plan does not reach its goal)', async () => {
    const r = await run({ '/plan': JSON.stringify(newerPlan) }, ['plan', 'drain', 'xen1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'drain xen1: 1 move(s) in 1 set(s), 2 domU(s) cannot leave\n' +
        'SET  DOMU   FROM  TO    MEM       WHY\n' +
        '1    web01  xen1  xen2  1024 MiB  evacuate\n' +
        'cannot leave (2):\n' +
        '  db1 has a GPU passed through on xen1: only a cold move takes it\n' +
        '  db2: xen3, its only other replica, is quarantined\n',
    );
    // --json passes a blocker on as sent: xenherdctl reads nothing of it but its kind
    const json = await run({ '/plan': JSON.stringify(newerPlan) }, ['plan', 'drain', 'xen1', '--json']);
    expect((JSON.parse(json.stdout) as { leftovers: { blocker: unknown }[] }).leftovers.map((l) => l.blocker)).toEqual(newerPlan.leftovers.map((l) => l.blocker));
  });

  it('plan roll: each host\'s step where a roll of them stopped, one this build does not know shown as sent; exit 0', async () => {
    const roll = { kind: 'roll', groups: [{ hosts: ['xen2'], domus: 1, memMiB: 1024 }], leftovers: [], steps: [{ host: 'xen1', step: 'done' }, { host: 'xen2', step: 'reboot' }, { host: 'xen3', step: 'firmware-first' }] };
    const r = await run({ '/plan': JSON.stringify(roll) }, ['plan', 'roll', 'xen1', 'xen2', 'xen3']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      'roll: 1 group(s), each drained, rebooted and restored in turn\n' +
        'GROUP  TO DRAIN  MEM TO DRAIN  HOSTS\n' +
        '1      1         1024 MiB      xen2\n' +
        'taken up where a roll of them stopped:\n' +
        'HOST  GROUP  NOW\n' +
        'xen1  -      skip: done (rolled before the roll stopped, still on that boot)\n' +
        'xen2  1      reboot only (empty and in maintenance since the roll emptied it)\n' +
        'xen3  -      firmware-first\n',
    );
  });

  it('plan roll: a step named like a property every object has (constructor, a lower-case word) is shown as sent, exit 0', async () => {
    const roll = { kind: 'roll', groups: [{ hosts: ['xen2'], domus: 1, memMiB: 1024 }], leftovers: [], steps: [{ host: 'xen1', step: 'constructor' }, { host: 'xen2', step: 'reboot' }] };
    const r = await run({ '/plan': JSON.stringify(roll) }, ['plan', 'roll', 'xen1', 'xen2']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n').slice(4, 7)).toEqual(['HOST  GROUP  NOW', 'xen1  -      constructor', 'xen2  1      reboot only (empty and in maintenance since the roll emptied it)']);
  });

  it('a blocker kind that is not a word, or a move the plan says nothing sensible of, is still refused (89)', async () => {
    const notWord = { ...newerPlan, leftovers: [{ ...newerPlan.leftovers[0], blocker: { kind: 'GPU \u001b[31m' } }] };
    const r = await run({ '/plan': JSON.stringify(notWord) }, ['plan', 'drain', 'xen1']);
    expect(r.code).toBe(89);
    expect(r.stderr).toMatch(/\(leftovers\.0\.blocker\.kind: a lower-case word .*\): are both the same version\?/);
    const badMove = { ...newerPlan, sets: [[{ ...move, memMiB: -1 }]] };
    expect((await run({ '/plan': JSON.stringify(badMove) }, ['plan', 'drain', 'xen1'])).code).toBe(89);
  });
});

describe('xenherdctl follows a newer controller’s streams', () => {
  it('migrate: command events with fields it does not know are followed to the result, exit 0', async () => {
    const known = [
      { type: 'accepted', commandId: 'c1', operationId: 't1', host: 'xen1' },
      { type: 'progress', line: 'step 1' },
      { type: 'result', ok: true, code: null, message: 'web01 migrated', detail: null },
    ];
    for (const e of known) CommandEventSchema.parse(e);
    const [accepted, progress, result] = known;
    const events = [{ ...accepted, queuedMs: 5 }, { ...progress, at: AT }, { ...result, elapsedMs: 4000, route: { via: 'xen1' } }];
    const r = await run({ '/commands': ndjson(events) }, ['migrate', 'web01', 'xen2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('migrate web01: sent to the agent of xen1 (operation t1)\nstep 1\nweb01 migrated\n');
  });

  it('a job: extra fields, a move phase and a note level it does not know: each shown, the end decides (0)', async () => {
    const known = [
      { type: 'job', jobId: 'j1', kind: 'drain', hosts: ['xen1'], operationId: 'op1', by: 'ops', startedAt: AT, attached: false },
      { type: 'plan', plan },
      { type: 'move', name: 'web01', from: 'xen1', to: 'xen2', memMiB: 1024, phase: 'started', attempt: 1, elapsedMs: 0, line: null },
      { type: 'move', name: 'web01', from: 'xen1', to: 'xen2', memMiB: 1024, phase: 'moved', attempt: 1, elapsedMs: 4000, line: null },
      { type: 'end', ok: true, code: null, message: 'xen1 drained', moved: 1, remaining: [] },
    ];
    for (const e of known) JobEventSchema.parse(e);
    const [job, planEvent, started, moved, end] = known;
    const events = [
      { ...job, priority: 'high' },
      { ...planEvent, plan: { ...plan, estimateMs: 4000 } },
      { ...started, bandwidthMiBs: 900 },
      { type: 'move', name: 'web01', from: 'xen1', to: 'xen2', memMiB: 1024, phase: 'throttled', attempt: 1, elapsedMs: 2000, line: 'dirty pages' },
      { type: 'note', level: 'debug', line: 'xen2 is fast today' },
      moved,
      { ...end, durationMs: 4000 },
    ];
    const r = await run({ '/jobs': ndjson(events) }, ['drain', 'xen1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(lines).toEqual([
      'drain xen1: job j1',
      'drain xen1: 1 move(s) in 1 set(s)',
      'SET  DOMU   FROM  TO    MEM       WHY',
      '1    web01  xen1  xen2  1024 MiB  evacuate',
      'web01: xen1 → xen2 started',
      'web01: throttled: dirty pages',
      'xen2 is fast today',
      'web01: moved xen1 → xen2 after 4.0 s',
      'xen1 drained',
      '',
    ]);
  });

  it('an end whose code this xenherdctl does not know is refused, not guessed: 89', async () => {
    const events = [{ type: 'end', ok: false, code: 'XH_ERR_SOMETHING_NEW', message: 'it did not work', moved: 0, remaining: [] }];
    const r = await run({ '/jobs': ndjson(events) }, ['drain', 'xen1']);
    expect(r.code).toBe(89);
    expect(r.stderr).toMatch(/XH_ERR_PROTOCOL: the controller streamed a line that is not a job event/);
  });
});
