import { describe, expect, it } from 'vitest';
import { enrolledHostsOf } from '../../../controller/cli/enrolled-hosts-of.js';
import { emptyTokenStore, type TokenStore } from '../../../controller/auth/tokens.js';

const agent = (host: string) => ({ host, sha256: 'a'.repeat(64), createdAt: '2024-05-01T14:00:00.000Z' });

describe('enrolledHostsOf: the hosts with an agent token, as the core asks for them', () => {
  it('the hosts of the agent tokens (operators are no Dom0s); the same set object until the hosts change', () => {
    let store: TokenStore = { ...emptyTokenStore(), agents: { '000000000001': agent('xen1'), '000000000002': agent('db1') }, operators: { '0000000000aa': { name: 'admin', role: 'operate', sha256: 'b'.repeat(64), createdAt: '2024-05-01T14:00:00.000Z' } } };
    const enrolled = enrolledHostsOf({ current: () => store });
    const first = enrolled();
    expect([...first].sort()).toEqual(['db1', 'xen1']);
    expect(enrolled()).toBe(first);
    // db1 enrolled again: its old token replaced by a new one; tokens.json re-read, the hosts the same
    store = { ...store, agents: { '000000000001': agent('xen1'), '000000000003': agent('db1') } };
    expect(enrolled()).toBe(first);
    // db1's last token removed
    store = { ...store, agents: { '000000000001': agent('xen1') } };
    expect([...enrolled()]).toEqual(['xen1']);
  });
});
