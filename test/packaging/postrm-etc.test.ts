import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

// The postrms as shipped, run by sh with every path under /etc, /var and /run moved into a temp
// directory and deb-systemd-helper stood in for, so that a purge here touches nothing of the
// machine's. No package ships /etc/xenherd (dpkg would warn at every remove that it is not
// empty), so the purges remove it themselves once it is empty.

/** Runs PKG's postrm with ARG on a temp root BEFORE filled; returns that root. */
function runPostrm(pkg: 'agent' | 'controller', arg: string, before: (root: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'xenherd-postrm-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  before(root);
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'deb-systemd-helper'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'deb-systemd-helper'), 0o755);
  const text = readFileSync(join(process.cwd(), 'packaging/deb/scripts', `${pkg}.postrm`), 'utf8');
  const moved = text.replace(/(?<=[\s"'])\/(etc|var|run)\//g, `${root}/$1/`);
  // every absolute path the script names is under the temp root now
  expect(moved.match(/(?<=[\s"'])\/(etc|var|run)\//g)).toBeNull();
  writeFileSync(join(root, 'postrm'), moved);
  const r = spawnSync('sh', [join(root, 'postrm'), arg], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
  expect(r.status, r.stderr).toBe(0);
  return root;
}

const put = (root: string, path: string, text: string): void => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

describe('purge and /etc/xenherd', () => {
  it("the agent's purge removes agent.json and the directory it leaves empty", () => {
    const root = runPostrm('agent', 'purge', (r) => put(r, 'etc/xenherd/agent.json', '{}\n'));
    expect(existsSync(join(root, 'etc/xenherd'))).toBe(false);
  });

  it("the controller's purge removes the directories init made once the operator emptied them", () => {
    const root = runPostrm('controller', 'purge', (r) => {
      mkdirSync(join(r, 'etc/xenherd/tls'), { recursive: true });
      mkdirSync(join(r, 'etc/xenherd/state'));
    });
    expect(existsSync(join(root, 'etc/xenherd'))).toBe(false);
  });

  it("keeps every file of the operator's and the agent's, and the directories holding them", () => {
    const files: Record<string, string> = {
      'etc/xenherd/controller.json': '{"listen":"0.0.0.0"}\n',
      'etc/xenherd/tls/ca.key': 'KEY\n',
      'etc/xenherd/agent.json': '{"controller":{}}\n',
      'etc/xenherd/migrate_ed25519': 'PRIVATE\n',
    };
    const root = runPostrm('controller', 'purge', (r) => {
      for (const [p, t] of Object.entries(files)) put(r, p, t);
      mkdirSync(join(r, 'etc/xenherd/state'));
    });
    for (const [p, t] of Object.entries(files)) expect(readFileSync(join(root, p), 'utf8')).toBe(t);
    // the empty one goes
    expect(existsSync(join(root, 'etc/xenherd/state'))).toBe(false);
    const agent = runPostrm('agent', 'purge', (r) => {
      for (const [p, t] of Object.entries(files)) put(r, p, t);
    });
    expect(existsSync(join(agent, 'etc/xenherd/agent.json'))).toBe(false);
    for (const p of Object.keys(files).filter((f) => !f.endsWith('agent.json'))) expect(readFileSync(join(agent, p), 'utf8')).toBe(files[p]);
  });

  it('a remove keeps the directory, empty or not', () => {
    for (const pkg of ['agent', 'controller'] as const) {
      const root = runPostrm(pkg, 'remove', (r) => mkdirSync(join(r, 'etc/xenherd/tls'), { recursive: true }));
      expect(existsSync(join(root, 'etc/xenherd/tls'))).toBe(true);
    }
  });
});
