import type * as z from 'zod';
import { LINK_LIMITS, LinkDomainSchema, type LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { AgentMessageSchema, type AgentMessage } from '../../shared/protocol/agent-link.js';
import { quickDelta, quickHeldLinkDomain } from '../../shared/protocol/delta-quick-read.js';

type Parsed = z.ZodSafeParseResult<AgentMessage>;
type RawRow = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A row from the wire that has exactly the keys of a row this link already had validated, each
 * holding the identical primitive, is that row: the schema is a pure function of those values.
 * (Every LinkDomain field is a string, a number or null, so `===` compares the values themselves.)
 * Counted against the held row's own keys, not the schema's: an optional key (`startedAt`) absent
 * from both must not make every row miss.
 */
function isValidatedRow(raw: RawRow, held: LinkDomain): boolean {
  let keys = 0;
  for (const k in raw) {
    if (!Object.hasOwn(raw, k) || !Object.hasOwn(held, k) || raw[k] !== (held as unknown as RawRow)[k]) return false;
    keys++;
  }
  return keys === ownKeyCount(held);
}

function ownKeyCount(o: object): number {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k)) n++;
  return n;
}

/** The `domains` rows of a snapshot or delta as they came off the wire, when there are not too many; else undefined. */
function reportRows(raw: unknown): { state: Record<string, unknown>; rows: unknown[] } | undefined {
  if (!isPlainObject(raw) || (raw['type'] !== 'snapshot' && raw['type'] !== 'delta')) return undefined;
  const state = raw['state'];
  if (!isPlainObject(state) || !Object.hasOwn(state, 'domains')) return undefined;
  const rows = state['domains'];
  return Array.isArray(rows) && rows.length <= LINK_LIMITS.domains ? { state, rows } : undefined;
}

/**
 * Reads one agent link's messages through AgentMessageSchema, remembering the domain rows it last
 * accepted. An agent sends its whole `domains` section on every change, so nearly every row of a
 * delta is one the link sent before: those rows are answered with the object already validated,
 * and only new or changed rows go through the schema. The answer is the schema's own for every
 * input (a row that fails, or anything unusual, is handed to the schema whole); what changes is
 * that a fleet of thousands of agents no longer makes a fresh copy of every row of every delta,
 * which was most of what the controller allocated. The usual delta (rows and the host's memory)
 * is read by hand to the schemas' rules (shared/protocol/delta-quick-read.ts), as zod's reading
 * of it made some 7 KB of garbage; one that does not fit that reading goes the way above.
 */
export class AgentMessageReader {
  private held: readonly LinkDomain[] = [];
  private heldByName: Map<string, LinkDomain> | null = null;
  /** a row of a whole domains section: the held one it is identical to, else read by hand (made once, not per frame) */
  private readonly rowOf = (row: unknown, i: number): LinkDomain | undefined => this.knownRow(row, i) ?? quickHeldLinkDomain(row, this.heldNamed);
  /**
   * the held row named NAME: a delta's changed row shares its strings. A scan, not the map by
   * name: a link's rows are dozens, and a map kept per link for this would outweigh the strings.
   */
  private readonly heldNamed = (name: string): LinkDomain | undefined => {
    for (let i = 0; i < this.held.length; i++) if (this.held[i]?.name === name) return this.held[i];
    return undefined;
  };

  read(raw: unknown): Parsed {
    // the usual delta (rows and memory) read by hand to the schema's rules; anything else, or wrong, by the schema
    const quick = quickDelta(raw, this.rowOf, this.heldNamed);
    if (quick !== undefined) return this.remember({ success: true, data: quick });
    const report = reportRows(raw);
    if (report === undefined || this.held.length === 0) return this.remember(AgentMessageSchema.safeParse(raw));
    const rows: LinkDomain[] = [];
    for (let i = 0; i < report.rows.length; i++) {
      const row = report.rows[i];
      const known = this.knownRow(row, i);
      if (known !== undefined) {
        rows.push(known);
        continue;
      }
      const one = LinkDomainSchema.safeParse(row);
      if (!one.success) return this.remember(AgentMessageSchema.safeParse(raw));
      rows.push(one.data);
    }
    // the rest of the message through the schema, with its rows already read
    report.state['domains'] = [];
    const parsed = AgentMessageSchema.safeParse(raw);
    report.state['domains'] = report.rows;
    if (!parsed.success) return parsed;
    const msg = parsed.data;
    if ((msg.type === 'snapshot' || msg.type === 'delta') && msg.state.domains !== undefined) msg.state.domains = rows;
    return this.remember(parsed);
  }

  /** The held row ROW (at I of its section) is identical to, if any. */
  private knownRow(row: unknown, i: number): LinkDomain | undefined {
    const known = isPlainObject(row) ? this.heldRow(i, row['name']) : undefined;
    return known !== undefined && isPlainObject(row) && isValidatedRow(row, known) ? known : undefined;
  }

  /** The held row named NAME: first at the same position (rows keep their order), else by name. */
  private heldRow(i: number, name: unknown): LinkDomain | undefined {
    if (typeof name !== 'string') return undefined;
    const same = this.held[i];
    if (same?.name === name) return same;
    this.heldByName ??= new Map(this.held.map((d) => [d.name, d]));
    return this.heldByName.get(name);
  }

  private remember(parsed: Parsed): Parsed {
    if (parsed.success && (parsed.data.type === 'snapshot' || parsed.data.type === 'delta') && parsed.data.state.domains !== undefined) {
      this.held = parsed.data.state.domains;
      this.heldByName = null;
    }
    return parsed;
  }
}
