import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Chroot } from './chroot.js';

/**
 * The tree booted with systemd (systemd-nspawn --boot, a private network: only its own loopback),
 * so that the packaged units run under a real systemd 252: Type=notify, the watchdog,
 * DynamicUser, LoadCredential and the sandboxing options, and the maintainer scripts with systemd
 * running. Commands enter it with nsenter (no machined or D-Bus needed on the host).
 */
export class Booted {
  private constructor(
    private readonly nspawn: ChildProcess,
    readonly leader: number,
    /** what systemd-nspawn and the container's console printed last */
    readonly output: () => string,
  ) {}

  static async boot(tree: Chroot, timeoutMs = 90_000): Promise<Booted> {
    const nspawn = spawn('systemd-nspawn', ['--register=no', '--keep-unit', '--private-network', '--quiet', '-D', tree.root, '--boot', '--console=pipe'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // from here on, disposing of the tree ends the container first, whatever happens below
    let leader: number | null = null;
    tree.onDispose(() => {
      // only while nspawn runs: once it has exited, its init is gone and the pid may be reused
      if (nspawn.exitCode !== null) return;
      if (leader !== null) kill(leader);
      nspawn.kill('SIGKILL');
    });
    let log = '';
    nspawn.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    nspawn.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + timeoutMs;
    while (leader === null) {
      if (nspawn.exitCode !== null || Date.now() > deadline) {
        nspawn.kill('SIGKILL');
        throw new Error(`systemd-nspawn did not boot the tree: ${log}`);
      }
      leader = initOf(nspawn.pid as number);
      if (leader === null) await sleep(100);
    }
    const b = new Booted(nspawn, leader, () => log);
    tree.enterWith(['nsenter', '-t', String(leader), '-a']);
    // systemctl fails to connect until systemd has made its socket; then --wait waits for the boot
    for (;;) {
      const up = await tree.run(['systemctl', 'is-system-running', '--wait'], {}, Math.max(1000, deadline - Date.now()));
      if (/^(running|degraded)\n$/.test(up.stdout)) return b;
      if (Date.now() > deadline || nspawn.exitCode !== null) {
        b.kill();
        throw new Error(`systemd in the container is ${up.stdout.trim() || 'not up'}: ${up.stderr}${log}`);
      }
      await sleep(200);
    }
  }

  /** systemctl poweroff, then SIGKILL when the container has not stopped within timeoutMs. */
  async shutdown(tree: Chroot, timeoutMs = 30_000): Promise<void> {
    if (this.nspawn.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.nspawn.once('exit', () => r()));
    void tree.run(['systemctl', 'poweroff'], {}, 10_000);
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /**
   * For signal handlers and failures: ends the container now. Killing its init (pid 1 of the
   * container's pid namespace) takes every process in the container with it.
   */
  kill(): void {
    if (this.nspawn.exitCode !== null) return;
    kill(this.leader);
    this.nspawn.kill('SIGKILL');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const kill = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

/** The container's init: the child of systemd-nspawn that has become systemd (it forks helpers first). */
function initOf(nspawn: number): number | null {
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const status = readFileSync(`/proc/${n}/status`, 'utf8');
      if (/^PPid:\s+(\d+)$/m.exec(status)?.[1] === String(nspawn) && /^Name:\s+systemd$/m.test(status)) return Number(n);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}
