import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils } from 'ssh2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execOnPeer, type PeerTarget } from '../../../agent/adapters/peer-ssh.js';

/** A peer whose host key is marked @revoked in known_hosts is refused, and the refusal names the line. */
let dir = '';
let server: Server;
let port = 0;
let hostPublic = '';

/** ed25519 pairs ssh2 can read back (see peer-ssh-bounds.test.ts: mscdex/ssh2 #1513) */
function keyPair(): { private: string; public: string } {
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(k.private) instanceof Error) && !(utils.parseKey(k.public) instanceof Error)) return k;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-revoked-'));
  const host = keyPair();
  hostPublic = host.public.trim();
  writeFileSync(join(dir, 'key'), keyPair().private, { mode: 0o600 });
  server = new Server({ hostKeys: [host.private] }, (c) => {
    c.on('authentication', (ctx) => ctx.accept());
    c.on('ready', () => c.on('session', (accept) => accept().on('exec', (acceptExec) => acceptExec().end('pong\n'))));
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const target = (): PeerTarget => ({ name: 'xen2', address: '127.0.0.1', port, user: 'root', keyFile: join(dir, 'key'), knownHostsFile: join(dir, 'known_hosts') });

it('a listed key works; the same key marked @revoked above it is refused, naming file:line', async () => {
  writeFileSync(join(dir, 'known_hosts'), `127.0.0.1 ${hostPublic}\n`);
  expect((await execOnPeer(target(), 'ping', () => undefined)).ok).toBe(true);
  writeFileSync(join(dir, 'known_hosts'), `@revoked xen2 ${hostPublic}\n127.0.0.1 ${hostPublic}\n`);
  const r = await execOnPeer(target(), 'ping', () => undefined);
  expect(!r.ok && r.error.message).toMatch(new RegExp(`marked @revoked \\(${join(dir, 'known_hosts')}:1\\)`));
});

it('a revoked key the peer shows while another key is trusted is refused, naming file:line', async () => {
  const other = keyPair().public.trim();
  writeFileSync(join(dir, 'known_hosts'), `# keys\n@revoked * ${hostPublic}\nxen2 ${other}\n`);
  const r = await execOnPeer(target(), 'ping', () => undefined);
  expect(!r.ok && [r.error.code, r.error.message]).toEqual(['XH_ERR_FILE', expect.stringContaining(`marked @revoked in ${join(dir, 'known_hosts')}:2`)]);
});
