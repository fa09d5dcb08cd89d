import { describe, expect, it } from 'vitest';
import { agentCommands } from '../../../agent/cli/commands.js';
import type { ProcessHooks } from '../../../agent/cli/run.js';
import { moveStartCommand } from '../../../agent/cli/move-start.js';
import { moveStopCommand } from '../../../agent/cli/move-stop.js';
import { argvFor, childArgv, heldToRelay } from '../../../agent/run/command-process.js';
import type { ChildCommand } from '../../../agent/core/effects.js';
import { parseArgv } from '../../../shared/cli/argv.js';

// The cold-move subcommands' arguments (checked before anything on the host is read: exit 64
// with the argument and its fix), and the argv the daemon gives its own CLI for each op.

async function run(cmd: typeof moveStopCommand, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await cmd.run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { XENHERD_HOST_ROOT: '/nonexistent-xenherd-test-root' } });
  return { code, stdout, stderr };
}

describe('move-stop and move-start arguments', () => {
  it.each([
    [moveStopCommand, ['web1'], '--to HOST is missing'],
    [moveStopCommand, ['web1', '--to', 'xen 2'], '--to "xen 2" is not a host name: give the Dom0\'s name as `xl info` (host)'],
    [moveStopCommand, ['-web1', '--to', 'xen2'], 'unknown option'],
    [moveStopCommand, ['web/1', '--to', 'xen2'], '"web/1" is not a domU name'],
    [moveStopCommand, ['web1', '--to', 'xen2', '--timeout', '5'], '--timeout "5": give the seconds to wait for the guest\'s shutdown, 10 to 3600'],
    [moveStopCommand, ['web1', '--to', 'xen2', '--timeout', '1e3'], '--timeout "1e3"'],
    [moveStopCommand, ['web1', '--to', 'xen2', '--operation-id', 'a b'], '--operation-id needs an id'],
    [moveStopCommand, ['web1', '--to', 'xen2', '--reason', 'rebalance'], '--reason must be manual or drain, not "rebalance"'],
    [moveStopCommand, [], 'NAME is missing'],
    [moveStartCommand, ['web1'], '--from HOST is missing: name the Dom0 that shut down web1'],
    [moveStartCommand, ['web1', 'xen2'], 'unexpected argument "xen2"'],
  ])('%#: refuses with exit 64, naming the argument', async (cmd, argv, says) => {
    const r = await run(cmd, argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('XH_ERR_USAGE');
    expect(r.stderr).toContain(says);
  });

  it('--json also answers a usage error as JSON on stdout', async () => {
    const r = await run(moveStartCommand, ['web1', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'XH_ERR_USAGE' });
  });

  it('are listed, with help an operator understands', () => {
    const hooks = { onSignal: () => undefined, onHangUp: () => false, pid: 1, self: () => ({ node: 'node', args: [], env: {} }) } as ProcessHooks;
    const names = agentCommands(hooks).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['move-stop', 'move-start']));
    for (const c of [moveStopCommand, moveStartCommand]) {
      expect(c.usage).toContain('The two halves of a cold move');
      expect(c.usage).toContain('xenherdctl drain --cold-fallback');
    }
  });
});

describe('the daemon runs each op as its own CLI', () => {
  const base = { type: 'command' as const, commandId: 'c1', by: 'ctl:admin', name: 'web1', operationId: 'op-1' };
  const cases: [ChildCommand, string[]][] = [
    [{ ...base, op: 'migrate', target: 'xen2', reason: 'restore' }, ['migrate', 'web1', 'xen2', '--reason', 'restore', '--operation-id', 'op-1', '--json']],
    [{ ...base, op: 'migrate', target: null, reason: 'drain' }, ['migrate', 'web1', '--reason', 'drain', '--operation-id', 'op-1', '--json']],
    [{ ...base, op: 'reverse' }, ['reverse', 'web1', '--json']],
    // a controller shuts a domU down only as a drain's cold fallback: its away record says so
    [{ ...base, op: 'shutdown', target: 'xen2' }, ['move-stop', 'web1', '--to', 'xen2', '--reason', 'drain', '--operation-id', 'op-1', '--json']],
    [{ ...base, op: 'start', from: 'xen1' }, ['move-start', 'web1', '--from', 'xen1', '--operation-id', 'op-1', '--json']],
  ];
  it.each(cases)('%o', (c, argv) => {
    expect(argvFor(c)).toEqual(argv);
  });

  it("passes on the daemon's --config, so a command reads the config the daemon runs with", () => {
    const self = { node: '/usr/bin/node', args: ['/usr/lib/xenherd/xenherd-agent'], env: {} };
    expect(childArgv(self, cases[2]![0])).toEqual(['/usr/lib/xenherd/xenherd-agent', 'reverse', 'web1', '--json']);
    expect(childArgv({ ...self, config: '/srv/agent.json' }, cases[2]![0])).toEqual(['/usr/lib/xenherd/xenherd-agent', 'reverse', 'web1', '--json', '--config', '/srv/agent.json']);
  });

  it('every argv is one its subcommand accepts', () => {
    const specs: Record<string, { name: string; takesValue: boolean }[]> = {
      migrate: ['reason', 'no-peer:f', 'dry-run:f', 'operation-id'].map((n) => ({ name: n.replace(':f', ''), takesValue: !n.endsWith(':f') })),
      reverse: [{ name: 'dry-run', takesValue: false }],
      'move-stop': ['to', 'reason', 'operation-id', 'timeout'].map((name) => ({ name, takesValue: true })),
      'move-start': ['from', 'operation-id'].map((name) => ({ name, takesValue: true })),
    };
    for (const [c] of cases) {
      const [sub, ...rest] = argvFor(c);
      const parsed = parseArgv(rest, [{ name: 'json', takesValue: false }, { name: 'config', takesValue: true }, ...(specs[sub as string] ?? [])]);
      expect(parsed.ok, `${sub} ${rest.join(' ')}`).toBe(true);
    }
  });
});

describe("the CLI's closing complaint is not relayed as progress when the result says the same", () => {
  const refused = { ok: false as const, code: 'XH_ERR_REFUSED' as const, message: 'xen3 holds no replica of web1 (its DRBD peer is xen2)' };
  it('dropped when it only repeats the failed answer', () => {
    expect(heldToRelay(['xenherd-agent: XH_ERR_REFUSED: xen3 holds no replica of web1 (its DRBD peer is xen2)'], refused)).toEqual([]);
  });
  it('a message of several lines: dropped only when every line matches', () => {
    const twoLines = { ...refused, message: 'preflight refused\n  memory: xen2 has 512 MiB free' };
    expect(heldToRelay(['xenherd-agent: XH_ERR_REFUSED: preflight refused', '  memory: xen2 has 512 MiB free'], twoLines)).toEqual([]);
    expect(heldToRelay(['xenherd-agent: XH_ERR_REFUSED: preflight refused', '  memory: xen2 has 512 MiB free', 'Segmentation fault'], twoLines)).toHaveLength(3);
  });
  it('kept when it says something else, when the answer succeeded, or when there was no answer', () => {
    const other = ['xenherd-agent: XH_ERR_LOCKED: web1 is held by another migration'];
    expect(heldToRelay(other, refused)).toEqual(other);
    expect(heldToRelay(other, { ok: true, message: 'web1 migrated' })).toEqual(other);
    expect(heldToRelay(other, null)).toEqual(other);
  });
});
