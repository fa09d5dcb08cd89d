/**
 * A tiny literal reader of xl.cfg files, enough for `xl create` in the simulator: name, memory,
 * vcpus and the DRBD resources named by the disk list ('drbd:RES,xvda,w' or '…target=RES').
 */
export interface CfgSummary {
  readonly name: string | null;
  readonly memMiB: number;
  readonly vcpus: number;
  readonly drbd: string[];
}

export function readCfg(text: string, overrides: readonly string[] = []): CfgSummary {
  const body = [text.replace(/#[^\n]*/g, ''), ...overrides].join('\n');
  const scalar = (key: string): string | null => {
    const m = new RegExp(`(?:^|[\\n;])\\s*${key}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s;]+))`).exec(body);
    return m ? (m[2] ?? m[3] ?? m[4] ?? null) : null;
  };
  const diskList = /(?:^|[\n;])\s*disk\s*=\s*\[([\s\S]*?)\]/.exec(body)?.[1] ?? '';
  const drbd: string[] = [];
  for (const m of diskList.matchAll(/'([^']*)'|"([^"]*)"/g)) {
    const spec = m[1] ?? m[2] ?? '';
    const t = /target=(.*)$/.exec(spec);
    if (t && /script=block-drbd/.test(spec)) drbd.push(t[1]!.trim());
    else {
      const d = /^drbd:([^,]+)/.exec(spec.trim());
      if (d) drbd.push(d[1]!);
    }
  }
  return { name: scalar('name'), memMiB: Number(scalar('memory') ?? 128), vcpus: Number(scalar('vcpus') ?? 1), drbd };
}
