import { describe, expect, it } from 'vitest';
import { DOMU_NAME_RE, DRBD_RESOURCE_RE, HOST_NAME_RE, hostNameProblem, sameHostName } from '../../shared/names.js';

describe('names accepted from outside', () => {
  it.each(['web1', 'r0', 'db-2.example', 'A_b:c+d'])('DRBD resource %s is accepted', (n) => expect(DRBD_RESOURCE_RE.test(n)).toBe(true));
  it.each(['-r0', '--help', '', 'r 0', 'r0;ls', 'r/0', 'x'.repeat(129)])('DRBD resource %j is refused', (n) => expect(DRBD_RESOURCE_RE.test(n)).toBe(false));
  it.each(['web1', 'a', 'db-2.example_x'])('domU %s is accepted', (n) => expect(DOMU_NAME_RE.test(n)).toBe(true));
  it.each(['-web1', '.hidden', 'a b', 'a;b', '', 'x'.repeat(65), 'dö'])('domU %j is refused', (n) => expect(DOMU_NAME_RE.test(n)).toBe(false));
  it.each(['xen1', 'XEN1', 'xen1.example.org', 'xen-1.example.org', '10.0.0.1', '1xen', `${'a'.repeat(63)}.b`])('host %s is accepted', (n) => expect(hostNameProblem(n)).toBeNull());
  // DNS-like labels: none empty (xen..1, .xen1), no trailing dot, none starting or ending with -
  it.each(['', 'xen 1', 'xen_1', '-x', '../x', 'ünï', 'x'.repeat(254), 'xen..1', 'xen1.', '.xen1', 'xen-.org', 'xen.-1', 'a'.repeat(64)])('host %j is refused, naming the value and what a host name is', (n) => {
    expect(hostNameProblem(n, '--to')).toBe(`--to ${JSON.stringify(n)} is not a host name: give the Dom0's name as \`xl info\` (host) and \`uname -n\` print it (labels of letters, digits and -, joined by single dots; no label starts or ends with -, no trailing dot)`);
    expect(hostNameProblem(n)?.startsWith(`${JSON.stringify(n)} is not a host name: give `)).toBe(true);
  });
  it('names read back from files stay readable under the older rule (nothing stored is lost)', () => {
    expect(['xen1.', 'xen..1'].map((n) => HOST_NAME_RE.test(n))).toEqual([true, true]);
  });
  it('host names compare without case', () => {
    expect([sameHostName('XEN1', 'xen1'), sameHostName('xen1', 'xen2')]).toEqual([true, false]);
  });
});
