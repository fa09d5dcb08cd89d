import type { Clock } from '../../shared/clock/clock.js';
import { CtlClient } from './client.js';
import type { CtlConfig } from './config.js';

/** A controller's host:port as the notes and listings name it. */
export const controllerLabel = (u: URL): string => u.host;

/**
 * How long one controller of several is given to connect, shake hands and answer. A primary
 * powered off or cut off sends no RST: the connect just hangs, and with the ordinary 10 s bound
 * every command paid 10 s before the standby was asked, `check` more than check_nrpe's own 10 s,
 * so the Nagios check timed out in the very failover it watches. A controller answers its Dom0s
 * and its jobs from memory in milliseconds, even while it plans; 2 s leaves room for a slow link
 * and TLS, and keeps a command with a hung primary and a standby near 2 s. One passed over as too
 * slow is said unreachable, as one down is.
 */
export const PROBE_TIMEOUT_MS = 2_000;

/** One controller of the primary and its standbys: its URL, label and a client that asks it alone. */
export interface SetMember {
  readonly url: URL;
  readonly label: string;
  /** the primary's role, or a standby's, for a listing's heading */
  readonly role: 'primary' | 'standby';
  readonly client: CtlClient;
}

/** A client asking the controller at URL alone (no standby of its own), within PROBE_TIMEOUT_MS. */
export const askingAlone = (c: CtlConfig, url: URL, clock: Clock): CtlClient => new CtlClient({ ...c, url, standbyUrls: [] }, clock, null, PROBE_TIMEOUT_MS);

/** C's url and standbyUrls, the primary first, each asked alone within PROBE_TIMEOUT_MS. */
export function controllerSet(c: CtlConfig, clock: Clock): SetMember[] {
  return [c.url, ...(c.standbyUrls ?? [])].map((url, i) => ({
    url,
    label: controllerLabel(url),
    role: i === 0 ? 'primary' : 'standby',
    client: askingAlone(c, url, clock),
  }));
}
