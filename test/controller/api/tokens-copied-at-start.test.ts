import { describe, expect, it } from 'vitest';
import { exchange, refusalBed } from './refusal-bed.js';

// Under systemd the controller reads tokens.json as a credential, a copy made at start: a host
// enrolled (or an operator made) since is refused until a restart. The refusal says so, to the
// agent and the operator, and in the log; the same for an unknown id and a wrong secret, so
// nobody learns which ids exist.
const bed = refusalBed();
const TOKEN = `xh1.0123456789ab.${'s'.repeat(43)}`;
const upgrade = `GET /v1/agent HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`;
const api = `GET /v1/hosts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`;
const RESTART = 'is not known to it until `systemctl restart xenherd-controller`: it reads its tokens, a systemd credential, only at start';

describe('a refused token when the tokens are a copy made at start', () => {
  it('the agent link and the API answer 401 saying a restart loads a token made since; the log says it too', async () => {
    const s = await bed.start({ tls: true, tokensCopiedAtStart: true });
    const link = await exchange(s.port, true, upgrade);
    expect(link.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(link.text).toContain(`token refused: enroll this host (xenherd-controller enroll HOST) and use the token it prints; a token made (enroll, operator) after this controller started ${RESTART}`);
    const hosts = await exchange(s.port, true, api);
    expect(hosts.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(hosts.text).toContain(RESTART);
    expect(String(s.events('agent-refused')[0]?.['msg'])).toContain(RESTART);
  });

  it('tokens read from the file itself (re-read on change): no such note', async () => {
    const s = await bed.start({ tls: true });
    const link = await exchange(s.port, true, upgrade);
    expect(link.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(link.text).not.toContain('systemctl restart');
    expect((await exchange(s.port, true, api)).text).not.toContain('systemctl restart');
  });
});
