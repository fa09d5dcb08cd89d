import { describe, expect, it } from 'vitest';
import { noAgentMessage } from '../../../controller/fleet/no-agent-message.js';

describe('noAgentMessage', () => {
  it('names the host, and a reporting host whose name differs only in case', () => {
    expect(noAgentMessage(['xen9'], ['xen1', 'xen2'])).toBe('no agent of a host named xen9 has reported to this controller');
    expect(noAgentMessage(['XEN1'], ['xen1', 'xen2'])).toBe('no agent of a host named XEN1 has reported to this controller (host names are spelled as their agents report them: xen1, not XEN1)');
    expect(noAgentMessage(['XEN1', 'xen9', 'Xen2'], ['xen1', 'xen2'])).toBe('no agent of XEN1, xen9, Xen2 has reported to this controller (host names are spelled as their agents report them: xen1, not XEN1; xen2, not Xen2)');
    expect(noAgentMessage(['xen1'], [])).toBe('no agent of a host named xen1 has reported to this controller');
  });
});
