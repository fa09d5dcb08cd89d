import { describe, expect, it } from 'vitest';
import { hostOf, tlsTarget } from '../../shared/url-host.js';

describe('a URL as a TLS connection target', () => {
  it('takes IPv6 literals out of their brackets', () => {
    expect(hostOf(new URL('https://[::1]:7443'))).toBe('::1');
    expect(hostOf(new URL('wss://[2001:db8::a]/v1/agent'))).toBe('2001:db8::a');
    expect(hostOf(new URL('https://ctl.example'))).toBe('ctl.example');
  });

  it('sends SNI for a host name only, never for an IPv4 or IPv6 literal (hex letters included)', () => {
    expect(tlsTarget(new URL('https://ctl.example:7443'))).toEqual({ host: 'ctl.example', port: 7443, servername: 'ctl.example' });
    expect(tlsTarget(new URL('wss://127.0.0.1:7443/v1/agent'))).toEqual({ host: '127.0.0.1', port: 7443 });
    expect(tlsTarget(new URL('https://[::1]:7443'))).toEqual({ host: '::1', port: 7443 });
    expect(tlsTarget(new URL('wss://[2001:db8::a]'))).toEqual({ host: '2001:db8::a', port: 443 });
  });
});
