// The stand-in agents of fake-fleet.ts (or storm-fleet.ts) as a child process, told what to do on stdin and reporting
// on stdout (the controller bench and the controller soak run them).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface FleetEvent {
  readonly event: string;
  readonly [k: string]: unknown;
}

export class FleetProcess {
  private readonly events: FleetEvent[] = [];
  private wake: (() => void) | null = null;
  readonly child;
  readonly exited: Promise<number | null>;
  /** SCRIPT: the stand-ins' program, fake-fleet.ts's steady ones unless told (storm-fleet.ts) */
  constructor(specFile: string, script = 'test/bench/fake-fleet.ts') {
    // The stand-ins are the other machines of a fleet, sharing this one's cores only because a
    // benchmark has to: at the lowest CPU priority (every thread of theirs, so through nice(1))
    // they take what the controller and the client leave; the rate they reached is reported.
    this.child = spawn('nice', ['-n', '19', process.execPath, 'packaging/run-ts.mjs', script, specFile], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout }).on('line', (l) => {
      this.events.push(JSON.parse(l) as FleetEvent);
      this.wake?.();
    });
    this.exited = new Promise((r) => this.child.once('close', r));
  }

  tell(c: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(c)}\n`);
  }

  /** the next report of this kind (taken off the list), or an error after timeoutMs */
  async next(event: string, timeoutMs: number): Promise<FleetEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex((e) => e.event === event);
      if (i >= 0) return this.events.splice(i, 1)[0] as FleetEvent;
      if (Date.now() > end || this.child.exitCode !== null) throw new Error(`the stand-in agents never reported ${event}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200);
      });
    }
  }

  /** the latest report of this kind; older ones of the kind are dropped (a long soak reports every second) */
  last(event: string): FleetEvent | undefined {
    const all = this.events.filter((e) => e.event === event);
    const keep = this.events.filter((e) => e.event !== event);
    this.events.length = 0;
    this.events.push(...keep, ...all.slice(-1));
    return all.at(-1);
  }

  /** every report of this kind so far, taken off the list */
  take(event: string): FleetEvent[] {
    const all = this.events.filter((e) => e.event === event);
    const keep = this.events.filter((e) => e.event !== event);
    this.events.length = 0;
    this.events.push(...keep);
    return all;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (this.alive) {
      this.tell({ cmd: 'stop' });
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 30_000))]);
    }
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}
