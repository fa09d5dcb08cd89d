import { splitLines } from './tool-lines.js';
import type { MigrationOutcome, MigrationOutcomeKind } from './xl-migrate.js';

/** xend's log, where XendOptions puts it unless xend-config.sxp's `logfile` says otherwise */
export const XEND_LOG = '/var/log/xen/xend.log';

// the forms a reset by the target's relocation server takes, by xend and Python release (below)
const RESET_RE = /^Error: (?:can't connect: )?\(104, 'Connection reset by peer'\)$|^Error: can't connect: (?:\[Errno 104\] )?Connection reset by peer$/;

const REFUSED_SENDER =
  "the target's xend closed the connection at once: its relocation server does not let this host in. On the target, add this host to " +
  '(xend-relocation-hosts-allow …) in /etc/xen/xend-config.sxp (with (xend-relocation-server yes)) and restart xend; ' +
  'its /var/log/xen/xend.log says "Rejected connection from …"';

/**
 * `xm migrate --live DOMAIN HOST` (xend). xm prints nothing on success; a failure comes back
 * from xend as an XML-RPC fault that main.py prints as `Error: <faultString>` followed by the
 * command's usage text, exit 1 (an unknown domain: `Error: Domain 'X' does not exist.`,
 * exit 3 = XendClient.ERROR_INVALID_DOMAIN). XendDomain.domain_migrate raises
 * `can't connect: <reason>` when the target's relocation server does not answer: nothing moved.
 *
 * A target whose xend-relocation-hosts-allow does not match the sender closes the connection it
 * accepted (xen/web/tcp.py, after connection.hostAllowed logged `Rejected connection from …`);
 * the sender's "receive\n" is unread by then, so the kernel answers with a reset and the sender's
 * sock.recv(80) raises ECONNRESET before XendCheckpoint.save has begun: the domU was not touched.
 * xend 3.3 … 4.4 word it `can't connect: <socket.error>`; 3.0.3 … 3.2 sent and read outside that
 * try, so the bare socket.error reaches xm, which Python 2.4/2.5 prints as a tuple:
 * `Error: (104, 'Connection reset by peer')` (2.6 on: `[Errno 104] Connection reset by peer`, which
 * a failed write inside save also reads as, so only the tuple form is taken bare).
 *
 * `Error: /usr/lib/xen/bin/xc_save FD DOMID 0 0 FLAGS failed` (also `… failed: popen failed`, the
 * helper not started) is XendCheckpoint.forkHelper's complaint that xc_save exited non-zero. The
 * domU is still on the sender and nothing was handed over: xc_domain_save writes (later releases:
 * flushes from its buffer) the stream's last bytes only on its way to success, so the target's
 * xc_restore reads a cut stream and its xend destroys the half-built domain; the sender's copy
 * is destroyed only after xc_save exited 0. XendCheckpoint.save then resumes it
 * (`dominfo.resumeDomain()`, xend 3.1 … 4.4) and re-raises (3.2 on; 3.1 did not, so xm said
 * nothing and exited 0: the verify step's lists catch that). Hence resumed-at-sender. Two cases
 * leave it on the sender but not running, which no text tells apart: xend 3.0 did not resume,
 * and resumeDomain logs a failed xc.domain_resume to xend.log only; the domU's state in `xm list`
 * after the migration shows those.
 *
 * xend keeps the reason of a failed save in its log, never in what xm prints: xc_save's own
 * complaint, and under 3.1 the whole failure (`Save failed on domain …`, xm silent, exit 0). An
 * outcome that may hide one names that log (XEND_LOG) as where to read it.
 */
export function classifyXmMigrate(stderr: string, exitCode: number | null): MigrationOutcome {
  const lines = splitLines(stderr).map((l) => l.trim());
  const errors = lines.filter((l) => l.startsWith('Error: '));
  const first = errors[0];
  const out = (kind: MigrationOutcomeKind, domainAt: MigrationOutcome['domainAt'], line: string | null, inLog = false): MigrationOutcome => ({
    kind,
    domainAt,
    decisiveLine: line,
    errorLines: errors,
    exitCode,
    ...(inLog ? { reasonLog: XEND_LOG } : {}),
  });
  // silence is success, unless the domU turns out not to have gone: then xend 3.1 swallowed the error
  if (first === undefined) return exitCode === 0 ? out('success', 'target', null, true) : out('unknown', 'unknown', null, true);
  if (/^Error: Domain '.*' does not exist\.$/.test(first)) return out('no-such-domain', 'unknown', first);
  if (RESET_RE.test(first)) return { ...out('failed-at-target', 'source', first), meaning: REFUSED_SENDER };
  if (/^Error: can't connect: /.test(first)) return out('failed-at-target', 'source', first);
  if (/^Error: \S*\/xc_save(?: \d+)+ failed(?:: popen failed)?$/.test(first)) return out('resumed-at-sender', 'source', first, true);
  if (/^Error: Unable to connect to xend/.test(first)) return out('unknown', 'source', first);
  return out('unknown', 'unknown', first);
}
