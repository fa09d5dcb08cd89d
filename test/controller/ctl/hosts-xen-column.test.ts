import { describe, expect, it } from 'vitest';
import { hostView } from './host-view.js';
import { hostsTable } from '../../../controller/ctl/render-hosts.js';
import type { HostView } from '../../../shared/protocol/ctl-api.js';

const host = (name: string, o: Partial<HostView>): HostView => hostView(name, { memory: { totalMiB: 16_384, freeMiB: 8_192 }, domains: 2, ...o });

// which Dom0 a domU may be live-migrated to depends on its toolstack and release: hosts shows both
describe('the XEN column of hosts', () => {
  it('names the toolstack and the release, the toolstack alone when the agent does not say its release, - before any report', () => {
    const rows = hostsTable([
      host('xen1', { xen: { major: 4, minor: 17, version: '4.17.5' } }),
      host('xen2', { toolstack: 'xm', xen: null }),
      // a controller older than the field sends none
      host('xen3', {}),
      host('xen4', { toolstack: null, reported: false }),
    ]).split('\n');
    expect(rows[0]).toMatch(/^HOST +STATE +LAST SEEN +MAINTENANCE +XEN +FREE\/TOTAL /);
    const xenOf = (line: string | undefined) => line?.slice(rows[0]?.indexOf('XEN'), rows[0]?.indexOf('FREE/TOTAL')).trim();
    expect(rows.slice(1, 5).map(xenOf)).toEqual(['xl 4.17.5', 'xm', 'xl', '-']);
  });
});
