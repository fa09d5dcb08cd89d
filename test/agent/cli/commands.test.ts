import { describe, expect, it } from 'vitest';
import { agentCommandLoaders, agentCommands } from '../../../agent/cli/commands.js';
import type { ProcessHooks } from '../../../agent/cli/run.js';

const hooks: ProcessHooks = { onSignal: () => undefined, onHangUp: () => false, pid: 1, self: (env) => ({ node: process.execPath, args: [], env }) };

describe('the agent commands, listed from their help and loaded when run', () => {
  it('each listed command loads the code of that same command', async () => {
    for (const [help, load] of agentCommandLoaders(hooks)) {
      const loaded = await load();
      expect({ name: loaded.name, summary: loaded.summary, usage: loaded.usage }).toEqual({ name: help.name, summary: help.summary, usage: help.usage });
    }
  });

  it('lists every command once, in the order of its loaders', () => {
    const names = agentCommands(hooks).map((c) => c.name);
    expect(names).toEqual(agentCommandLoaders(hooks).map(([h]) => h.name));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(['run', 'autostart', 'inventory', 'status', 'migrate', 'reverse', 'move-stop', 'move-start', 'reconcile', 'ping', 'migrate2', 'keys']);
  });

  it('runs the loaded command: a usage error of ping comes from ping itself', async () => {
    const ping = agentCommands(hooks).find((c) => c.name === 'ping');
    const err: string[] = [];
    // one host too many: only ping's own argument check words it this way
    const code = await ping?.run(['xen2', 'xen3'], { stdout: () => undefined, stderr: (s) => void err.push(s), env: {} });
    expect(code).toBe(64);
    expect(err.join('')).toContain('ping HOST: unexpected argument "xen3"');
  });
});
