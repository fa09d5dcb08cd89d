import { describe, expect, it } from 'vitest';
import { operateTokensLeft, removeTokens, selectTokens, tokenIdOf, tokenRows } from '../../../controller/auth/token-match.js';
import { emptyTokenStore, newToken, type TokenStore } from '../../../controller/auth/tokens.js';

const SHA = 'a'.repeat(64);
const AT = '2026-12-01T00:00:00.000Z';
function store(): TokenStore {
  const s = emptyTokenStore();
  s.agents['00000000000b'] = { host: 'xen2', sha256: SHA, createdAt: AT };
  s.agents['00000000000a'] = { host: 'XEN1', sha256: SHA, createdAt: AT };
  s.agents['00000000000c'] = { host: 'xen1', sha256: SHA, createdAt: AT };
  s.operators['0000000000f1'] = { name: 'bob', role: 'read', sha256: SHA, createdAt: AT };
  s.operators['0000000000f0'] = { name: 'Alice', role: 'operate', sha256: SHA, createdAt: AT };
  return s;
}

describe('token rows and selection (revoke, tokens)', () => {
  it('lists agents by host, then operators by name, never a hash', () => {
    const rows = tokenRows(store());
    expect(rows.map((r) => `${r.kind}:${r.kind === 'agent' ? r.host : `${r.name}/${r.role}`}:${r.id}`)).toEqual([
      'agent:XEN1:00000000000a',
      'agent:xen1:00000000000c',
      'agent:xen2:00000000000b',
      'operator:Alice/operate:0000000000f0',
      'operator:bob/read:0000000000f1',
    ]);
    expect(JSON.stringify(rows)).not.toContain(SHA);
  });

  it('a host selects every agent token of it, names ignoring case; an operator only operator tokens; an id exactly one', () => {
    const s = store();
    expect(selectTokens(s, { by: 'host', host: 'Xen1' }).map((r) => r.id)).toEqual(['00000000000a', '00000000000c']);
    expect(selectTokens(s, { by: 'host', host: 'alice' })).toEqual([]);
    expect(selectTokens(s, { by: 'operator', name: 'ALICE' }).map((r) => r.id)).toEqual(['0000000000f0']);
    expect(selectTokens(s, { by: 'operator', name: 'xen1' })).toEqual([]);
    expect(selectTokens(s, { by: 'id', id: '0000000000f1' }).map((r) => r.id)).toEqual(['0000000000f1']);
  });

  it('removes exactly the rows given, and counts the operate tokens left', () => {
    const s = store();
    const alice = selectTokens(s, { by: 'operator', name: 'alice' });
    expect(operateTokensLeft(s, alice)).toBe(0);
    expect(operateTokensLeft(s, selectTokens(s, { by: 'operator', name: 'bob' }))).toBe(1);
    removeTokens(s, [...alice, ...selectTokens(s, { by: 'host', host: 'xen1' })]);
    expect(Object.keys(s.agents)).toEqual(['00000000000b']);
    expect(Object.keys(s.operators)).toEqual(['0000000000f1']);
  });

  it('takes a token id or a whole token, returning only the id', () => {
    const t = newToken();
    expect(tokenIdOf(t.id)).toEqual({ id: t.id, wholeToken: false });
    expect(tokenIdOf(t.id.toUpperCase())).toEqual({ id: t.id, wholeToken: false });
    expect(tokenIdOf(t.token)).toEqual({ id: t.id, wholeToken: true });
    for (const bad of ['', '0123456789a', '0123456789abc', 'xh1.0123456789ab', 'xh2.0123456789ab.secret', 'xh1.0123456789ab.', 'g123456789ab']) expect(tokenIdOf(bad)).toBeNull();
  });
});
