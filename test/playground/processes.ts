import { spawn } from 'node:child_process';

/** One run of a bundle as a child process (asynchronously: the simulator answers from this loop). */
export function runNode(bundle: string, args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [bundle, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like runNode, handing over each line of stdout and stderr as it is printed. */
export function runNodeStreaming(
  bundle: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  onLine: (line: string) => void,
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [bundle, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const lines = (stream: NodeJS.ReadableStream, keep: boolean): void => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => {
        if (keep) stdout += d;
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      stream.on('end', () => buf && onLine(buf));
    };
    lines(c.stdout, true);
    lines(c.stderr, false);
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

/** The three bundles, built into dir (the demo and the playground run what ships). */
export async function buildBundles(dir: string): Promise<{ agent: string; controller: string; ctl: string }> {
  const r = await runNode('packaging/build.mjs', ['--outdir', dir], {});
  if (r.code !== 0) throw new Error(`build failed:\n${r.stderr}`);
  return { agent: `${dir}/xenherd-agent`, controller: `${dir}/xenherd-controller`, ctl: `${dir}/xenherdctl` };
}
