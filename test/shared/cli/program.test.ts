import { describe, expect, it } from 'vitest';
import { runProgram, type Command, type Program } from '../../../shared/cli/program.js';

// `BINARY COMMAND --help` says what the command does before how to call it.
const run = async (program: Program, argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runProgram(program, argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {} });
  return { code, stdout, stderr };
};

const plain: Command = { name: 'frob', summary: 'Frobnicate one widget.', usage: 'frob NAME [--json]\n  --json  print JSON', run: async () => 0 };
const own: Command = { ...plain, name: 'own', help: 'Own help text.\n' };
const program: Program = { binary: 'tool', description: 'A tool.', commands: [plain, own] };

describe('COMMAND --help', () => {
  it('prints the summary first, then the usage', async () => {
    expect(await run(program, ['frob', '--help'])).toEqual({ code: 0, stdout: 'Frobnicate one widget.\n\nusage: tool frob NAME [--json]\n  --json  print JSON\n', stderr: '' });
  });
  it('prints a command\'s own help text unchanged', async () => {
    expect((await run(program, ['own', '-h'])).stdout).toBe('Own help text.\n');
  });
});

describe('help COMMAND', () => {
  it('is COMMAND --help', async () => {
    expect(await run(program, ['help', 'frob'])).toEqual(await run(program, ['frob', '--help']));
    expect((await run(program, ['help', 'own'])).stdout).toBe('Own help text.\n');
  });
  it('an unknown command, or more than one word: a usage error (64) naming the commands', async () => {
    expect(await run(program, ['help', 'bogus'])).toEqual({ code: 64, stdout: '', stderr: 'tool: XH_ERR_USAGE: no command "bogus" (commands: frob, own)\n' });
    expect((await run(program, ['help', 'frob', 'own'])).code).toBe(64);
  });
  it('help alone is the whole help', async () => {
    expect(await run(program, ['help'])).toEqual(await run(program, ['--help']));
  });
});

describe('--help lists the exit codes in the order of their numbers', () => {
  const listed = (help: string): number[] => [...help.slice(help.indexOf('exit codes:')).matchAll(/^ {2}(\d+) +\w+/gm)].map((m) => Number(m[1]));
  const ascending = (codes: number[]): number[] => [...codes].sort((a, b) => a - b);
  it('the whole catalog (a binary that names none, as xenherd-agent)', async () => {
    const codes = listed((await run(program, ['--help'])).stdout);
    expect(codes.length).toBeGreaterThan(20);
    expect(codes).toEqual(ascending(codes));
  });
  it('a binary\'s own list, whatever order it is written in', async () => {
    const help = (await run({ ...program, exitCodes: ['XH_ERR_CONFIG', 'XH_ERR_USAGE', 'XH_ERR_NOT_FOUND', 'XH_ERR_INTERNAL'] }, ['--help'])).stdout;
    expect(help).toContain('exit codes:\n  0   success\n  1   XH_ERR_NOT_FOUND\n  64  XH_ERR_USAGE\n  71  XH_ERR_INTERNAL\n  78  XH_ERR_CONFIG\n');
  });
});

describe('options before the command', () => {
  const seen: string[][] = [];
  const recording: Command = { ...plain, run: async (argv) => (seen.push([...argv]), 0) };
  const withJson: Program = { ...program, commands: [recording, own], everyCommandFlags: ['--json'] };

  it('a flag every command takes is moved to just after the command, the rest kept in order', async () => {
    seen.length = 0;
    expect((await run(withJson, ['--json', 'frob', 'web1', '--', '-x'])).code).toBe(0);
    expect((await run(withJson, ['--json', '--json', 'frob'])).code).toBe(0);
    expect(seen).toEqual([['--json', 'web1', '--', '-x'], ['--json', '--json']]);
    expect((await run(withJson, ['--json', 'own', '--help'])).stdout).toBe('Own help text.\n');
    expect((await run(withJson, ['--json', '--help'])).stdout).toMatch(/^tool /);
  });

  it('any other option there is refused (64), with the line the operator meant', async () => {
    seen.length = 0;
    const hosted: Program = { ...withJson, commands: [{ ...recording, usage: 'frob NAME [--host HOST] [--json]' }, own] };
    expect(await run(hosted, ['--host', 'xen1', 'frob', 'a b'])).toEqual({
      code: 64,
      stdout: '',
      stderr: "tool: XH_ERR_USAGE: --host comes before the command: options go after it, as in tool frob --host xen1 'a b'\n",
    });
    // an option the command does not take is not moved after it (that line would be refused too): it is named, with the usage
    expect((await run(hosted, ['-j', 'frob', 'a'])).stderr).toBe('tool: XH_ERR_USAGE: unknown option "-j" (and options go after the command); usage: tool frob NAME [--host HOST] [--json]\n');
    expect((await run(hosted, ['--hostname=x', 'frob'])).stderr).toMatch(/^tool: XH_ERR_USAGE: unknown option "--hostname" /);
    // without everyCommandFlags, --json is such an option too; no command word: the plain refusal
    expect((await run(program, ['--json', 'frob'])).stderr).toBe('tool: XH_ERR_USAGE: --json comes before the command: options go after it, as in tool frob --json\n');
    expect((await run(withJson, ['--json'])).stderr).toBe('tool: XH_ERR_USAGE: unknown command "--json" (commands: frob, own; see --help)\n');
    expect(seen).toEqual([]);
  });
});
