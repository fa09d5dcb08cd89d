/**
 * A process named so that a later reader can tell whether it still runs: `PID STARTTIME BOOTID`,
 * STARTTIME being field 22 of /proc/PID/stat and BOOTID /proc/sys/kernel/random/boot_id ('?' where
 * the kernel did not say). Lock files hold it (shared/fs/file-lock.ts), and so does a
 * ledger's record of a migration under way (agent/state/ledger.ts).
 */
export const HOLDER_LINE_RE = /^([1-9][0-9]{0,9}) ([0-9]{1,20}|\?) ([0-9a-f-]{36}|\?)$/;

/** what older xenherd wrote in a lock: the pid alone */
export const PID_ONLY_LINE_RE = /^([1-9][0-9]{0,9})$/;
