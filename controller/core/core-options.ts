import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { ServerCertificate } from '../fleet/server-certificate.js';
import type { JobSettings } from '../jobs/settings.js';
import type { RollRecords } from '../plan/roll-record.js';
import type { ControllerSettings } from './settings.js';

/** What the composition root (serve, a test's bed) gives a ControllerCore. */
export interface ControllerCoreOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** unique ids for commands and their ledger operations (the composition root passes randomUUID) */
  readonly newId: () => string;
  readonly settings?: Partial<ControllerSettings>;
  /** the executor's limits and timing (controller/jobs/settings.ts) */
  readonly jobs?: Partial<JobSettings>;
  /** who this controller is: the owner of the maintenance flags it claims (serve passes xenherd-controller@HOST:PORT/ID, controller/files/controller-instance.ts) */
  readonly identity?: string;
  /** where rolls keep the hosts they finished (the state dir's roll-progress.json); memory when not given */
  readonly rollRecords?: RollRecords;
  /** the hosts with an agent token (serve: tokens.json, as it stands when asked); absent: not known, nothing is forgotten */
  readonly enrolled?: () => ReadonlySet<string>;
  /** the certificate serve presents, as read from its TLS files (check and /metrics judge it); absent without TLS */
  readonly certificate?: ServerCertificate;
}
