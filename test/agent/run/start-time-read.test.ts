import { describe, expect, it } from 'vitest';
import type { XenstoreAdapter } from '../../../agent/adapters/xenstore.js';
import type { ToolFailure } from '../../../agent/adapters/tool-failure.js';
import { readXenStartTime } from '../../../agent/run/start-time-read.js';
import { err, ok } from '../../../shared/result.js';

// A domain's start_time found through its /vm path, as xenstore holds it (paths → values).

const store = (nodes: Record<string, string>, failing: string | null = null): XenstoreAdapter => ({
  watch: () => err({ code: 'XH_ERR_INTERNAL', message: 'no watch here' }),
  read: async (path) => {
    if (path === failing) {
      const f: ToolFailure = { code: 'XH_ERR_TOOL_FAILED', tool: 'xenstore-read', args: [path], exitCode: null, signal: null, stdout: '', stderr: '', message: `xenstore-read ${path}: timed out` };
      return err(f);
    }
    return ok(Object.hasOwn(nodes, path) ? (nodes[path] ?? null) : null);
  },
  write: async () => ok(undefined),
  writeAll: async () => ok(undefined),
});
const UUID = '0a1b2c3d-0000-4000-a000-000000000001';

describe("a domain's start_time read", () => {
  it('follows the /vm path to start_time', async () => {
    expect(await readXenStartTime(store({ '/local/domain/3/vm': `/vm/${UUID}`, [`/vm/${UUID}/start_time`]: '1735689600.07' }), 3)).toEqual({ value: '1735689600.07', problem: null });
  });

  it('no /vm path or no start_time: not known, nothing wrong', async () => {
    expect(await readXenStartTime(store({}), 3)).toEqual({ value: null, problem: null });
    expect(await readXenStartTime(store({ '/local/domain/3/vm': `/vm/${UUID}` }), 3)).toEqual({ value: null, problem: null });
  });

  it('a /vm path that is not /vm/<uuid> is not followed, and says what it is', async () => {
    const r = await readXenStartTime(store({ '/local/domain/3/vm': '/local/domain/0' }), 3);
    expect(r).toEqual({ value: null, problem: 'its /vm path in xenstore is "/local/domain/0", not /vm/<uuid>' });
  });

  it('a failed read is its problem', async () => {
    expect(await readXenStartTime(store({ '/local/domain/3/vm': `/vm/${UUID}` }, `/vm/${UUID}/start_time`), 3)).toEqual({ value: null, problem: `xenstore-read /vm/${UUID}/start_time: timed out` });
  });
});
