import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from './mounts.js';

/**
 * A throw-away Debian tree for one run: an overlay whose lower layer is the cached base tree
 * (never written), with /proc mounted unless a container manager mounts its own. Commands run
 * inside through chroot(8), or through `enterWith` (nsenter into a booted container), always
 * asynchronously (the fleet simulator answering the fake tools shares this process's event loop).
 * `dispose` kills whatever still runs inside, unmounts everything and removes the temp dir; it is
 * safe to call more than once and from a signal handler.
 */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const CHROOT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export class Chroot {
  private disposed = false;
  private enter: readonly string[] | null = null;
  private readonly before: (() => void)[] = [];

  private constructor(
    readonly dir: string,
    readonly root: string,
  ) {}

  static create(lower: string, opts: { proc?: boolean } = {}): Chroot {
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-pkgtest-'));
    const c = new Chroot(dir, join(dir, 'root'));
    try {
      for (const d of ['upper', 'work', 'root']) mkdirSync(join(dir, d));
      c.mount(['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`, c.root]);
      if (opts.proc !== false) c.mount(['-t', 'proc', 'proc', join(c.root, 'proc')]);
      return c;
    } catch (e) {
      c.dispose();
      throw e;
    }
  }

  private mount(args: string[]): void {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr.trim()}`);
  }

  /** The host path of a path inside the tree. */
  host(path: string): string {
    return join(this.root, path);
  }

  /** The path inside the tree of a host path below it. */
  inside(hostPath: string): string {
    if (!hostPath.startsWith(`${this.root}/`)) throw new Error(`${hostPath} is not inside ${this.root}`);
    return hostPath.slice(this.root.length);
  }

  /** From now on commands run as PREFIX + argv (e.g. nsenter into the container booted here). */
  enterWith(prefix: readonly string[]): void {
    this.enter = prefix;
  }

  /** ARGV inside the tree with exactly ENV (no host variable leaks in); killed after timeoutMs. */
  run(argv: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<RunResult> {
    return new Promise((resolve) => {
      const [cmd, ...args] = this.enter === null ? ['chroot', this.root, ...argv] : [...this.enter, ...argv];
      const child = spawn(cmd as string, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: CHROOT_PATH, HOME: '/root', LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        stderr += `\n(killed after ${timeoutMs} ms)`;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Something to end before the tree goes (a container running on it). */
  onDispose(f: () => void): void {
    this.before.push(f);
  }

  /** Returns what could not be cleaned up (empty: everything is gone). */
  dispose(): string[] {
    if (this.disposed) return [];
    this.disposed = true;
    for (const f of this.before) f();
    return removeTree(this.dir);
  }
}
