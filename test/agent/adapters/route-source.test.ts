import { describe, expect, it } from 'vitest';
import { sourceAddressTowards } from '../../../agent/adapters/route-source.js';

describe('sourceAddressTowards (the address a peer sees, for keys setup)', () => {
  it('is the loopback address towards loopback, for IPv4 and IPv6', async () => {
    expect(await sourceAddressTowards('127.0.0.1')).toEqual({ ok: true, address: '127.0.0.1' });
    const v6 = await sourceAddressTowards('::1');
    // a host without IPv6 on lo says why instead
    if (v6.ok) expect(v6.address).toBe('::1');
    else expect(v6.why).toMatch(/^E[A-Z]+/);
  });

  it('says why when the name does not resolve', async () => {
    const r = await sourceAddressTowards('no-such-host.invalid');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(/does not resolve|EAI_|ENOTFOUND/);
  });
});
