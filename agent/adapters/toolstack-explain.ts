import { classifyToolstackStderr } from '../parse/xl-stderr.js';
import type { ToolFailure } from './tool-failure.js';

/** Rewrites the message of a toolstack failure whose stderr we recognise, so a person sees why. */
export function explainToolstackFailure(f: ToolFailure): ToolFailure {
  const c = classifyToolstackStderr(f.stderr);
  if (c === null) return f;
  const why =
    c.kind === 'no-such-domain'
      ? `no domain "${c.domain}"`
      : c.kind === 'xend-running'
        ? 'xl refuses to change anything while xend runs: use xm (set the toolstack to xm) or stop xend'
        : c.kind === 'xend-not-running'
          ? `xend is not running (${c.reason})`
          : c.kind === 'no-hypervisor'
            ? `cannot reach the Xen hypervisor (${c.reason}): is this Dom0 booted with Xen? (its boot menu entry, and /proc/xen/capabilities saying control_d)`
            : 'must run as root';
  return { ...f, message: `${f.tool} ${f.args.join(' ')}: ${why}` };
}
