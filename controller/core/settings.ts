/** The controller core's timing and limits (the config file sets them in seconds and bytes). */
export interface ControllerSettings {
  /** agents send a heartbeat this often; the controller sends each agent its `fleet` view this often */
  readonly heartbeatMs: number;
  /** a host unheard for this long is unreachable and its link is closed */
  readonly staleAfterMs: number;
  /** a command without a result after this long ends with XH_ERR_TIMEOUT (outcome unknown) */
  readonly commandTimeoutMs: number;
  /** the largest message an agent may send (the WebSocket's maxPayload) */
  readonly maxMessageBytes: number;
  /** changes to what an agent's guarded domUs run on are batched this long before `fleet` goes out */
  readonly fleetCoalesceMs: number;
  /** conflicts are looked for again this long after a change (and on every heartbeat sweep) */
  readonly alertDebounceMs: number;
  /**
   * a look for conflicts begins no sooner than this after the last one ended: while a restarted
   * controller takes back 2,000 agents every report asks for one, and looks one after another (tens
   * of ms of CPU each over the fleet) held up the joins and `where`. So a change is in the findings
   * of a look that begins at most alertDebounceMs plus one look under way plus this after it.
   */
  readonly alertScanEveryMs: number;
}

export const DEFAULT_SETTINGS: ControllerSettings = {
  heartbeatMs: 5_000,
  staleAfterMs: 15_000,
  commandTimeoutMs: 60 * 60_000,
  maxMessageBytes: 4 * 1024 * 1024,
  fleetCoalesceMs: 25,
  alertDebounceMs: 200,
  alertScanEveryMs: 1_000,
};
