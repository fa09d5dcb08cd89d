import { describe, expect, it } from 'vitest';
import { maintenanceText } from '../../../controller/ctl/render-hosts.js';

describe("a host's MAINTENANCE cell", () => {
  it("names a controller owner without the prefix every controller's owner has", () => {
    expect(maintenanceText({ state: 'draining', operationId: 'db4b9d79-1111-2222-3333-444455556666', owner: 'xenherd-controller@ctl1.example.org:7443' })).toBe('draining (ctl1.example.org:7443, op db4b9d79)');
  });

  it("names a controller by its host and port, its instance id left out (it read as an internal code: 'vm:36917/32711a1f')", () => {
    expect(maintenanceText({ state: 'draining', operationId: 'db4b9d79-1111', owner: 'xenherd-controller@vm:36917/32711a1f' })).toBe('draining (vm:36917, op db4b9d79)');
  });

  it('keeps any other owner as it is, and a state held by nobody alone', () => {
    expect(maintenanceText({ state: 'maintenance', operationId: null, owner: 'ctl:admin' })).toBe('maintenance (ctl:admin)');
    expect(maintenanceText({ state: 'maintenance', operationId: null, owner: 'xenherd-controller@' })).toBe('maintenance (xenherd-controller@)');
    expect(maintenanceText({ state: 'online', operationId: null, owner: null })).toBe('online');
  });
});
