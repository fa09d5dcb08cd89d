import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../shared/cli/argv.js';
import { initOptions } from '../../controller/cli/init-options.js';
import { ANY_ADDRESS, listenFallback } from '../../controller/config/listen-address.js';

describe('where the controller listens by default', () => {
  it('init writes "::" (IPv6 and IPv4), unless --listen names an address', () => {
    const specs = ['dir', 'san', 'listen', 'port'].map((name) => ({ name, takesValue: true }));
    const given = (argv: string[]): string => {
      const a = parseArgv(argv, specs);
      if (!a.ok) throw new Error(a.error.message);
      const o = initOptions(a.value, 'ctl1');
      if (!o.ok) throw new Error(o.error.message);
      return o.value.listen;
    };
    expect(given([])).toBe('::');
    expect(given(['--listen', '0.0.0.0'])).toBe('0.0.0.0');
    expect(given(['--listen', '127.0.0.1'])).toBe('127.0.0.1');
  });

  it('"::" on a kernel without IPv6 falls back to every IPv4 interface; an address asked for by name never does', () => {
    expect(listenFallback(ANY_ADDRESS, 'EAFNOSUPPORT')).toBe('0.0.0.0');
    expect(listenFallback(ANY_ADDRESS, 'EADDRNOTAVAIL')).toBe('0.0.0.0');
    expect(listenFallback(ANY_ADDRESS, 'EADDRINUSE')).toBeNull();
    expect(listenFallback(ANY_ADDRESS, 'EACCES')).toBeNull();
    expect(listenFallback('::1', 'EADDRNOTAVAIL')).toBeNull();
    expect(listenFallback('10.0.0.1', 'EADDRNOTAVAIL')).toBeNull();
    expect(listenFallback('0.0.0.0', 'EAFNOSUPPORT')).toBeNull();
  });
});
