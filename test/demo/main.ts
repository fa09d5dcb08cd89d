// `npm run demo`: a simulated fleet of three Dom0s told in the words a Xen operator uses. By
// default the fleet story (a controller, an agent per Dom0, `xenherdctl`); `-- --agent-only` tells
// the older story of one agent's view per Dom0, without a controller.
import { agentStory } from './agent-story.js';
import { demoCli } from './demo-cli.js';
import { fleetStory } from './fleet-story.js';
import { missingSshTools } from './needs-openssh.js';

void demoCli(process.argv.slice(2), { missingSsh: () => missingSshTools(), agentStory, fleetStory, stderr: (t) => void process.stderr.write(t) }).then((code) => {
  process.exitCode = code;
});
