import type { Writable } from 'node:stream';

/**
 * A tool started held: `/bin/sh` waits for one line on its stdin and only then execs the tool
 * (same pid, stdin /dev/null as for any other tool). The caller learns the pid first and runs
 * what must happen before the tool can do anything (the agent records an `xl create`'s pid on
 * disk), then lets it go. If the caller dies before that, the pipe closes with no line, `read`
 * fails and the shell exits without running the tool: an agent killed mid-start leaves either a
 * record naming the running create or no create at all, never a create nobody recorded.
 */
const HOLD_SCRIPT = 'read -r go && exec "$@" </dev/null';

/** the shell's argv that runs TOOL ARGS once let go (`$0` names it in `ps` and in the shell's own messages) */
export function heldArgv(tool: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: '/bin/sh', args: ['-c', HOLD_SCRIPT, 'xenherd-held', tool, ...args] };
}

/** lets the held tool run (go) or end without running (not go): a write to a gone shell is no error */
export function letGo(stdin: Writable, go: boolean): void {
  stdin.on('error', () => undefined);
  stdin.end(go ? 'go\n' : '');
}
