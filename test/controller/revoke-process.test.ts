import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedBed } from './shipped-bed.js';
import { dom, hostState } from './states.js';
import { connectFakeAgent } from './fake-agent.js';

// revoke and tokens as shipped (the single-file bundle), against a real `serve` process: the
// running controller applies a revocation by itself, to an open agent link too.
const shipped = shippedBed('xenherd-controller');

const run = (args: string[]) => spawnSync(shipped.bin('xenherd-controller'), args, { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });

function serve(config: string): Promise<string> {
  const child = shipped.own(spawn(shipped.bin('xenherd-controller'), ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"event":"listening","url":"([^"]+)"/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

describe('xenherd-controller revoke and tokens as shipped', () => {
  it('--help lists both commands and exit code 1; tokens lists xen1; revoke closes its open link; a second revoke finds nothing', async () => {
    const help = run(['--help']);
    expect(help.stdout).toMatch(/\n\s+revoke\s/);
    expect(help.stdout).toMatch(/\n\s+tokens\s/);
    expect(help.stdout).toMatch(/XH_ERR_NOT_FOUND/);
    expect(run(['revoke', '--help']).stdout).toContain('restart xenherd-controller.service');

    const dir = shipped.temp('xenherd-revoke-proc-');
    const init = JSON.parse(run(['init', '--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json']).stdout) as { config: string; ca: string };
    const url = await serve(init.config);
    writeFileSync(init.config, JSON.stringify({ ...(JSON.parse(readFileSync(init.config, 'utf8')) as object), publicUrl: url }));
    const token = (JSON.parse(run(['enroll', 'xen1', '--config', init.config]).stdout) as { controller: { token: string } }).controller.token;
    const id = token.split('.')[1] as string;
    const list = JSON.parse(run(['tokens', '--json', '--config', init.config]).stdout) as { tokens: Array<{ id: string; kind: string }> };
    expect(list.tokens.map((t) => `${t.kind}:${t.id === id ? 'xen1' : 'other'}`)).toEqual(['agent:xen1', 'operator:other']);

    const agent = await connectFakeAgent({ url: url.replace(/^https/, 'wss'), token, ca: readFileSync(init.ca, 'utf8'), host: 'xen1' });
    agent.hello();
    agent.snapshot(hostState({ domains: [dom('web01')] }));
    await agent.until(() => agent.of('welcome').length === 1, 'welcome');

    const r = run(['revoke', 'xen1', '--config', init.config]);
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^revoked agent token ${id} of xen1 \\(made `))]);
    agent.heartbeat();
    await agent.until(() => agent.closed !== null, 'the revoked link closed');
    expect(agent.closed?.code).toBe(1008);
    await expect(connectFakeAgent({ url: url.replace(/^https/, 'wss'), token, ca: readFileSync(init.ca, 'utf8'), host: 'xen1' })).rejects.toThrow(/HTTP 401/);

    const again = run(['revoke', 'xen1', '--config', init.config]);
    expect([again.status, again.stderr]).toEqual([1, 'xenherd-controller: XH_ERR_NOT_FOUND: no agent token for xen1; no host is enrolled; nothing was changed\n']);
  });
});
