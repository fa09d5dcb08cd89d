import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trackGroup, untrackGroup } from './cleanup.js';
import type { Image } from './image.js';
import { log, sleep } from './log.js';
import { isListening } from './ports.js';
import { sshArgs, sshExec, type ExecResult, type SshTarget } from './ssh.js';

export type HostId = 'a' | 'b';

export interface Dom0Spec {
  host: HostId;
  image: Image;
  /** per-run temp dir: overlays, serial log */
  workDir: string;
  rootDisk: string;
  drbdDisk: string;
  sshPort: number;
  /** replication link between the two QEMUs: a listens, b connects */
  replPort: number;
  memMiB?: number;
  /** a `guestfwd=…` rule for the management NIC (guest-forward.ts), or none */
  guestFwd?: string;
}

/**
 * One Dom0: a QEMU (TCG) running the Xen 4.17 hypervisor with the Debian 12 Dom0 inside. The
 * management NIC is slirp with restrict=on and only ssh forwarded to 127.0.0.1:sshPort (and, when
 * the run has a controller, one guestfwd to it); the second NIC links the two QEMUs directly
 * (10.0.0.1 dom0a, 10.0.0.2 dom0b).
 */
export class Dom0 {
  readonly name: string;
  readonly serialLog: string;
  private pid: number | null = null;
  private exited: Promise<number | null> | null = null;
  exitCode: number | null | undefined = undefined;
  private masterPid: number | null = null;

  constructor(readonly spec: Dom0Spec) {
    this.name = `dom0${spec.host}`;
    this.serialLog = join(spec.workDir, `serial-${spec.host}.log`);
  }

  get qemuPid(): number | null {
    return this.pid;
  }

  qemuArgs(): string[] {
    const s = this.spec;
    const n = s.host === 'a' ? 1 : 2;
    const repl =
      s.host === 'a'
        ? `socket,id=repl,listen=127.0.0.1:${s.replPort}`
        : `socket,id=repl,connect=127.0.0.1:${s.replPort}`;
    return [
      '-name', `xenherd-lab-${this.name}`,
      '-accel', 'tcg,thread=multi,tb-size=512',
      // -adx: sshd crashed in libcrypto without it (shared lab). With a PVH guest running beside
      // it, a Dom0's processes crashed at random (sshd, xl and node segfaults, glibc heap and V8
      // "Invalid bytecode" aborts) and migration streams arrived corrupt: suspected, not proven, a
      // TCG bug in the XSAVE state Xen switches between Dom0 and the guest. Without XSAVE (and
      // so without AVX) Xen switches FPU/SSE state with FXSAVE/FXRSTOR.
      '-cpu', 'max,-adx,-xsave,-xsaveopt,-xsavec,-xsaves,-avx,-avx2,-fma,-f16c',
      '-smp', '1',
      '-m', String(s.memMiB ?? 1024),
      '-nographic', '-no-reboot',
      '-kernel', s.image.xen,
      '-append', 'console=com1 com1=115200,8n1 dom0_mem=512M,max:512M loglvl=all guest_loglvl=all noreboot smap=0 smep=0',
      '-initrd', `${s.image.vmlinuz} root=/dev/vda ro console=hvc0 earlyprintk=xen,${s.image.initrd}`,
      '-drive', `file=${s.rootDisk},format=qcow2,if=virtio`,
      '-drive', `file=${s.drbdDisk},format=qcow2,if=virtio`,
      '-netdev', `user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:${s.sshPort}-:22${s.guestFwd ? `,${s.guestFwd}` : ''}`,
      '-device', 'virtio-net-pci,netdev=mgmt,mac=52:54:00:00:00:01',
      '-netdev', repl,
      '-device', `virtio-net-pci,netdev=repl,mac=52:54:00:00:01:0${n}`,
    ];
  }

  /** Start QEMU (its own process group, registered for cleanup). Does not wait for ssh. */
  async start(): Promise<void> {
    const serial = createWriteStream(this.serialLog);
    const child = spawn('qemu-system-x86_64', this.qemuArgs(), {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: this.spec.workDir,
    });
    this.pid = child.pid!;
    trackGroup(this.pid);
    child.stdout.pipe(serial);
    child.stderr.pipe(serial);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.exitCode = code;
        untrackGroup(this.pid!);
        resolve(code);
      }),
    );
    if (this.spec.host === 'a') {
      const deadline = Date.now() + 20_000;
      while (!isListening(this.spec.replPort)) {
        if (this.exitCode !== undefined) throw new Error(`${this.name}: QEMU exited early:\n${this.serialTail()}`);
        if (Date.now() > deadline) throw new Error(`${this.name}: QEMU never listened on ${this.spec.replPort}`);
        await sleep(100);
      }
    }
    log(`${this.name}: qemu pid ${this.pid}, ssh 127.0.0.1:${this.spec.sshPort}, repl ${this.spec.replPort}`);
  }

  serialTail(lines = 40): string {
    try {
      return readFileSync(this.serialLog, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no serial log)';
    }
  }

  /** Wait until `true` runs over ssh. */
  async waitSsh(timeoutMs = 8 * 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitCode !== undefined) throw new Error(`${this.name}: QEMU exited (${this.exitCode}):\n${this.serialTail()}`);
      const r = await sshExec({ port: this.spec.sshPort, key: this.spec.image.key }, 'true', { timeoutMs: 30_000 });
      if (r.exitCode === 0) return this.startMaster();
      if (Date.now() > deadline) throw new Error(`${this.name}: no ssh after ${timeoutMs / 1000} s:\n${this.serialTail()}`);
      await sleep(3000);
    }
  }

  private get target(): SshTarget {
    return {
      port: this.spec.sshPort,
      key: this.spec.image.key,
      ...(this.masterPid !== null ? { controlPath: this.controlPath } : {}),
    };
  }

  private get controlPath(): string {
    return join(this.spec.workDir, `ssh-${this.spec.host}.ctl`);
  }

  /**
   * One ssh master connection per Dom0 (its own process group, tracked for cleanup): later commands
   * multiplex over it instead of paying an emulated key exchange each time (~2 s under TCG).
   */
  private async startMaster(): Promise<void> {
    const child = spawn('ssh', ['-M', '-N', '-o', `ControlPath=${this.controlPath}`, '-o', 'ControlPersist=no', ...sshArgs({ port: this.spec.sshPort, key: this.spec.image.key })], {
      detached: true,
      stdio: 'ignore',
    });
    const pid = child.pid!;
    trackGroup(pid);
    child.on('exit', () => {
      untrackGroup(pid);
      if (this.masterPid === pid) this.masterPid = null;
    });
    const deadline = Date.now() + 30_000;
    while (!existsSync(this.controlPath) && Date.now() < deadline && child.exitCode === null) await sleep(200);
    if (existsSync(this.controlPath)) this.masterPid = pid;
    else log(`${this.name}: ssh master did not come up; using one connection per command`);
  }

  private stopMaster(): void {
    if (this.masterPid === null) return;
    try {
      process.kill(-this.masterPid, 'SIGTERM');
    } catch {
      /* gone */
    }
    this.masterPid = null;
  }

  /**
   * Run a shell command line in this Dom0: stdout, stderr and exit code separately. ssh transport
   * failures (exit 255 with an ssh-ish message) are retried; the remote command's own 255 is not.
   */
  async exec(cmd: string, opts: { timeoutMs?: number; retries?: number } = {}): Promise<ExecResult> {
    const retries = opts.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      const r = await sshExec(this.target, cmd, opts);
      const transport =
        r.exitCode === 255 && /^(ssh|kex_exchange|Connection|banner exchange)|port \d+:/m.test(r.stderr) && r.stdout === '';
      if (!transport || attempt >= retries) return r;
      log(`${this.name}: ssh transport error (${r.stderr.trim()}), retrying`);
      await sleep(2000);
    }
  }

  /** exec that throws unless exit 0; returns stdout. */
  async run(cmd: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    const r = await this.exec(cmd, opts);
    if (r.exitCode !== 0) {
      throw new Error(`${this.name}: \`${cmd}\` exited ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    return r.stdout;
  }

  /** Copy a local file to remotePath (streamed over ssh; mode preserved as 0755 if `executable`). */
  async copyIn(localPath: string, remotePath: string, opts: { executable?: boolean } = {}): Promise<void> {
    const q = shq(remotePath);
    const r = await sshExec(
      this.target,
      `mkdir -p "$(dirname ${q})" && cat > ${q}.part && mv ${q}.part ${q}${opts.executable ? ` && chmod 755 ${q}` : ''}`,
      { stdinFile: localPath, timeoutMs: 5 * 60_000 },
    );
    if (r.exitCode !== 0) throw new Error(`${this.name}: copyIn ${localPath} -> ${remotePath} failed (${r.exitCode}): ${r.stderr}`);
  }

  /** Clean poweroff, then SIGTERM/SIGKILL if QEMU is still there. */
  async powerOff(timeoutMs = 90_000): Promise<void> {
    if (this.pid === null || this.exitCode !== undefined) return;
    const r = await sshExec(this.target, 'systemctl --no-block poweroff', { timeoutMs: 20_000 });
    this.stopMaster();
    if (r.exitCode !== 0) {
      log(`${this.name}: poweroff request failed (${r.exitCode}), killing QEMU`);
      return this.kill();
    }
    const gone = await Promise.race([this.exited!.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!gone) {
      log(`${this.name}: still running ${timeoutMs / 1000} s after poweroff, killing`);
      await this.kill();
    }
  }

  async kill(): Promise<void> {
    this.stopMaster();
    if (this.pid === null || this.exitCode !== undefined) return;
    try {
      process.kill(-this.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    const gone = await Promise.race([this.exited!.then(() => true), sleep(5000).then(() => false)]);
    if (!gone) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await this.exited;
    }
  }

  /** Resident memory of the QEMU process, MiB (null when not running). */
  rssMiB(): number | null {
    if (this.pid === null || this.exitCode !== undefined) return null;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 1024) : null;
    } catch {
      return null;
    }
  }
}

/** Single-quote for a POSIX shell. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
