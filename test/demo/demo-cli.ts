// What `npm run demo [-- --agent-only]` does with its arguments and this machine, before a story
// runs: the checks main.ts makes, with the machine and the stories passed in so a test can give
// it a machine without OpenSSH.
import { needsOpenSshMessage } from './needs-openssh.js';

export interface DemoCliDeps {
  /** the OpenSSH programs this machine lacks (needs-openssh.ts missingSshTools) */
  readonly missingSsh: () => readonly string[];
  readonly agentStory: () => Promise<number>;
  readonly fleetStory: () => Promise<number>;
  readonly stderr: (text: string) => void;
}

/** The demo's exit code: 64 an unknown argument, 69 no OpenSSH (nothing started), else the story's. */
export async function demoCli(args: readonly string[], deps: DemoCliDeps): Promise<number> {
  const unknown = args.filter((a) => a !== '--agent-only');
  if (unknown.length > 0) {
    deps.stderr(`demo: unknown argument ${JSON.stringify(unknown[0])}; usage: npm run demo [-- --agent-only]\n`);
    return 64;
  }
  const missing = deps.missingSsh();
  if (missing.length > 0) {
    deps.stderr(needsOpenSshMessage(missing));
    return 69;
  }
  try {
    return await (args.includes('--agent-only') ? deps.agentStory() : deps.fleetStory());
  } catch (e) {
    deps.stderr(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
