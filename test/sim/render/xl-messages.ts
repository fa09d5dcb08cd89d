import type { OpError } from '../ops/result.js';

/**
 * xl's error and progress lines (stderr). From tools/xl (xl_utils.c find_domain, xl_vmcontrol.c,
 * xl_migrate.c). libxl error lines carry source line numbers of the 4.17 build; they are
 * approximations until a lab capture pins them.
 */
export const invalidDomain = (p: string): string => `${p} is an invalid domain identifier (rc=-6)\n`;
/** xl_info.c main_list, when libxl_domain_info finds no domain with the domid given */
export const noSuchDomain = (p: string): string => `Error: Domain '${p}' does not exist.\n`;
export const parsingConfig = (path: string): string => `Parsing config from ${path}\n`;
export const shuttingDown = (domid: number): string => `Shutting down domain ${domid}\n`;
export const waitingFor = (n: number): string => `Waiting for ${n} domains\n`;
export const hasShutDown = (domid: number): string => `Domain ${domid} has been shut down, reason code 0\n`;
export const commandNotImplemented = 'command not implemented\n';

export function createFailure(e: OpError, domid: number, cfgPath: string): string {
  switch (e.kind) {
    case 'name-taken':
      return `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${domid}:Domain with name "${e.name}" already exists.\nlibxl: error: libxl_create.c:1294:initiate_domain_create: Domain ${domid}:cannot make domain: -6\n`;
    case 'no-memory':
      return 'failed to free memory for the domain\n';
    case 'drbd-state':
    case 'not-replica':
    case 'drbd-missing':
      return (
        `libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/block-drbd add [${1000 + domid}] exited with error status 1\n` +
        `libxl: error: libxl_device.c:1337:device_hotplug_child_death_cb: script: ${e.kind === 'drbd-state' ? `${e.res}: State change failed: (${e.code}) ${e.text}` : `DRBD resource ${e.res} is not configured on this host`}\n` +
        `libxl: error: libxl_create.c:1670:domcreate_launch_dm: Domain ${domid}:unable to add disk devices\n` +
        `libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain ${domid}:Non-existant domain\n` +
        `libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain ${domid}:Unable to destroy guest\n` +
        `libxl: error: libxl_domain.c:1064:domain_destroy_cb: Domain ${domid}:Destruction of domain failed\n`
      );
    default:
      return `Failed to read config file: ${cfgPath}: No such file or directory\n`;
  }
}
