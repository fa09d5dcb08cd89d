import { describe, expect, it } from 'vitest';
import { buildInventory, type InventoryParts } from '../../../agent/inventory/build.js';
import { renderInventoryText } from '../../../agent/inventory/render-text.js';
import { parseDomuConfig } from '../../../agent/parse/domu-config.js';
import { configUnsafe, type ConfigPlace } from '../../../agent/decide/config-safety.js';
import { InventorySchema, type DrbdResourceView, type InventoryDomain } from '../../../shared/inventory.js';

// The inventory as data and as text: what was read, and — as plainly — what could not be.
const dom = (name: string): InventoryDomain => ({ name, baseName: name, domid: 3, memMiB: 1024, vcpus: 2, stateLetters: '-b----', state: 'blocked', shutdownReason: null, migration: null, cpuTimeS: 1 });
const web1 = parseDomuConfig("name = 'web1'\nmemory = 1024\nvcpus = 2\ndisk = [ 'drbd:r1,xvda,w' ]\n", '/etc/xen/drbd-auto/web1.cfg', { dialect: 'xl' });
if (!web1.ok) throw new Error(web1.error.message);
// an 8.4 pair at rest: drbd-utils prints an 8.4 volume's replication as Established once connected
const r = (name: string, role: DrbdResourceView['role'], peerRole: DrbdResourceView['peerRole']): DrbdResourceView => ({
  name, up: true, role, peerRole, connection: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate',
  peers: [{ name: 'peer', role: peerRole, connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null }],
});

// who can change web1.cfg, as the host adapter reads it: the config at FILEMODE, its dirs 0755, all root's
const placeOf = (fileMode: number): ConfigPlace => ({
  file: { path: '/etc/xen/drbd-auto/web1.cfg', st: { mode: 0o100000 | fileMode, uid: 0 } },
  dirs: ['/etc/xen/drbd-auto', '/etc/xen', '/etc', '/'].map((path) => ({ path, st: { mode: 0o040755, uid: 0 } })),
  ownUid: 0,
});

const parts = (over: Partial<InventoryParts> = {}): InventoryParts => ({
  fallbackHost: 'kernel-name',
  takenAt: new Date(0),
  configFile: null,
  toolstack: { kind: 'xl', info: null },
  domains: [dom('Domain-0'), dom('web1')],
  drbd: { availability: 'ok', version: '8.4.11', resources: [r('r1', 'Primary', 'Secondary'), r('r2', 'Secondary', 'Primary')], unreadable: [] },
  guardedDir: '/etc/xen/drbd-auto',
  guardedFiles: [{ file: '/etc/xen/drbd-auto/web1.cfg', config: web1.value, error: null, place: placeOf(0o644) }],
  configDir: '/etc/xen',
  standby: [{ name: 'db1', configPath: '/etc/xen/db1.cfg', drbdResources: ['r2'], home: 'xen2', otherHosts: ['xen2'] }],
  problems: [],
  ...over,
});

describe('inventory: standby replicas', () => {
  it('lists them in JSON (schema-valid) and in the text, with their DRBD state', () => {
    const inv = buildInventory(parts());
    expect(InventorySchema.parse(inv).standby).toEqual([{ name: 'db1', configPath: '/etc/xen/db1.cfg', drbdResources: ['r2'], home: 'xen2', otherHosts: ['xen2'], runningHere: false }]);
    const text = renderInventoryText(inv);
    expect(text).toContain('standby domUs (replicas of domUs homed on another Dom0, configs in /etc/xen):');
    expect(text).toContain('  db1: standby: replica of r2, home xen2, not running here');
    expect(text).toContain('    r2: local Secondary UpToDate | peer Primary Connected UpToDate');
  });

  it('says when the home cannot be told from the .res files', () => {
    const text = renderInventoryText(buildInventory(parts({ standby: [{ name: 'nine1', configPath: '/etc/xen/nine1.cfg', drbdResources: ['r2'], home: null, otherHosts: ['xen2', 'xen3'] }] })));
    expect(text).toContain('nine1: standby: replica of r2, home not known (its resources also name xen2, xen3), not running here');
  });
});

describe('inventory: a failed read is shown as unknown, never as absent', () => {
  it('domains that could not be listed: null, and every runningHere null; the text says unknown', () => {
    const inv = buildInventory(parts({ domains: null, problems: [{ code: 'XH_ERR_TOOL_NOT_FOUND', source: 'xm list', message: 'xm: not found on PATH' }] }));
    InventorySchema.parse(inv);
    expect(inv.domains).toBeNull();
    expect(inv.guarded[0]?.runningHere).toBeNull();
    expect(inv.standby[0]?.runningHere).toBeNull();
    const text = renderInventoryText(inv);
    expect(text).toContain('domains: unknown: the toolstack could not list them (see problems)');
    expect(text).toContain('web1: running here unknown (domains not listed), 1024 MiB, 2 vcpus');
    expect(text).toContain('db1: standby: replica of r2, home xen2, running here unknown (domains not listed)');
    expect(text).not.toContain('not running here');
  });

  it('a DRBD resource that could not be read is "could not be read", not "not known to DRBD"', () => {
    const text = renderInventoryText(buildInventory(parts({ drbd: { availability: 'ok', version: '8.4.11', resources: [], unreadable: ['r1'] } })));
    expect(text).toContain('r1: state could not be read (see problems)');
    expect(text).not.toContain('r1: not known to DRBD');
  });

  it('a DRBD check that failed is "unknown", not "tools not installed"', () => {
    const inv = buildInventory(parts({ drbd: { availability: 'unknown', version: null, resources: [], unreadable: [] } }));
    InventorySchema.parse(inv);
    const text = renderInventoryText(inv);
    expect(text).toContain('DRBD state unknown (see problems)');
    expect(text).toContain('    r1: state not read: DRBD could not be checked (see problems)');
    expect(text).not.toContain('not installed');
    expect(text).not.toContain('not known to DRBD');
  });
});

describe('inventory: what it read its settings from', () => {
  it('names the agent config file, or says the defaults apply', () => {
    expect(renderInventoryText(buildInventory(parts({ configFile: '/etc/xenherd/agent.json' })))).toContain('config /etc/xenherd/agent.json');
    expect(renderInventoryText(buildInventory(parts()))).toContain('config: none, defaults apply');
  });
});

describe('inventory text: names from other machines cannot steer the terminal', () => {
  it('escapes control and bidi characters in domain, DRBD peer and problem text', () => {
    const evil = dom('web\x1b[2J\u202e1');
    const peerNamed: DrbdResourceView = { ...r('r1', 'Primary', 'Secondary'), peers: [{ name: 'xen\x072', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: null, syncedPercent: null }] };
    const text = renderInventoryText(
      buildInventory(parts({ domains: [evil], drbd: { availability: 'ok', version: '8.4.11', resources: [peerNamed], unreadable: [] }, problems: [{ code: 'XH_ERR_TOOL_FAILED', source: 'xl list', message: 'bad\rline' }] })),
    );
    expect(text).toContain('web\\x1b[2J\\u{202e}1');
    expect(text).toContain('xen\\x072');
    expect(text).toContain('bad\\x0dline');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
  });
});

describe('inventory: a guarded config others can change', () => {
  it('is a problem naming the file and the fix, as the agent does not start it', () => {
    const why = configUnsafe(placeOf(0o666));
    const inv = buildInventory(parts({ guardedFiles: [{ file: '/etc/xen/drbd-auto/web1.cfg', config: web1.value, error: null, place: placeOf(0o666) }] }));
    expect(InventorySchema.safeParse(inv).success).toBe(true);
    expect(inv.problems).toContainEqual({ code: 'XH_ERR_CONFIG', source: '/etc/xen/drbd-auto/web1.cfg', message: why });
    expect(renderInventoryText(inv)).toContain('chmod go-w /etc/xen/drbd-auto/web1.cfg');
  });
});
