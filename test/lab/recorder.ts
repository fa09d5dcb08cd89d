import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dom0 } from './dom0.js';
import type { ExecResult } from './ssh.js';

/**
 * Saves real command outputs as fixtures: STATE/HOST.NAME.{stdout,stderr,rc}, each file starting
 * with `#@ ` header lines (lab, versions, host, state, command line), then the output verbatim
 * (test/fixture.ts convention). `rc` holds the exit code and a newline.
 */
export interface LabIdentity {
  xenVersion: string;
  xenPackage: string;
  kernel: string;
  drbdModule: string;
  drbdUtils: string;
  debian: string;
}

export interface StateInfo {
  dir: string;
  title: string;
  description: string;
  files: string[];
}

export class Recorder {
  readonly states: StateInfo[] = [];
  private current: StateInfo | null = null;

  constructor(
    readonly root: string,
    readonly id: LabIdentity,
  ) {
    mkdirSync(root, { recursive: true });
  }

  /** Start a new state folder, e.g. state('04-drbd-connected-secondary', 'both Secondary, Connected', '...'). */
  state(dir: string, title: string, description = ''): void {
    this.current = { dir, title, description, files: [] };
    this.states.push(this.current);
    mkdirSync(join(this.root, dir), { recursive: true });
  }

  header(host: string, command: string, note?: string): string {
    const i = this.id;
    const lines = [
      `xenherd lab (test/lab: QEMU TCG, Debian ${i.debian}) Xen ${i.xenVersion} (xen-hypervisor-4.17-amd64 ${i.xenPackage}), Dom0 kernel ${i.kernel}, DRBD module ${i.drbdModule}, drbd-utils ${i.drbdUtils}`,
      `host: ${host}; state: ${this.current?.dir ?? '?'} (${this.current?.title ?? ''})`,
      `command: ${command}`,
    ];
    if (note) lines.push(`note: ${note}`);
    return lines.map((l) => `#@ ${l}\n`).join('');
  }

  /** Write one command's three files. */
  save(host: string, name: string, command: string, r: Pick<ExecResult, 'stdout' | 'stderr' | 'exitCode'>, note?: string): void {
    if (!this.current) throw new Error('Recorder.save before state()');
    const h = this.header(host, command, note);
    const base = join(this.root, this.current.dir, `${host}.${name}`);
    writeFileSync(`${base}.stdout`, h + r.stdout);
    writeFileSync(`${base}.stderr`, h + r.stderr);
    writeFileSync(`${base}.rc`, `${h}${r.exitCode === null ? 'timeout' : r.exitCode}\n`);
    this.current.files.push(`${host}.${name}`);
  }

  /** Run `command` in `d` and save it under `name`. */
  async cap(d: Dom0, name: string, command: string, opts: { timeoutMs?: number; note?: string } = {}): Promise<ExecResult> {
    const r = await d.exec(command, { timeoutMs: opts.timeoutMs ?? 120_000 });
    this.save(d.name, name, command, r, opts.note);
    return r;
  }
}

/** A file-name-safe command name: "drbdadm role r0" -> "drbdadm-role-r0". */
export function slug(command: string): string {
  return command
    .replace(/\/etc\/xen\/(drbd-auto\/)?/g, '')
    .replace(/[^A-Za-z0-9@.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}
