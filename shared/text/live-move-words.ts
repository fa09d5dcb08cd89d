import type { LinkXen } from '../protocol/agent-link-values.js';

/**
 * Why no live migration goes between two Dom0s' tools, in one set of words for the controller's
 * refusal (controller/core/operator-command.ts) and the agent's preflight (agent/decide/preflight.ts),
 * so an operator reads the same sentence whichever refused the move first. Each caller adds what
 * happened to the move (nothing sent, nothing moved).
 */

/** `xm migrate --live` and xl's receiving end each need their own toolstack at the other end. */
export const otherToolstackWords = (name: string, from: string, fromToolstack: string, to: string, toToolstack: string): string =>
  `${name} runs on ${from} (${fromToolstack}) and ${to} runs ${toToolstack}: a live migration stays within one toolstack (xm migrate --live needs the target's xend relocation server, which an xl Dom0 has not; xl's receiving end refuses to run beside xend)`;

/** A target whose major.minor is older than the source's: its tools refuse the newer stream. */
export const olderXenWords = (name: string, from: string, fromVersion: string, to: string, toVersion: string): string =>
  `${name} runs on ${from} (Xen ${fromVersion}) and ${to} runs Xen ${toVersion}, an older release: a live migration goes to the same Xen release or a newer one (the older release's tools refuse the newer stream; xl says "Savefile has mandatory flag(s) … need newer xl" and the domU stays on ${from})`;

/** Whether TARGET's release is older than SOURCE's by major.minor (a point release is no older); false when either is not known. */
export function isOlderRelease(source: LinkXen | null | undefined, target: LinkXen | null | undefined): boolean {
  if (!source || !target) return false;
  return target.major < source.major || (target.major === source.major && target.minor < source.minor);
}
