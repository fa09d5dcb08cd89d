import { describe, expect, it } from 'vitest';
import { asReported, requestAsReported } from '../../../controller/fleet/host-spelling.js';
import { apiRequest, bearer } from '../../security/api-request.js';
import { dom, hostState } from '../states.js';
import { controllerBed } from './controller-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

describe('host names compare without case, as DNS names do', () => {
  const known = ['XEN01.dc1.example.org', 'xen2', 'a1', 'A1'];

  it('a name differing only in case from exactly one known host is that host, as its agent spells it', () => {
    expect(asReported(known, 'xen01.DC1.example.org')).toBe('XEN01.dc1.example.org');
    expect(asReported(known, 'XEN2')).toBe('xen2');
    expect(asReported(known, 'xen2')).toBe('xen2');
    // two hosts alike but for case (an agent renamed, say): neither is guessed at
    expect(asReported(known, 'a1')).toBe('a1');
    expect(asReported(known, 'A1')).toBe('A1');
    expect(asReported(known, 'nope')).toBe('nope');
  });

  it('every host an operator request names: migrate target, job and plan hosts', () => {
    expect(requestAsReported(known, { op: 'migrate', name: 'web1', target: 'XEN2' })).toEqual({ op: 'migrate', name: 'web1', target: 'xen2' });
    expect(requestAsReported(known, { op: 'migrate', name: 'web1', target: null })).toEqual({ op: 'migrate', name: 'web1', target: null });
    expect(requestAsReported(known, { op: 'reverse', name: 'WEB1' })).toEqual({ op: 'reverse', name: 'WEB1' });
    expect(requestAsReported(known, { kind: 'maintenance', host: 'Xen2', on: true })).toEqual({ kind: 'maintenance', host: 'xen2', on: true });
    expect(requestAsReported(known, { kind: 'drain', hosts: ['xen01.dc1.example.org', 'XEN2'] })).toEqual({ kind: 'drain', hosts: ['XEN01.dc1.example.org', 'xen2'] });
  });

  it('over the real API: domains?host= and a plan find the host typed in another case', async () => {
    const c = await bed.start();
    const a = await c.agent('xen1');
    a.hello();
    a.snapshot(hostState({ domains: [dom('web1')] }));
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported), 'xen1 reported', { limitMs: 10_000 });
    const domains = await apiRequest(c, { method: 'GET', path: '/v1/domains?host=XEN1', headers: bearer(c.adminToken) });
    expect('status' in domains && [domains.status, (JSON.parse(domains.body) as { domains: { name: string }[] }).domains.map((d) => d.name)]).toEqual([200, ['web1']]);
    const plan = await apiRequest(c, { method: 'POST', path: '/v1/plan', headers: { ...bearer(c.adminToken), 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'drain', hosts: ['Xen1'] }) });
    expect('status' in plan && [plan.status, (JSON.parse(plan.body) as { hosts: string[] }).hosts]).toEqual([200, ['xen1']]);
  });
});
