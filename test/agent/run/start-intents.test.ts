import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStillRunning, StartIntents } from '../../../agent/run/start-intents.js';
import { mkfifo, runBounded, scratch, victim } from '../adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());
const intent = { name: 'web1', pid: 4242, configPath: '/etc/xen/drbd-auto/web1.cfg', at: '2025-01-01T00:00:00.000Z' };

const stateDir = (): string => {
  const d = join(s.dir('intents'), 'state');
  mkdirSync(join(d, 'starting'), { recursive: true, mode: 0o700 });
  return d;
};

describe('StartIntents', () => {
  it('writes, reads back and removes a record', () => {
    const dir = stateDir();
    const i = new StartIntents(dir);
    i.write(intent);
    expect(i.readAll()).toEqual([intent]);
    expect(lstatSync(join(dir, 'starting', 'web1.json')).mode & 0o777).toBe(0o600);
    i.remove('web1');
    expect(readdirSync(join(dir, 'starting'))).toEqual([]);
  });

  it('a record whose name holds ../../ never makes the daemon delete a file outside the state dir', () => {
    const dir = stateDir();
    const v = victim(s, 'victim.json');
    const name = relative(join(dir, 'starting'), v.path).replace(/\.json$/, '');
    expect(name.startsWith('../')).toBe(true);
    writeFileSync(join(dir, 'starting', 'evil.json'), JSON.stringify({ ...intent, name }));
    const intents = new StartIntents(dir);
    // what the daemon does with leftovers: readAll, then remove each by its name
    const all = intents.readAll();
    for (const x of all) intents.remove(x.name);
    intents.remove(name);
    expect(v.intact()).toBe(true);
    expect(all).toEqual([]);
  });

  it.each([
    ['a name that is not its file name', { ...intent, name: 'db1' }],
    ['pid 0', { ...intent, pid: 0 }],
    ['a relative config path', { ...intent, configPath: 'web1.cfg' }],
    ['a config path with a control character', { ...intent, configPath: '/etc/xen/\u001b[2Jweb1.cfg' }],
    ['a time that is not a time', { ...intent, at: 'soon' }],
  ])('refuses %s read back from disk', (_, rec) => {
    const dir = stateDir();
    writeFileSync(join(dir, 'starting', 'web1.json'), JSON.stringify(rec));
    const problems: string[] = [];
    expect(new StartIntents(dir).readAll((p) => problems.push(p))).toEqual([]);
    expect(problems.join('\n')).toContain(join(dir, 'starting', 'web1.json'));
  });

  it('refuses a record with a key given twice (which pid it means is a guess), naming the place and the key', () => {
    const dir = stateDir();
    const file = join(dir, 'starting', 'web1.json');
    writeFileSync(file, JSON.stringify(intent).replace('"pid":', '"pid": 1,\n"pid":'));
    const problems: string[] = [];
    expect(new StartIntents(dir).readAll((p) => problems.push(p))).toEqual([]);
    expect(problems).toEqual([`${file}: line 2, column 1: key "pid" appears twice (lines 1 and 2): not a start record: removed`]);
  });

  it('does not write through a symlink planted at the temp name', () => {
    const dir = stateDir();
    const v = victim(s);
    symlinkSync(v.path, join(dir, 'starting', 'web1.json.tmp'));
    symlinkSync(v.path, join(dir, 'starting', `web1.json.tmp-${process.pid}`));
    new StartIntents(dir).write(intent);
    expect(v.intact()).toBe(true);
    expect(lstatSync(join(dir, 'starting', 'web1.json')).isFile()).toBe(true);
  });

  it('a starting/ that is a symlink to another dir: nothing read, removed or written there', () => {
    const dir = join(s.dir('intents'), 'state');
    mkdirSync(dir, { mode: 0o700 });
    const elsewhere = s.dir('elsewhere');
    writeFileSync(join(elsewhere, 'important.json'), '{"not":"an intent"}');
    symlinkSync(elsewhere, join(dir, 'starting'));
    const i = new StartIntents(dir);
    expect(i.readAll()).toEqual([]);
    expect(() => i.write(intent)).toThrow(/symbolic link/);
    expect(readFileSync(join(elsewhere, 'important.json'), 'utf8')).toBe('{"not":"an intent"}');
    expect(existsSync(join(elsewhere, 'web1.json'))).toBe(false);
  });

  it('refuses to write a record for a name that is not a domU name', () => {
    const dir = stateDir();
    expect(() => new StartIntents(dir).write({ ...intent, name: '../x' })).toThrow();
    expect(readdirSync(join(dir, 'starting'))).toEqual([]);
  });

  it('a FIFO as a record does not block readAll', async () => {
    const dir = stateDir();
    mkfifo(join(dir, 'starting', 'web1.json'));
    const out = await runBounded(s.dir('child'), ['intents', dir]);
    expect(out.timedOut).toBe(false);
    expect(JSON.parse(out.stdout)).toEqual([]);
  });
});

describe('createStillRunning', () => {
  it("counts a live process with `create` and the config path in its arguments only when it runs as the agent's user", async () => {
    // what any user on the Dom0 can start once the create's pid is free again: its arguments alike
    const lookAlike = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => undefined, 60_000)', 'create', intent.configPath], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      // its first line comes from its own code: /proc shows its command line by then
      await new Promise((resolve) => lookAlike.stdout.once('data', resolve));
      const pid = lookAlike.pid as number;
      const own = process.geteuid?.() ?? 0;
      expect(createStillRunning({ ...intent, pid }, own)).toBe(true);
      expect(createStillRunning({ ...intent, pid }, own + 1)).toBe(false);
      expect(createStillRunning({ ...intent, pid, configPath: '/etc/xen/drbd-auto/db1.cfg' }, own)).toBe(false);
    } finally {
      lookAlike.kill('SIGKILL');
      await new Promise((resolve) => lookAlike.once('exit', resolve));
    }
  });
});
