import { classifyToolstackStderr, TOOLS_MISMATCH_FIX, type ToolstackComplaint } from '../parse/xl-stderr.js';
import type { ToolFailure } from './tool-failure.js';
import { classifyXenstoreStderr } from '../parse/xenstore-stderr.js';

/** Rewrites the message of a toolstack failure whose stderr we recognise, so a person sees why. */
export function explainToolstackFailure(f: ToolFailure): ToolFailure {
  const c = classifyToolstackStderr(f.stderr);
  return c === null ? f : { ...f, message: `${f.tool} ${f.args.join(' ')}: ${why(c)}` };
}

/**
 * Likewise for a xenstore tool that could not open xenstore (`xenstore-watch: xs_open: No such file
 * or directory`): said as xl's same failure is, naming xenstored and where to look.
 */
export function explainXenstoreFailure(f: ToolFailure): ToolFailure {
  const c = classifyXenstoreStderr(f.stderr);
  return c === null ? f : { ...f, message: `${f.tool} ${f.args.join(' ')}: ${why(c)}` };
}

function why(c: ToolstackComplaint): string {
  switch (c.kind) {
    case 'no-such-domain':
      return `no domain "${c.domain}"`;
    case 'xend-running':
      return 'xl refuses to change anything while xend runs: use xm (set the toolstack to xm) or stop xend';
    case 'xend-not-running':
      // xm is only a client: every command asks xend over its socket, missing (ENOENT) or left behind by a dead xend (ECONNREFUSED)
      return `xend is not running (${c.reason}): start it (\`/etc/init.d/xend start\`); if it stops again, /var/log/xen/xend.log and xend-debug.log say why`;
    case 'no-hypervisor':
      return `cannot reach the Xen hypervisor (${c.reason}): is this Dom0 booted with Xen? (its boot menu entry, and /proc/xen/capabilities saying control_d)`;
    case 'xenstore-down':
      return (
        `cannot connect to xenstore (${c.reason}): xenstored is not running on this Dom0. See \`systemctl status xenstored xencommons\` ` +
        '(xencommons starts it at boot) and /var/log/xen/xenstored*; it runs only on a Dom0 booted with Xen (/proc/xen/capabilities saying control_d)'
      );
    case 'tools-mismatch':
      return `Xen refused ${c.refused} ("Permission denied", though xl runs as root): ${TOOLS_MISMATCH_FIX}`;
    case 'need-root':
      return 'must run as root';
    case 'no-pv-control':
      // xl asks the guest's PV drivers through xenstore; an HVM guest without them never sees the request
      return (
        `the guest has no PV drivers answering (an HVM guest without Xen PV drivers, or one not booted far enough to load them), so it cannot be asked to ${c.action}; ` +
        `\`xl ${c.action} -F\` sends it an ACPI ${c.action === 'shutdown' ? 'power button' : 'reset'} event instead, which the guest must handle`
      );
  }
}
