import type { MigrationFaultPhase } from '../model/types.js';

/**
 * Tool faults: hang (never answers until killed), garbage (prints this instead), slow (answers
 * after N ms), gated (answers once the test opens the gate: a call kept running for exactly as
 * long as a test needs, whatever the machine's speed), xenstored-drop (a `xenstore-write` whose
 * connection to xenstored dropped after AFTERPAIRS pairs: tools/xenstored-down.ts).
 */
export type ToolFault =
  | { readonly kind: 'hang' }
  | { readonly kind: 'garbage'; readonly text: string; readonly exitCode?: number }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'gated'; readonly open: Promise<void> }
  | { readonly kind: 'xenstored-drop'; readonly afterPairs: number };

export interface ToolFaultRule {
  readonly host: string | '*';
  readonly tool: string;
  /** argv must start with these (e.g. ['list']) */
  readonly argvPrefix: readonly string[];
  readonly fault: ToolFault;
  /** how many calls it applies to; Infinity until cleared */
  remaining: number;
}

export class FaultBook {
  private tools: ToolFaultRule[] = [];
  private migrations = new Map<string, MigrationFaultPhase>();

  addTool(rule: Omit<ToolFaultRule, 'remaining'> & { times?: number }): void {
    this.tools.push({ host: rule.host, tool: rule.tool, argvPrefix: rule.argvPrefix, fault: rule.fault, remaining: rule.times ?? Infinity });
  }

  clearTools(): void {
    this.tools = [];
  }

  takeTool(host: string, tool: string, argv: readonly string[]): ToolFault | null {
    const rule = this.tools.find((r) => r.remaining > 0 && (r.host === '*' || r.host === host) && r.tool === tool && r.argvPrefix.every((a, i) => argv[i] === a));
    if (!rule) return null;
    rule.remaining--;
    return rule.fault;
  }

  setMigration(domain: string, phase: MigrationFaultPhase | null): void {
    if (phase) this.migrations.set(domain, phase);
    else this.migrations.delete(domain);
  }

  takeMigration(domain: string): MigrationFaultPhase | null {
    const p = this.migrations.get(domain) ?? null;
    this.migrations.delete(domain);
    return p;
  }
}
