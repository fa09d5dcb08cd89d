import { landed, withUnsettled, type Ledger } from './ledger.js';

/** what became of the process an inflight record names (shared/fs/file-lock.ts holderLineState) */
export type HolderState = 'alive' | 'gone' | 'unverifiable';

/**
 * A migration's inflight record is removed with its outcome by the process that runs it. One whose
 * process is gone (killed, crashed, the Dom0 rebooted, or it ended after its write of that outcome
 * failed, as on a full disk) was interrupted at an unknown point for this ledger: the domU may run
 * here, on the peer, on both or on neither. That is an ALARM like any other unknown ending, so it
 * reads as unsettled: autostart leaves the domU alone, the controller shows it, and `reconcile NAME` settles it once a person has checked both hosts. A record whose process cannot
 * be verified stays as it is: guessing "gone" could take a running migration for a dead one.
 */
export function interruptedMigrations(l: Ledger, holder: (line: string) => HolderState): Ledger {
  let out = l;
  for (const [name, rec] of Object.entries(l.inflight)) {
    if (holder(rec.holder) !== 'gone') continue;
    const pid = rec.holder.split(' ')[0] ?? '?';
    const message =
      `ALARM: the ${rec.operation} of ${name} with ${rec.peer} was interrupted: process ${pid}, which ran it, ended before its outcome was known ` +
      `(killed, crashed, this Dom0 restarted, or it could not write the outcome to this ledger, as on a full disk: that command's output or the agent's journal says so); ${name} may run here, on ${rec.peer}, on both or on neither: check both hosts`;
    out = withUnsettled(landed(out, name), name, { peer: rec.peer, since: rec.since, operationId: rec.operationId, operation: rec.operation, message });
  }
  return out;
}
