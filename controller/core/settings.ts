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
}

export const DEFAULT_SETTINGS: ControllerSettings = {
  heartbeatMs: 5_000,
  staleAfterMs: 15_000,
  commandTimeoutMs: 60 * 60_000,
  maxMessageBytes: 4 * 1024 * 1024,
  fleetCoalesceMs: 25,
  alertDebounceMs: 200,
};
