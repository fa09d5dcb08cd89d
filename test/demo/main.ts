// `npm run demo`: a simulated fleet of three Dom0s told in the words a Xen operator uses. By
// default the fleet story (a controller, an agent per Dom0, `xenherdctl`); `-- --agent-only` tells
// the older story of one agent's view per Dom0, without a controller.
import { agentStory } from './agent-story.js';
import { fleetStory } from './fleet-story.js';
import { missingSshTools, needsOpenSshMessage } from './needs-openssh.js';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--agent-only');
if (unknown.length > 0) {
  process.stderr.write(`demo: unknown argument ${JSON.stringify(unknown[0])}; usage: npm run demo [-- --agent-only]\n`);
  process.exitCode = 64;
} else if (missingSshTools().length > 0) {
  process.stderr.write(needsOpenSshMessage(missingSshTools()));
  process.exitCode = 69;
} else {
  (args.includes('--agent-only') ? agentStory() : fleetStory()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
