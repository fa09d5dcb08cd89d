import { lookup } from 'node:dns/promises';
import { realClock } from '../../shared/clock/real-clock.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseSshG, type SshRoute } from '../parse/ssh-g.js';
import { parseSshGHostKeys } from '../parse/ssh-g-host-keys.js';
import type { ToolRunner } from './exec.js';
import { withStderrCause, type AdapterFailure } from './tool-failure.js';
import { unsetSshVariables } from '../parse/ssh-g-env.js';
import { unsetVariablesExplained } from './ssh-unset-variables.js';

/**
 * Where `xl migrate NAME HOST` would send the domU, read without connecting: xl runs root's
 * `ssh HOST xl migrate-receive`, so the Host/Match rules of root's ~/.ssh/config and
 * /etc/ssh/ssh_config decide the machine, not the agent's config. `ssh -G` prints the result.
 * ssh -G runs no command, but its canonicalization (when configured) asks DNS: bounded.
 */
export async function sshRouteOf(run: ToolRunner, name: string, timeoutMs = 10_000): Promise<Result<SshRoute, AdapterFailure>> {
  // `--`: a name is never read as an option, whatever it looks like; -v: ssh says on stderr
  // whether it canonicalized the name, which changes how it resolves it
  const r = await run('ssh', ['-v', '-G', '--', name], { timeoutMs });
  if (r.ok) {
    const route = parseSshG(r.value.stdout, r.value.stderr);
    // the same dump says how ssh will check the host's key there: the preflight reads that too
    const keys = parseSshGHostKeys(r.value.stdout);
    if (!route.ok) return route;
    if (!keys.ok) return keys;
    return ok(keys.value === null ? route.value : { ...route.value, hostKeys: keys.value });
  }
  // a ${VAR} ssh found no value for: named with the options that hold it, as `xl migrate`'s ssh stops there too
  if (r.error.code === 'XH_ERR_TOOL_FAILED' && unsetSshVariables(r.error.stderr).length > 0) return err(await unsetVariablesExplained(run, name, r.error, timeoutMs));
  // the cause of a failure is said from ssh's own lines, not -v's version and debug lines before them
  return err(withStderrCause(r.error, r.error.stderr.split('\n').filter((l) => !/^(?:debug\d: |OpenSSH_)/.test(l))));
}

/** Every address a name resolves to here, or why it does not. */
export type Resolved = { readonly ok: true; readonly addresses: readonly string[] } | { readonly ok: false; readonly why: string };

/**
 * All addresses of NAME by the system resolver (getaddrinfo: /etc/hosts, then DNS as nsswitch
 * says), as ssh and xend resolve it; an address resolves to itself. Bounded: a DNS server that
 * does not answer must not hold a migration's preflight for minutes.
 */
export async function addressesOf(name: string, timeoutMs = 10_000): Promise<Resolved> {
  let cancel = (): void => undefined;
  const late = new Promise<Resolved>((resolve) => {
    cancel = realClock.schedule(timeoutMs, () => resolve({ ok: false, why: `resolving ${name} took longer than ${timeoutMs / 1000} s` }));
  });
  const asked = lookup(name, { all: true }).then(
    (all): Resolved => ({ ok: true, addresses: all.map((a) => a.address) }),
    (e: unknown): Resolved => {
      const code = e instanceof Error && 'code' in e ? String(e.code) : String(e);
      return { ok: false, why: code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `${name} does not resolve (${code})` : `resolving ${name}: ${code}` };
    },
  );
  try {
    return await Promise.race([asked, late]);
  } finally {
    cancel();
  }
}
