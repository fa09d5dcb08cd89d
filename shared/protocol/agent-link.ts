import * as z from 'zod';
import { knownCodeOf, WireErrorCodeSchema } from './wire-error-code.js';
import {
  DomuNameSchema,
  HostNameSchema,
  HostStatePatchSchema,
  HostStateSchema,
  LINK_LIMITS,
} from './agent-link-state.js';
import { CommandIdSchema, CommandSchema, ResultDataSchema } from './agent-link-commands.js';
import { DomainRowsSchema } from './domain-rows.js';

export { CommandSchema, ResultDataSchema, CAPABILITY } from './agent-link-commands.js';
export type { CommandBody, CommandMessage, InspectReport, MaintenanceReport, ResultData } from './agent-link-commands.js';

/**
 * The agent link: one WebSocket per agent (or an in-memory link in tests), one JSON object per
 * text frame, each parsed with these schemas on arrival. The agent opens it with its per-host
 * token, then:
 *
 *   agent → controller:  hello → snapshot → (delta | heartbeat | progress | result)*
 *   controller → agent:  welcome → (fleet | command)*        or   error, then close
 *
 * A `delta` replaces whole sections of the host's state: no merging of lists, so a lost or
 * reordered change can never leave half a list behind. The one exception is `domains` under the
 * link feature `domain-rows` (domain-rows.ts): the changed rows and a row count, checked on
 * arrival. `seq` rises with every snapshot and delta of one connection.
 *
 * The version is checked first, before the rest of `hello`: a mismatch is answered with `error`
 * XH_ERR_PROTOCOL naming both versions. `error` keeps its shape in every version.
 *
 * Within a version, additions travel only where both ends said they understand them: the
 * controller sends a `command` op only to an agent that announced it in `hello.capabilities`; an
 * agent sends a message type added later (`view`) only to a controller whose `welcome.accepts`
 * lists its feature word, and a controller lists it only to an agent that announced the same word
 * (an older agent would refuse a welcome with a field it does not know).
 */
export const AGENT_LINK_PROTOCOL_VERSION = 1;
/** The URL path the controller serves the agent link on. */
export const AGENT_LINK_PATH = '/v1/agent';

/**
 * An agent's reconnect backoff while the controller is down: doubling from 1 s up to this, each
 * wait jittered by 0.5 to 1.5. The controller reads it too: after its start it waits out the
 * longest such wait (and the reconnect spread) before it calls an enrolled Dom0 that has not
 * reconnected unreachable.
 */
export const LINK_RETRY_MAX_MS = 60_000;
export const LINK_RETRY_JITTER = { min: 0.5, max: 1.5 } as const;
export const LINK_LONGEST_RETRY_WAIT_MS = LINK_RETRY_MAX_MS * LINK_RETRY_JITTER.max;

/**
 * How far apart agents spread their first try after a link that was up is lost (a controller
 * restart, upgrade or failover drops every link at once): each waits a uniform draw in
 * [0, spread] first. A join costs the controller some 5-9 ms of CPU (TLS, token, snapshot), so
 * 10 ms per enrolled Dom0 keeps arrivals within what it can take instead of a listen backlog
 * that overflows and handshakes that time out (each failure a retry, each retry another
 * handshake). At least 1.5 s: a small fleet comes back as fast as before; at most 60 s.
 */
export const RECONNECT_SPREAD = { perHostMs: 10, minMs: 1_500, maxMs: 60_000 } as const;
export const reconnectSpreadMs = (enrolledHosts: number): number =>
  Math.min(RECONNECT_SPREAD.maxMs, Math.max(RECONNECT_SPREAD.minMs, Math.round(enrolledHosts * RECONNECT_SPREAD.perHostMs)));

/** At most what a Date holds: a larger `at` is no time, and would throw where it is printed. */
export const MS_EPOCH_MAX = 8.64e15;
const MsEpochSchema = z.number().int().nonnegative().max(MS_EPOCH_MAX);
const Text = z.string().max(LINK_LIMITS.text);
const FeatureWord = z.string().regex(/^[a-z0-9-]{1,32}$/);

/** Link features added within version 1, announced in hello.capabilities and answered in welcome.accepts. */
export const LINK_FEATURE = {
  /** the agent says when its view of its own domains is behind (`view`) */
  viewLag: 'view-lag',
  /** the agent reports migrations whose ending nobody knows (`ledger.unsettled`) */
  unsettled: 'unsettled',
  /** the agent may send `domains` as the changed rows (`delta.rows`, domain-rows.ts) */
  domainRows: 'domain-rows',
  /** the agent takes `fleet.silent`: which hosts of its view the controller no longer hears from */
  fleetSilent: 'fleet-silent',
  /** the agent's snapshot says its view (`snapshot.view`): the controller keeps what it knew of the view across a reconnect */
  snapshotView: 'snapshot-view',
  /** the agent takes `welcome.reconnectSpreadMs` */
  reconnectSpread: 'reconnect-spread',
  /** the agent takes `fleet.incoming`: the live migrations this controller has under way toward it */
  incomingMoves: 'incoming-moves',
  /** the agent reports its hypervisor's release (`state.xen`) */
  xenVersion: 'xen-version',
  /** the agent may mark a DRBD peer diskless by its configuration (`drbd.resources[].peers[].client`, a tiebreaker) */
  drbdClient: 'drbd-client',
  /**
   * the agent may mark its own side of a DRBD resource diskless by its configuration
   * (`drbd.resources[].client`, this Dom0 a DRBD client): a word of its own, as controllers that
   * took `drbd-client` before it refuse the key on the resource
   */
  drbdLocalClient: 'drbd-local-client',
  /** the agent reports the free space under its state and runtime dirs (`state.stateDisks`) */
  stateDisk: 'state-disk',
  /** the agent may say since when Xen has run a domain (`domains[].startedAt`, libxl's start_time) */
  domainStarted: 'domain-started',
} as const;

// ---- agent → controller ----

export const HelloSchema = z.strictObject({
  type: z.literal('hello'),
  protocol: z.literal(AGENT_LINK_PROTOCOL_VERSION),
  host: HostNameSchema,
  /** /proc/sys/kernel/random/boot_id: tells a reboot from a reconnect */
  bootId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a boot id'),
  agentVersion: z.string().min(1).max(64),
  /** what this agent can do, e.g. "migrate", "reverse", "fleet-view"; unknown words are kept */
  capabilities: z.array(FeatureWord).max(LINK_LIMITS.capabilities),
});
export type Hello = z.infer<typeof HelloSchema>;

const ViewWordSchema = z.enum(['current', 'behind', 'unknown']);
/**
 * `view` (feature `snapshot-view`; absent otherwise): how current the agent's view of its domains
 * is as it sends the snapshot, as `view` below says it. Said with the rows, so the empty domains
 * of an agent that cannot read `xl list` never reach the controller unmarked on a new link (a
 * `view` message may only follow the snapshot), where they would read as "none run here".
 */
export const SnapshotSchema = z.strictObject({ type: z.literal('snapshot'), seq: z.number().int().nonnegative(), at: MsEpochSchema, state: HostStateSchema, view: ViewWordSchema.optional() });
/** Sections replaced whole in `state`; with feature `domain-rows`, `domains` may come as `rows` instead (never both). */
export const DeltaSchema = z
  .strictObject({ type: z.literal('delta'), seq: z.number().int().nonnegative(), at: MsEpochSchema, state: HostStatePatchSchema, rows: DomainRowsSchema.optional() })
  .refine((d) => d.rows !== undefined || Object.keys(d.state).length > 0, { message: 'a delta replaces at least one section', path: ['state'] })
  .refine((d) => d.rows === undefined || d.state.domains === undefined, { message: 'a delta carries domains whole or as rows, not both', path: ['rows'] });
export const HeartbeatSchema = z.strictObject({ type: z.literal('heartbeat'), at: MsEpochSchema });
/** One line of a running command's progress, for the operator's terminal. */
export const ProgressSchema = z.strictObject({ type: z.literal('progress'), commandId: CommandIdSchema, line: Text });
/**
 * How a command ended; `code` is null exactly when ok. A code this build does not know (a newer
 * agent's) is read as XH_ERR_INTERNAL with the original in the message: the outcome is kept.
 */
export const ResultSchema = z.strictObject({
  type: z.literal('result'),
  commandId: CommandIdSchema,
  ok: z.boolean(),
  code: WireErrorCodeSchema.nullable(),
  message: Text,
  detail: z.string().max(8000).nullable(),
  /** a structured answer for the ops that have one (inspect, maintenance); absent or null otherwise */
  data: ResultDataSchema.nullable().optional(),
})
  .refine((r) => r.ok === (r.code === null), 'code is null exactly when ok is true')
  .transform((r) => (r.code === null ? { ...r, code: null } : { ...r, ...knownCodeOf(r.code, r.message, LINK_LIMITS.text) }));

/**
 * How current the agent's view of its own domains is (feature `view-lag`): `behind` when it saw a
 * domain change (xenstore's @introduceDomain / @releaseDomain) and the `xl list` it asked for has
 * been outstanding for seconds (a slow or hung toolstack); `unknown` when `xl list` cannot be read
 * at all (its reports then carry no domains, which is not "none"); `current` once a read after the
 * change landed (sent after the delta carrying it). Sent on every change, after the snapshot (with
 * feature `snapshot-view`, the snapshot itself says the view the link starts with). The controller
 * marks the host's rows stale while it is not current.
 */
export const ViewSchema = z.strictObject({ type: z.literal('view'), at: MsEpochSchema, view: ViewWordSchema });
export type ViewMessage = z.infer<typeof ViewSchema>;
export type ViewWord = ViewMessage['view'];

export const AgentMessageSchema = z.discriminatedUnion('type', [HelloSchema, SnapshotSchema, DeltaSchema, HeartbeatSchema, ProgressSchema, ResultSchema, ViewSchema]);
export type AgentMessage = z.infer<typeof AgentMessageSchema>;
export type SnapshotMessage = z.infer<typeof SnapshotSchema>;
export type DeltaMessage = z.infer<typeof DeltaSchema>;
export type ResultMessage = z.infer<typeof ResultSchema>;

// ---- controller → agent ----

export const WelcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  protocol: z.literal(AGENT_LINK_PROTOCOL_VERSION),
  /**
   * send a heartbeat at least this often. Bounded as the controller's config bounds it
   * (heartbeatSeconds 0.1 to 300): an agent must not be told to send a frame every millisecond.
   */
  heartbeatMs: z.number().int().min(100).max(300_000),
  /** the controller calls the host unreachable (and closes the link) after this long unheard (staleAfterSeconds 0.3 to 3600) */
  staleAfterMs: z.number().int().min(300).max(3_600_000),
  /** the LINK_FEATURE words of this agent's capabilities the controller takes; absent: none */
  accepts: z.array(FeatureWord).max(LINK_LIMITS.capabilities).optional(),
  /**
   * RECONNECT_SPREAD for this controller's enrolled Dom0s: how long this agent may wait before its
   * first try when this link is lost. Sent only to an agent announcing LINK_FEATURE.reconnectSpread
   * (an older agent refuses a field it does not know); absent: the agent's own first wait.
   */
  reconnectSpreadMs: z.number().int().min(0).max(RECONNECT_SPREAD.maxMs).optional(),
});

/** Sent before the controller closes the link; stable across protocol versions (a code this build does not know: as in a result). */
export const LinkErrorSchema = z
  .strictObject({ type: z.literal('error'), code: WireErrorCodeSchema, message: Text })
  .transform((e) => ({ ...e, ...knownCodeOf(e.code, e.message, LINK_LIMITS.text) }));


/**
 * The controller's view for guarded autostart: for every domU this agent guards or is home of,
 * the hosts the controller sees running it (any state, migration rows included; hosts whose last
 * report is stale included too: a silent host may still run it). Sent after the first snapshot,
 * on every change of those entries, and every heartbeatMs (so it doubles as the controller's
 * heartbeat: an agent that hears no `fleet` for staleAfterMs stops trusting it).
 */
/** the most hosts a `fleet` message names as silent: an agent refuses a message naming more */
export const FLEET_SILENT_MAX = 64;
/** the most domUs a `fleet` message names as incoming: more than any drain runs at once toward one Dom0 */
export const FLEET_INCOMING_MAX = 64;

export const FleetSchema = z.strictObject({
  type: z.literal('fleet'),
  at: MsEpochSchema,
  runningOn: z
    .record(DomuNameSchema, z.array(HostNameSchema).max(64))
    .refine((r) => Object.keys(r).length <= LINK_LIMITS.guarded + LINK_LIMITS.homes, 'too many domUs'),
  /**
   * Hosts named in runningOn, or where this agent's ledger says a domU went, that the controller
   * calls unreachable, each with how long (ms, as of `at`) it has not heard from them: their rows
   * are only their last report (an enrolled host not heard from since the controller started:
   * at least as long as it has run). An age, not a time,
   * so the agent needs no clock agreeing with the controller's. Sent only to an agent announcing
   * LINK_FEATURE.fleetSilent (an older agent refuses a field it does not know); absent: every
   * host named is reachable, or the controller does not say.
   */
  silent: z
    .record(HostNameSchema, z.number().int().nonnegative())
    .refine((r) => Object.keys(r).length <= FLEET_SILENT_MAX, 'too many hosts')
    .optional(),
  /**
   * The domUs this controller has asked another Dom0 to live-migrate to this host and has no
   * result of yet. The target of a move runs no command of its own (its source does), and an agent
   * on a standby would otherwise go back to the primary in the middle of it, leaving the job to
   * wait for an arrival report that never comes (agent/core/failback-hold.ts). Sent only to an
   * agent announcing LINK_FEATURE.incomingMoves, and then in every `fleet` (empty: none); absent:
   * the controller does not say.
   */
  incoming: z.array(DomuNameSchema).max(FLEET_INCOMING_MAX).optional(),
});
export type FleetMessage = z.infer<typeof FleetSchema>;

/** The `accepts` of a welcome for an agent announcing CAPABILITIES: the link features both ends know; none, no field (an older agent refuses one). */
export const acceptsFor = (capabilities: readonly string[]): { accepts?: string[] } => {
  const both = Object.values(LINK_FEATURE).filter((f) => capabilities.includes(f));
  return both.length > 0 ? { accepts: both } : {};
};

/**
 * What a welcome adds for an agent announcing CAPABILITIES, with ENROLLEDHOSTS Dom0s enrolled at
 * this controller: its `accepts`, and the reconnect spread. Each only where the agent said it
 * understands it: link schemas are strict, and an older agent refuses a welcome with a key it
 * does not know.
 */
export const welcomeTermsFor = (capabilities: readonly string[], enrolledHosts: number): { accepts?: string[]; reconnectSpreadMs?: number } => ({
  ...acceptsFor(capabilities),
  ...(capabilities.includes(LINK_FEATURE.reconnectSpread) ? { reconnectSpreadMs: reconnectSpreadMs(enrolledHosts) } : {}),
});

export const ControllerMessageSchema = z.discriminatedUnion('type', [WelcomeSchema, LinkErrorSchema, CommandSchema, FleetSchema]);
export type ControllerMessage = z.infer<typeof ControllerMessageSchema>;

/** Read before the full schema, so a peer on another version gets a clear answer, not a schema dump. */
export const VersionProbeSchema = z.object({ type: z.enum(['hello', 'welcome']), protocol: z.number() }).loose();

/** A sentence naming both versions, for both sides' logs and the `error` message. */
export const versionMismatch = (theirs: number, side: 'agent' | 'controller'): string =>
  `agent link protocol mismatch: the ${side} speaks version ${theirs}, this ${side === 'agent' ? 'controller' : 'agent'} speaks version ${AGENT_LINK_PROTOCOL_VERSION}: upgrade the older side`;
