import { describe, expect, it } from 'vitest';
import { afterHostNamed } from '../../../shared/text/after-host-named.js';

// An agent's answer after a wrapper that has named its Dom0 ("xen1 refused to be set draining: …").
describe('afterHostNamed', () => {
  it('drops the opening "HOST: " an agent puts before its refusals', () => {
    expect(afterHostNamed('xen1: 2 domain(s) still run here (web1, web2)', 'xen1')).toBe('2 domain(s) still run here (web1, web2)');
  });

  it('says "it" for HOST as the subject, "its" for HOST\'s, "its agent" for the agent on or of HOST', () => {
    expect(afterHostNamed('xen1 is draining for operation op-2 of ctl-a', 'xen1')).toBe('it is draining for operation op-2 of ctl-a');
    expect(afterHostNamed('xen1 could not write its maintenance flag, it stays online: EROFS', 'xen1')).toBe('it could not write its maintenance flag, it stays online: EROFS');
    expect(afterHostNamed("xen1's flag moved on", 'xen1')).toBe('its flag moved on');
    expect(afterHostNamed('the agent on xen1 is stopping', 'xen1')).toBe('its agent is stopping');
    expect(afterHostNamed('the agent of xen1 is not connected: nothing was sent', 'xen1')).toBe('its agent is not connected: nothing was sent');
  });

  it('keeps an answer that opens with another host, or a longer name HOST begins', () => {
    expect(afterHostNamed('xen2 is draining: it takes no domUs until it is online again', 'xen1')).toBe('xen2 is draining: it takes no domUs until it is online again');
    expect(afterHostNamed('xen10 is draining', 'xen1')).toBe('xen10 is draining');
    expect(afterHostNamed('xen10: 1 domain(s) still run here', 'xen1')).toBe('xen10: 1 domain(s) still run here');
    expect(afterHostNamed('the maintenance state is online, not draining', 'xen1')).toBe('the maintenance state is online, not draining');
  });
});
