import { describe, expect, it } from 'vitest';
import type { ToolRunner } from '../../../agent/adapters/exec.js';
import { addressesOf, sshRouteOf } from '../../../agent/adapters/ssh-route.js';
import { err, ok } from '../../../shared/result.js';
import { readFixture } from '../../fixture.js';

describe("where root's ssh and the resolver take a name", () => {
  it('asks `ssh -G -- NAME` (a name never read as an option) and reads its hostname and port', async () => {
    const asked: (readonly string[])[] = [];
    const run: ToolRunner = async (tool, args) => (asked.push([tool, ...args]), ok({ stdout: readFixture('ssh/G-9.2p1-host-entry.txt').body, stderr: '', exitCode: 0 }));
    expect(await sshRouteOf(run, 'xen2')).toEqual({ ok: true, value: { hostname: '10.0.0.2', port: 2222, proxy: null } });
    expect(asked).toEqual([['ssh', '-G', '--', 'xen2']]);
  });

  it("hands the tool's failure on as it is (its code decides the refusal's)", async () => {
    const failure = { code: 'XH_ERR_TOOL_FAILED' as const, tool: 'ssh', args: ['-G', '--', 'xen2'], exitCode: 255, signal: null, stdout: '', stderr: 'unknown option -- G\n', message: 'ssh -G -- xen2: exit code 255: unknown option -- G' };
    expect(await sshRouteOf(async () => err(failure), 'xen2')).toEqual({ ok: false, error: failure });
  });

  it('an address resolves to itself; localhost to a loopback address', async () => {
    expect(await addressesOf('127.0.0.1')).toEqual({ ok: true, addresses: ['127.0.0.1'] });
    expect(await addressesOf('::1')).toEqual({ ok: true, addresses: ['::1'] });
    const local = await addressesOf('localhost');
    expect(local.ok && local.addresses.some((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });
});
