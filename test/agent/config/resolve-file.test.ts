import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config/resolve.js';
import { mkfifo, runBounded, scratch } from '../adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());

describe('loadAgentConfig reads only regular files', () => {
  it('a FIFO given as --config is refused at once (XH_ERR_CONFIG) instead of hanging', async () => {
    const file = join(s.dir('cfg'), 'agent.json');
    mkfifo(file);
    const out = await runBounded(s.dir('child'), ['config', file]);
    expect(out.timedOut).toBe(false);
    const r = JSON.parse(out.stdout) as { ok: boolean; error: { code: string; message: string } };
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_CONFIG' } });
    expect(r.error.message).toContain(file);
    expect(r.error.message).toContain('FIFO');
  });

  it('a FIFO as /etc/xenherd/agent.json under the host root is refused too', async () => {
    const root = s.dir('root');
    mkdirSync(join(root, 'etc/xenherd'), { recursive: true });
    mkfifo(join(root, 'etc/xenherd/agent.json'));
    const out = await runBounded(s.dir('child'), ['config', '-', root]);
    expect(out.timedOut).toBe(false);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: 'XH_ERR_CONFIG' } });
  });

  it('a symlink to a regular config is followed (packaging may link it)', () => {
    const dir = s.dir('cfg');
    writeFileSync(join(dir, 'real.json'), JSON.stringify({ autostart: { parallel: 2 } }));
    symlinkSync(join(dir, 'real.json'), join(dir, 'agent.json'));
    const r = loadAgentConfig(join(dir, 'agent.json'), '/');
    expect(r.ok && r.value.config.autostart.parallel).toBe(2);
  });

  it('a directory given as --config names the file and the fix', () => {
    const dir = s.dir('cfg');
    const r = loadAgentConfig(dir, '/');
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_CONFIG' } });
    expect(!r.ok && r.error.message).toContain(`${dir}: is a directory`);
  });

  it('the default file a directory: the fix is about that file, not "leave --config out" (it was)', () => {
    const root = s.dir('root');
    mkdirSync(join(root, 'etc/xenherd/agent.json'), { recursive: true });
    const r = loadAgentConfig(undefined, root);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_CONFIG' } });
    expect(!r.ok && r.error.message).toMatch(/: is a directory, not a file: make it a regular file holding the agent's config \(or remove it to run on the defaults\), or give another file with --config$/);
  });

  it('the default file a link to nothing: refused, not the defaults (which would drop the config the link meant)', () => {
    const root = s.dir('root');
    mkdirSync(join(root, 'etc/xenherd'), { recursive: true });
    symlinkSync('/nonexistent/xenherd/agent.json', join(root, 'etc/xenherd/agent.json'));
    expect(loadAgentConfig(undefined, root)).toEqual({
      ok: false,
      error: { code: 'XH_ERR_CONFIG', message: `${join(root, 'etc/xenherd/agent.json')}: a symbolic link to /nonexistent/xenherd/agent.json, which does not exist: point it at the agent's config, or remove it to run on the defaults` },
    });
    // no file at all: the defaults
    expect(loadAgentConfig(undefined, s.dir('empty-root'))).toMatchObject({ ok: true, value: { file: null } });
  });

  it('--config with an empty path is named as such, not as a file that does not exist', () => {
    const r = loadAgentConfig('', '/');
    expect(r).toEqual({ ok: false, error: { code: 'XH_ERR_CONFIG', message: '--config was given an empty path: give the agent config\'s path, or leave --config out to use /etc/xenherd/agent.json' } });
  });

  it('bytes that are not UTF-8 are refused naming the line, not read as another path', () => {
    const file = join(s.dir('cfg'), 'agent.json');
    writeFileSync(file, Buffer.concat([Buffer.from('{\n  "stateDir": "/var/lib/x'), Buffer.from([0xff]), Buffer.from('y"\n}\n')]));
    expect(loadAgentConfig(file, '/')).toEqual({ ok: false, error: { code: 'XH_ERR_CONFIG', message: `${file}: line 2: bytes that are not UTF-8: save the file as UTF-8 (paths and names in it are read as UTF-8)` } });
  });
});
