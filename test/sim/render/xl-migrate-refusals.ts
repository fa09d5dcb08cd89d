import { receiverGone, streamOpened, type MigrateIds } from './xl-migrate.js';

/**
 * `xl migrate` to a Dom0 running xend: the target's `xl migrate-receive` (a command that modifies,
 * so xl.c main() checks for xend first) prints its refusal, which ssh brings back, and exits 1
 * before the banner. Byte for byte test/fixtures/xl/xend-running.stderr.txt, then the sender's
 * lines of test/fixtures/xl/migrate-4.17-target-unreachable.txt with the transport's status 1.
 */
export const failedXendAtTarget = (ids: MigrateIds): string =>
  'xend is running, which may cause unpredictable results when using\n' +
  'this xl command.  Please shut down xend before continuing.\n' +
  '\n' +
  '(This check can be overridden with the -f option.)\n' +
  receiverGone(ids, 'banner', 1);

/**
 * `xl migrate` to an older Xen whose xl does not know the stream-v2 header flag (Xen 4.6 added it,
 * XL_MANDATORY_FLAG_STREAMv2, 0x2): the receiver's restore refuses the header before it reads the
 * config ("Savefile has mandatory flag(s) … need newer xl", create_domain's ERROR_INVAL, -6) and the
 * sender resumes. Composed from the messages of xl_cmdimpl.c / xl_migrate.c in the order they run,
 * not captured. A target as new as the sender or newer reads the stream.
 */
export const failedOlderXenAtTarget = (ids: MigrateIds): string =>
  streamOpened(ids) +
  'Savefile has mandatory flag(s) 0x2 which are not supported; need newer xl\n' +
  'migration target: Domain creation failed (code -6).\n' +
  receiverGone(ids, 'ready message', 1) +
  'Migration failed, resuming at sender.\n';

/** "4.17.7" → [4, 17]; null when it does not read so. */
export const xenMajorMinor = (v: string | undefined): readonly [number, number] | null => {
  const m = /^(\d+)\.(\d+)/.exec(v ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
};

/** Whether Xen TO is older than FROM (by major.minor: a migration goes to the same or a newer release). */
export const olderXen = (from: string | undefined, to: string | undefined): boolean => {
  const a = xenMajorMinor(from);
  const b = xenMajorMinor(to);
  return a !== null && b !== null && (b[0] < a[0] || (b[0] === a[0] && b[1] < a[1]));
};
