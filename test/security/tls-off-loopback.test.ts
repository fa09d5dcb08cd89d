import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../agent/config/schema.js';
import { parseControllerConfig } from '../../controller/config/load.js';
import { loadCtlConfig } from '../../controller/ctl/config.js';

// Plaintext sends tokens in clear, so every end refuses it unless the other end is a literal
// loopback address: the controller for what it listens on, an agent for the controller it
// dials, xenherdctl for the controller it asks.

const TOKEN = `xh1.0123456789ab.${'A'.repeat(43)}`;
const controllerWith = (host: string): string => JSON.stringify({ listen: { host, port: 7443 }, tls: false, stateDir: '/var/lib/xenherd-controller' });

describe('TLS is required off loopback', () => {
  it('the controller refuses tls:false on any address but a loopback literal', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1']) expect(parseControllerConfig(controllerWith(host), '/c.json').ok, host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.0.2.1', 'localhost', 'ctl.example', '::ffff:10.0.0.1', '2001:db8::1']) {
      const r = parseControllerConfig(controllerWith(host), '/c.json');
      expect(r.ok, host).toBe(false);
      expect(!r.ok && r.error.message).toMatch(/plaintext \(tls: false\) is allowed only on a loopback address/);
    }
  });

  it('an agent refuses ws:// to a controller that is not on a loopback literal', () => {
    const agent = (url: string) => AgentConfigSchema.safeParse({ controller: { url, token: TOKEN } });
    for (const url of ['wss://ctl.example:7443', 'wss://10.0.0.1:7443/', 'ws://127.0.0.1:7443', 'ws://[::1]:7443']) expect(agent(url).success, url).toBe(true);
    for (const url of ['ws://10.0.0.1:7443', 'ws://ctl.example:7443', 'ws://localhost:7443', 'ws://[2001:db8::1]:7443', 'ws://0.0.0.0:7443']) {
      const r = agent(url);
      expect(r.success, url).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/ws:\/\/ sends the token in clear/);
    }
  });

  it('the same holds for each standby controller URL, and the refusal names it', () => {
    const r = AgentConfigSchema.safeParse({ controller: { url: 'wss://ctl1.example:7443', standbyUrls: ['wss://ctl2.example:7443', 'ws://10.0.0.2:7443'], token: TOKEN } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['controller.standbyUrls.1', expect.stringMatching(/ws:\/\/ sends the token in clear/)]]);
    expect(AgentConfigSchema.safeParse({ controller: { url: 'wss://ctl1.example:7443', standbyUrls: ['wss://ctl2.example:7443'], token: TOKEN } }).success).toBe(true);
  });

  it('xenherdctl refuses http:// to anything but loopback', () => {
    const ctl = (url: string) => loadCtlConfig({ XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(ctl('http://127.0.0.1:7443').ok).toBe(true);
    expect(ctl('https://ctl.example:7443').ok).toBe(true);
    for (const url of ['http://10.0.0.1:7443', 'http://ctl.example:7443']) {
      const r = ctl(url);
      expect(!r.ok && r.error.message, url).toMatch(/sends the token in clear/);
    }
  });
});
