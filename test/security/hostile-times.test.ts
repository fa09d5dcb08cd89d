import { describe, expect, it } from 'vitest';
import { dom, guarded, hostState } from '../controller/states.js';
import { controllerBed } from '../controller/api/controller-bed.js';
import { ctlFor } from '../controller/ctl/ctl-bed.js';
import { until } from '../helpers/until.js';

// An enrolled agent's times are outside input: one past what a Date holds (or one that its clock's
// offset pushes past it) must not make the controller throw while an operator reads the fleet,
// which ended the process for every operator and agent at once.
const bed = controllerBed();
const FAR = '+275760-09-13T00:00:00.000Z';

describe('times from an agent beyond what a Date holds', () => {
  it("a message time past a Date's range is a malformed message: the link is refused, the controller answers on", async () => {
    const c = await bed.start();
    const xen9 = await c.agent('xen9');
    xen9.hello();
    xen9.send({ type: 'snapshot', seq: 1, at: Number.MAX_SAFE_INTEGER, state: hostState({ domains: [dom('web1')] }) });
    await until(() => xen9.closed !== null, 'the link closed', { limitMs: 10_000 });
    expect(xen9.closed?.code).toBe(1002);
    const r = await ctlFor(c)(['hosts']);
    expect(r.code).toBe(0);
  });

  it('a guarded since of year 275760 from an agent an hour behind: where answers it and the controller lives on', async () => {
    const c = await bed.start();
    const xen9 = await c.agent('xen9');
    xen9.hello();
    xen9.send({ type: 'snapshot', seq: 1, at: Date.now() - 3_600_000, state: hostState({ domains: [dom('web1')], guarded: [guarded('web1', [], { since: FAR })] }) });
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen9' && h.reported), 'xen9 reported', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const where = await ctl(['where', 'web1']);
    expect([where.code, where.stderr]).toEqual([0, '']);
    expect(where.stdout).toMatch(/^web1\s+xen9\s+running/);
    const json = await ctl(['where', '--json', 'web1']);
    expect(json.code).toBe(0);
    expect(json.stdout).toContain(FAR);
    for (const cmd of [['status'], ['check'], ['domains'], ['hosts']]) expect((await ctl(cmd)).code, cmd.join(' ')).not.toBe(87);
  });

  it('a throw inside a view (a bug) answers that request 500, logged; the controller answers the next ones', async () => {
    const c = await bed.start();
    const where = c.core.where.bind(c.core);
    c.core.where = () => {
      throw new RangeError('Invalid time value');
    };
    const ctl = ctlFor(c);
    const r = await ctl(['where', 'web1']);
    expect(r.code).toBe(71);
    expect(r.stderr).toMatch(/XH_ERR_INTERNAL: the controller failed to answer \(a bug in xenherd, logged on the controller\)/);
    expect(c.events('api-internal-error')).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/where', msg: expect.stringContaining('Invalid time value') })]);
    c.core.where = where;
    expect((await ctl(['hosts'])).code).toBe(0);
  });
});
