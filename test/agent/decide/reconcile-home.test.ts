import { describe, expect, it } from 'vitest';
import { homeAmongReplicas, type ResourceHosts } from '../../../agent/decide/reconcile-home.js';

// reconcile --home NAME's home: one of the hosts its DRBD resources' files name, spelled as they do.
const r1: ResourceHosts = new Map([['r1', { hosts: ['xen1', 'xen2'], file: '/etc/drbd.d/r1.res' }]]);

describe('homeAmongReplicas', () => {
  it('a host the .res file names: taken, in the file\'s spelling', () => {
    expect(homeAmongReplicas('web1', 'xen1', r1)).toEqual({ ok: true, value: 'xen1' });
    expect(homeAmongReplicas('web1', 'XEN1', r1)).toEqual({ ok: true, value: 'xen1' });
  });
  it('a host no file names: refused (77), naming the resource, its file and its hosts', () => {
    expect(homeAmongReplicas('web1', 'xen3', r1)).toEqual({ ok: false, error: { code: 'XH_ERR_REFUSED', message: "--home xen3: xen3 holds no replica of web1's DRBD resource r1 (/etc/drbd.d/r1.res names xen1, xen2): web1's home is one of those; nothing was changed" } });
    const two: ResourceHosts = new Map([...r1, ['r2', { hosts: ['xen1', 'xen3'], file: '/etc/drbd.d/r2.res' }]]);
    expect(homeAmongReplicas('web1', 'xen2', two)).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('resource r2') } });
  });
  it('a .res that cannot be read: a config error, never a guess', () => {
    expect(homeAmongReplicas('web1', 'xen1', new Map([['r1', { problem: 'r1.res: not found' }]]))).toMatchObject({ ok: false, error: { code: 'XH_ERR_CONFIG' } });
  });
  it('no DRBD disks: any home', () => {
    expect(homeAmongReplicas('web1', 'anywhere', new Map())).toEqual({ ok: true, value: 'anywhere' });
  });
});
