import notify from 'systemd-notify';

/**
 * sd_notify through the systemd-notify package, which runs the `systemd-notify` binary (part of
 * systemd on every Dom0 that runs systemd). Only when NOTIFY_SOCKET is set, i.e. under a
 * Type=notify unit; the unit sets NotifyAccess=all because the message comes from that child.
 * Never throws: a failure is returned as a sentence for the log.
 */
export type SdNotify = (message: { readonly ready?: boolean; readonly status: string }) => Promise<string | null>;

export function createSdNotify(env: Readonly<Record<string, string | undefined>>): SdNotify | null {
  if (!env['NOTIFY_SOCKET']) return null;
  return async (message) => {
    try {
      await notify({ ...(message.ready ? { ready: true } : {}), status: message.status.replace(/\n/g, ' ') });
      return null;
    } catch (e) {
      return `systemd-notify failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
}
