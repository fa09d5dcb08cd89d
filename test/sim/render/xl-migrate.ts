import type { DomainType } from '../model/types.js';

/**
 * The stderr transcript of `xl migrate DOMAIN HOST` (tools/xl/xl_migrate.c migrate_domain on the
 * sender, migrate_receive on the target, whose stderr comes back through ssh). Split into the
 * parts the simulator prints before and after the memory copy.
 */
export interface MigrateIds {
  readonly domid: number;
  readonly targetHost: string;
  readonly pid: number;
  readonly xenMinor: string;
  readonly type: DomainType;
  /** the header's optional-data length: the domain's config as xl sends it (migrationStreamConfigLength) */
  readonly streamLen: number;
}

/**
 * libxc's name for the guest in the save stream (tools/libs/guest/xg_sr_common.c dhdr_type_to_str,
 * chosen in xg_sr_save.c by dominfo.hvm): a PVH guest runs in an HVM container, so only PV is "x86 PV".
 */
const streamType = (t: DomainType): string => (t === 'pv' ? 'x86 PV' : 'x86 HVM');

/** The receiver's banner and both ends naming the stream: every migration that got that far begins so. */
export const streamOpened = (ids: MigrateIds): string =>
  'migration target: Ready to receive domain.\n' +
  `Saving to migration stream new xl format (info 0x3/0x0/${ids.streamLen})\n` +
  `Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/${ids.streamLen})\n`;

/** The sender's lines when the receiver's stream ends before WHAT: the transport (ssh) exited with STATUS. */
export const receiverGone = (ids: MigrateIds, what: string, status: number): string =>
  `libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading ${what} from migration receiver stream\n` +
  `libxl: info: libxl_exec.c:117:libxl_report_child_exitstatus: migration transport process [${ids.pid}] exited with error status ${status}\n`;

export const preamble = (ids: MigrateIds): string =>
  streamOpened(ids) +
  ' Savefile contains xl domain config in JSON format\n' +
  'Parsing config from <saved>\n' +
  `xc: info: Saving domain ${ids.domid}, type ${streamType(ids.type)}\n` +
  `xc: info: Found ${streamType(ids.type)} domain from Xen 4.${ids.xenMinor}\n` +
  'xc: info: Restoring domain\n';

/** libxc names the restored guest's xenstore and console pages and event channels (lab capture 11) */
export const transferDone = (): string =>
  'xc: info: Restore successful\n' +
  'xc: info: XenStore: mfn 0xfeffc, dom 0, evt 1\n' +
  'xc: info: Console: mfn 0xfefff, dom 0, evt 2\n' +
  'migration target: Transfer complete, requesting permission to start domain.\n' +
  'migration sender: Target has acknowledged transfer.\n' +
  'migration sender: Giving target permission to start.\n';

export const success = (): string =>
  'migration target: Got permission, starting domain.\n' +
  'migration target: Domain started successsfully.\n' +
  'migration sender: Target reports successful startup.\n' +
  'Migration successful.\n';

/** ssh could not reach the target: the receiver never sends its banner. */
export const failedBeforeTransfer = (ids: MigrateIds): string =>
  `ssh: connect to host ${ids.targetHost} port 22: No route to host\n` + receiverGone(ids, 'banner', 255);

/** The target could not create the domain (memory, DRBD): the sender resumes. */
export const failedTargetCreate = (ids: MigrateIds, why: string): string =>
  streamOpened(ids) +
  ' Savefile contains xl domain config in JSON format\n' +
  'Parsing config from <saved>\n' +
  why +
  'migration target: Domain creation failed (code -3).\n' +
  receiverGone(ids, 'ready message', 1) +
  'Migration failed, resuming at sender.\n';

/** The copy arrived but the target could not start it. */
export const failedAtTarget = (): string =>
  'migration target: Got permission, starting domain.\n' +
  'migration target: Failure, destroying our copy.\n' +
  'migration target: Cleanup OK, granting sender permission to resume.\n' +
  'migration sender: Target reports startup failure (status code 3).\n' +
  'migration sender: Trying to resume at our end.\n' +
  'migration sender: Resumed OK.\n' +
  'Migration failed due to problems at target.\n';

export const failedHandshake = (): string =>
  'libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading success/failure report message from migration receiver stream\n' +
  '** Migration failed during final handshake **\n' +
  'Domain state is now undefined !\n' +
  'Please CHECK AT BOTH ENDS for running instances, before renaming and\n' +
  ' resuming at most one instance.  Two simultaneous instances of the domain\n' +
  ' would probably result in SEVERE DATA LOSS and it is now your\n' +
  " responsibility to avoid that.  Sorry.\n";
