import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupAll, leakCheck, removeDir, trackDir, type Leak } from './cleanup.js';
import { Dom0 } from './dom0.js';
import { ensureImage, type Image } from './image.js';
import { log, sleep } from './log.js';
import { guestForwardOption, type GuestForward } from './guest-forward.js';
import { freePorts } from './ports.js';

export interface LabOptions {
  /** size of each host's DRBD backing disk (qcow2, fresh per run) */
  drbdDiskMiB?: number;
  memMiB?: number;
  /** let the Dom0s reach 127.0.0.1:port on the host at GUEST_ADDR:port (a controller; guest-forward.ts) */
  guestForward?: GuestForward;
}

export interface LabTimings {
  imageS: number;
  imageBuilt: boolean;
  bootToSshS: number;
}

/**
 * The two-Dom0 lab: image from the cache, per-run temp dir with qcow2 overlays (the cache is the
 * read-only backing file), two QEMUs on free ports, DRBD backing disks, cleanup and leak check.
 */
export class Lab {
  readonly a: Dom0;
  readonly b: Dom0;
  readonly timings: LabTimings;
  private peakRss = { a: 0, b: 0 };
  private sampler: NodeJS.Timeout | null = null;

  private constructor(readonly image: Image, readonly workDir: string, a: Dom0, b: Dom0, timings: LabTimings) {
    this.a = a;
    this.b = b;
    this.timings = timings;
  }

  get hosts(): [Dom0, Dom0] {
    return [this.a, this.b];
  }

  /** Build or reuse the image, create overlays, boot both Dom0s, wait for ssh on both. */
  static async boot(opts: LabOptions = {}): Promise<Lab> {
    const t0 = Date.now();
    const image = await ensureImage();
    const imageS = (Date.now() - t0) / 1000;
    const workDir = mkdtempSync(join(tmpdir(), 'xenherd-lab-'));
    trackDir(workDir);
    const [sshA, sshB, repl] = await freePorts(3);
    const guestFwd = opts.guestForward ? guestForwardOption(workDir, opts.guestForward) : undefined;
    const mk = (host: 'a' | 'b', sshPort: number): Dom0 => {
      const rootDisk = join(workDir, `root-${host}.qcow2`);
      const drbdDisk = join(workDir, `drbd-${host}.qcow2`);
      qemuImg(['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', image.disk[host], rootDisk]);
      qemuImg(['create', '-q', '-f', 'qcow2', drbdDisk, `${opts.drbdDiskMiB ?? 256}M`]);
      return new Dom0({ host, image, workDir, rootDisk, drbdDisk, sshPort, replPort: repl!, memMiB: opts.memMiB, guestFwd });
    };
    const a = mk('a', sshA!);
    const b = mk('b', sshB!);
    const t1 = Date.now();
    const lab = new Lab(image, workDir, a, b, { imageS, imageBuilt: 'built' in image && image.built === true, bootToSshS: 0 });
    try {
      await a.start();
      await b.start();
      lab.sampler = setInterval(() => lab.sampleRss(), 2000);
      await Promise.all([a.waitSsh(), b.waitSsh()]);
    } catch (e) {
      await lab.shutdown();
      throw e;
    }
    lab.timings.bootToSshS = (Date.now() - t1) / 1000;
    log(`lab: both Dom0s reachable over ssh after ${lab.timings.bootToSshS.toFixed(0)} s`);
    return lab;
  }

  private sampleRss(): void {
    for (const d of this.hosts) {
      const r = d.rssMiB();
      const k = d.spec.host;
      if (r !== null && r > this.peakRss[k]) this.peakRss[k] = r;
    }
  }

  /** Peak QEMU resident memory seen so far, MiB. */
  peakRssMiB(): { a: number; b: number } {
    this.sampleRss();
    return { ...this.peakRss };
  }

  /** Power both off (clean, then forced), remove the temp dir. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    this.sampleRss();
    await Promise.all(this.hosts.map((d) => d.powerOff().catch(() => d.kill())));
    removeDir(this.workDir);
  }

  /** What the lab left behind (after shutdown this must be empty). */
  leaks(): Leak[] {
    return leakCheck([this.workDir, join(this.image.dir, '..', '.tmp-')]);
  }
}

function qemuImg(args: string[]): void {
  const r = spawnSync('qemu-img', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-img ${args.join(' ')}: ${r.stderr}`);
}

/**
 * Run `fn` with a booted lab; always shuts it down, then checks for leaks (processes, mounts,
 * loop devices) and fails if any. Hard timeout via `timeoutMs` is the caller's (withWatchdog).
 */
export async function withLab<T>(opts: LabOptions, fn: (lab: Lab) => Promise<T>): Promise<{ result: T; lab: Lab }> {
  const lab = await Lab.boot(opts);
  let result: T;
  try {
    result = await fn(lab);
  } catch (e) {
    log(`lab: failed: ${e instanceof Error ? e.message : String(e)}`);
    for (const d of lab.hosts) log(`${d.name} serial tail:\n${d.serialTail(15)}`);
    await lab.shutdown();
    cleanupAll();
    throw e;
  }
  await lab.shutdown();
  const leaks = lab.leaks();
  if (leaks.length) throw new Error(`lab left things behind:\n${leaks.map((l) => `  ${l.kind}: ${l.what}`).join('\n')}`);
  log('lab: clean: no QEMU process, mount or loop device left behind');
  await sleep(0);
  return { result, lab };
}
