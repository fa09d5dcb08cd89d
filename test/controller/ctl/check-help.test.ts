import { expect, it } from 'vitest';
import { checkHelp } from '../../../controller/ctl/help/check.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { controllerBed } from '../api/controller-bed.js';

// `check --help` is what a Nagios admin reads to graph the plugin's perfdata. It listed every
// label but domus_crashed, which the controller sends after cert_expires_in_s.
const bed = controllerBed();

it("names every perfdata label a controller with TLS sends, in the order it sends them", async () => {
  const c = await bed.start();
  const labels = CheckAnswerSchema.parse(c.core.monitor.check(DEFAULT_CHECK_THRESHOLDS)).perfdata.map((p) => p.label);
  expect(labels).toContain('cert_expires_in_s');
  const help = (checkHelp.help ?? '').replace(/\s+/g, ' ');
  const paragraph = help.slice(help.indexOf('perfdata: '), help.indexOf('The read role suffices'));
  const places = labels.map((l) => paragraph.search(new RegExp(`\\b${l}\\b`)));
  expect(labels.filter((_, i) => places[i] === -1)).toEqual([]);
  expect(places).toEqual([...places].sort((a, b) => a - b));
});
