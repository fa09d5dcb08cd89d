import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';

/** One command's result in a Dom0, the three streams kept apart. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** the remote command's exit code; 255 = ssh itself failed; null = killed by our timeout */
  exitCode: number | null;
  durationMs: number;
}

export interface SshTarget {
  port: number;
  key: string;
  /** a running master's control socket (ssh -M); without it every command does a full handshake */
  controlPath?: string;
}

export function sshArgs(t: SshTarget): string[] {
  return [
    '-i', t.key,
    '-p', String(t.port),
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=15',
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=8',
    ...(t.controlPath ? ['-o', `ControlPath=${t.controlPath}`, '-o', 'ControlMaster=no'] : []),
    'root@127.0.0.1',
  ];
}

/**
 * Run `cmd` (a remote shell command line) over ssh. `stdinFile` is streamed to the remote stdin.
 * Times out by killing ssh (exitCode null). Never throws for a non-zero exit.
 */
export function sshExec(t: SshTarget, cmd: string, opts: { timeoutMs?: number; stdinFile?: string } = {}): Promise<ExecResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(t), cmd], { stdio: [opts.stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (opts.stdinFile) createReadStream(opts.stdinFile).pipe(child.stdin!);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: timedOut ? null : code,
        durationMs: Date.now() - t0,
      });
    });
  });
}
