import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostNameRecordFile, recordedHostName, saveHostName } from '../../../agent/run/host-name-record.js';
import { AgentStatusSchema } from '../../../shared/protocol/agent-control.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'xh-hostname-'));
  dirs.push(d);
  return d;
};
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the host-name record', () => {
  it('gives the recorded name back while the kernel name is unchanged, and nothing once it changed', () => {
    const file = hostNameRecordFile(tempDir());
    expect(recordedHostName(file, 'node7')).toEqual({ host: null, problem: null });
    expect(saveHostName(file, 'node7', 'xen1')).toBeNull();
    expect(recordedHostName(file, 'node7')).toEqual({ host: 'xen1', problem: null });
    expect(recordedHostName(file, 'node8')).toEqual({ host: null, problem: null });
  });

  it('writes only when the record would change', () => {
    const file = hostNameRecordFile(tempDir());
    saveHostName(file, 'node7', 'xen1');
    const before = statSync(file).ino;
    saveHostName(file, 'node7', 'xen1');
    expect(statSync(file).ino).toBe(before);
    saveHostName(file, 'node7', 'xen2');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ kernel: 'node7', host: 'xen2' });
  });

  it('ignores a record it cannot trust, saying why, and never writes a name it could not read back', () => {
    const file = hostNameRecordFile(tempDir());
    for (const text of ['not json', '{"kernel":"node7"}', '{"kernel":"node7","host":"../etc"}', '{"kernel":"node7","host":"xen1","extra":1}']) {
      writeFileSync(file, text);
      const r = recordedHostName(file, 'node7');
      expect(r.host).toBeNull();
      expect(r.problem).toMatch(/not a host-name record/);
    }
    const other = hostNameRecordFile(tempDir());
    expect(saveHostName(other, 'bad name', 'xen1')).toBeNull();
    expect(recordedHostName(other, 'bad name')).toEqual({ host: null, problem: null });
  });
});

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no' });

const infoRuns = (f: Fleet): number[] => f.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xl' && c.argv[0] === 'info').map((c) => c.at);

describe('an agent named by its record (in process)', () => {
  it('decides before any `xl info`, reads it after READY, and starts what is safe', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    const a = f.startAgent('xen1', undefined, 'xen1');
    const ready = await f.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
    await f.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    await f.until(() => infoRuns(f).length > 0, 'xl info after READY');
    expect(Math.min(...infoRuns(f))).toBeGreaterThanOrEqual(ready.time);
    const r = await a.control({ op: 'status' });
    if (!r.ok) throw new Error(r.error.message);
    expect(AgentStatusSchema.parse(r.status).host).toBe('xen1');
    expect(a.logs.filter((l) => /names this host/.test(l.msg))).toEqual([]);
  });

  it('takes the toolstack’s name when it differs from the record, says so, and decides again', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    const a = f.startAgent('xen1', undefined, 'oldname');
    const said = await f.log('xen1', (l) => /the toolstack names this host xen1, not oldname/.test(l.msg), 'the rename logged');
    expect(said.level).toBe(40);
    const r = await a.control({ op: 'status' });
    if (!r.ok) throw new Error(r.error.message);
    expect(AgentStatusSchema.parse(r.status).host).toBe('xen1');
  });

  it('spawns drbdsetup events2 before the first read, and the domain watch only at READY', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    f.startAgent('xen1');
    const ready = await f.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
    await f.until(() => f.sim.commandLog.some((c) => c.host === 'xen1' && c.tool === 'xenstore-watch'), 'the domain watch');
    const runs = f.sim.commandLog.filter((c) => c.host === 'xen1');
    const first = (tool: string, verb?: string): number => runs.findIndex((c) => c.tool === tool && (verb === undefined || c.argv[0] === verb));
    expect(first('drbdsetup', 'events2')).toBeGreaterThanOrEqual(0);
    expect(first('drbdsetup', 'events2')).toBeLessThan(first('xl', 'list'));
    expect(runs[first('xenstore-watch')]?.at).toBeGreaterThanOrEqual(ready.time);
  });
});
