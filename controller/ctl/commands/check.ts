import type { CliIo } from '../../../shared/cli/io.js';
import { CheckAnswerSchema } from '../../../shared/protocol/ctl-check.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { CHECK_USAGE } from '../help/check.js';
import { renderCheck, unknownOutput, type PluginOutput } from '../nagios-output.js';
import { CHECK_OPTIONS, thresholdsOf } from './check-thresholds.js';

async function verdict(argv: readonly string[], io: CliIo, hooks: CtlHooks, json: boolean): Promise<PluginOutput> {
  const inv = begin(argv, io, hooks, CHECK_OPTIONS.map(([name]) => ({ name, takesValue: true })), [0, 0], CHECK_USAGE);
  if (!inv.ok) return unknownOutput(inv.error, json);
  const t = thresholdsOf(inv.value.args);
  if (!t.ok) return unknownOutput(t.error, json);
  const query = new URLSearchParams(CHECK_OPTIONS.map(([, key]): [string, string] => [key, String(t.value[key])]));
  const r = await inv.value.client.get(`/check?${query.toString()}`, CheckAnswerSchema);
  if (!r.ok) return unknownOutput(r.error, json);
  // a controller that judged by other thresholds than asked must not pass for an answer
  if (CHECK_OPTIONS.some(([, key]) => r.value.thresholds[key] !== t.value[key])) {
    return unknownOutput({ code: 'XH_ERR_PROTOCOL', message: 'the controller judged with other thresholds than asked: are xenherdctl and the controller the same version?' }, json);
  }
  return json ? { text: `${JSON.stringify(r.value)}\n`, exitCode: renderCheck(r.value).exitCode } : renderCheck(r.value);
}

/**
 * A Nagios plugin: whatever goes wrong (a bad option, no config, the controller down or refusing
 * the token, an answer that is not one, a bug here) ends as one UNKNOWN line on stdout and exit
 * 3, never with another code: a monitoring system reads anything else as a broken plugin.
 */
export async function check(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const json = wantsJson(argv);
  let out: PluginOutput;
  try {
    out = await verdict(argv, io, hooks, json);
  } catch (e) {
    out = unknownOutput({ code: 'XH_ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) }, json);
  }
  io.stdout(out.text);
  return out.exitCode;
}
