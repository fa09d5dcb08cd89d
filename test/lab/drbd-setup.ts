import type { Dom0 } from './dom0.js';
import { sleep } from './log.js';

/** Poll `cmd` in `d` until `ok(stdout)` or the deadline; returns the last stdout. */
export async function waitFor(d: Dom0, cmd: string, ok: (stdout: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await d.exec(cmd, { timeoutMs: 60_000 });
    if (ok(r.stdout)) return r.stdout;
    if (Date.now() > deadline) throw new Error(`${d.name}: timed out waiting for ${what}; last \`${cmd}\`: ${r.stdout}${r.stderr}`);
    await sleep(1500);
  }
}

/** Load the module, create metadata and bring r0 up on both; wait for the connection. */
export async function drbdUpBoth(a: Dom0, b: Dom0): Promise<void> {
  await Promise.all([a, b].map((d) => d.run('modprobe drbd && drbdadm create-md --force r0 >/dev/null 2>&1 && drbdadm up r0')));
  await waitFor(a, 'drbdadm cstate r0', (s) => s.startsWith('Connected'), 120_000, 'r0 Connected');
}

/** Skip the initial full sync: both sides become UpToDate at once (fresh, identical empty disks). */
export async function drbdSkipInitialSync(a: Dom0, b: Dom0): Promise<void> {
  await a.run('drbdadm -- --clear-bitmap new-current-uuid r0');
  await waitFor(a, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/UpToDate'), 120_000, 'UpToDate/UpToDate');
  await waitFor(b, 'drbdadm dstate r0', (s) => s.startsWith('UpToDate/UpToDate'), 60_000, 'UpToDate/UpToDate on b');
}

/** Where domain `name` runs: the host names listing it in `xl list NAME` with exit 0. */
export async function whereIs(hosts: Dom0[], name: string): Promise<string[]> {
  const rs = await Promise.all(hosts.map((d) => d.exec(`xl list ${name}`)));
  return hosts.filter((_, i) => rs[i]!.exitCode === 0).map((d) => d.name);
}
