import { describe, expect, it } from 'vitest';
import { authenticate, emptyTokenStore, newToken, type TokenStore } from '../../../controller/auth/tokens.js';

function storeWithAdmin(): { store: TokenStore; token: string } {
  const t = newToken();
  const store = emptyTokenStore();
  store.operators[t.id] = { name: 'admin', role: 'operate', sha256: t.sha256, createdAt: '2025-01-01T00:00:00.000Z' };
  return { store, token: t.token };
}

describe('the Authorization header: "Bearer TOKEN" as RFC 9110 reads it', () => {
  it('takes the scheme in any case and one or more spaces or tabs before the token', () => {
    const { store, token } = storeWithAdmin();
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `bEaReR ${token}`, `Bearer  ${token}`, `Bearer\t${token}`, `Bearer \t ${token}`, `Bearer ${token} `]) {
      const r = authenticate(store, header);
      expect(r.ok, JSON.stringify(header.replace(token, 'TOKEN'))).toBe(true);
    }
  });

  it('no header, or one not of the form "Bearer TOKEN": a header fault (no token was presented)', () => {
    const { store, token } = storeWithAdmin();
    for (const header of [undefined, 'Basic YWRtaW46YWRtaW4=', token, 'Bearer', 'Bearer ', `Bearer${token}`, `Token ${token}`, `xBearer ${token}`]) {
      const r = authenticate(store, header);
      expect(r.ok ? 'accepted' : r.fault, JSON.stringify(header)).toBe('header');
    }
  });

  it('a token presented and refused is a token fault, whatever the scheme spelling', () => {
    const { store, token } = storeWithAdmin();
    // the secret's last character changed (to A, or B when it was A: the token is random)
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const header of [`Bearer ${wrong}`, `bearer xh1.000000000000.${'A'.repeat(43)}`, 'Bearer nope', `Bearer ${token} x`]) {
      const r = authenticate(store, header);
      expect(r.ok ? 'accepted' : r.fault, JSON.stringify(header)).toBe('token');
    }
  });
});
