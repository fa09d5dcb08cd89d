import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controllerIdentity, controllerInstance, INSTANCE_FILE } from '../../../controller/files/controller-instance.js';
import { cutOperations } from '../../../controller/jobs/cut-operations.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';

const root = mkdtempSync(join(tmpdir(), 'ctl-instance-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** the identity serve gives a controller named HOST:PORT whose writable state dir is DIR */
function served(dir: string, n: number): string {
  const ids = ['0123abcd', 'fedc9876', '000000aa'];
  return controllerIdentity('ctl', 7443, controllerInstance(dir, () => ids[n] as string).id);
}

// Two controllers on one host name and port (a standby in a container or a machine image sharing
// the first's host name, two controllers of a test bed) were one owner to the agents: the
// standby took the primary's live drain for its own. A restart of one controller keeps its name.
describe("a controller's owner name for the maintenance flags", () => {
  it('two controllers sharing host name and port are two owners; one restarted stays the owner it was', () => {
    const primary = served(join(root, 'a'), 0);
    const standby = served(join(root, 'b'), 1);
    expect(primary).not.toBe(standby);
    expect(primary).toBe('xenherd-controller@ctl:7443/0123abcd');
    // restarted: the id kept in its state dir, not a fresh one
    expect(served(join(root, 'a'), 2)).toBe(primary);
    expect(readFileSync(join(root, 'a', INSTANCE_FILE), 'utf8')).toBe('0123abcd\n');
  });

  it("the standby no longer lists the primary's running drain as one its own stop cut", () => {
    const primary = served(join(root, 'c'), 0);
    const standby = served(join(root, 'd'), 1);
    const record = { host: 'xen1', state: { maintenance: { state: 'draining', operationId: 'op1', owner: primary } } } as unknown as HostRecord;
    expect(cutOperations([record], primary, new Set()).map((c) => c.host)).toEqual(['xen1']);
    expect(cutOperations([record], standby, new Set())).toEqual([]);
  });

  it('a file that holds no id is replaced, its content quoted (printable, shortened) and what a new id costs said', () => {
    const dir = join(root, 'e');
    served(dir, 0);
    writeFileSync(join(dir, INSTANCE_FILE), 'garbage\x1b[2J\n');
    const again = controllerInstance(dir, () => 'fedc9876');
    expect(again).toEqual({
      id: 'fedc9876',
      problem: `${join(dir, INSTANCE_FILE)} held "garbage\\u001b[2J\\n", not an instance id (8 hex digits): replaced by a new one, fedc9876; ${NEW_OWNER}`,
    });
    expect(controllerInstance(dir, () => '000000aa')).toEqual({ id: 'fedc9876', problem: null });
    writeFileSync(join(dir, INSTANCE_FILE), `\u202e${'x'.repeat(100)}`);
    expect(controllerInstance(dir, () => '000000bb').problem).toBe(`${join(dir, INSTANCE_FILE)} held "\\u{202e}${'x'.repeat(59)}"… (101 characters), not an instance id (8 hex digits): replaced by a new one, 000000bb; ${NEW_OWNER}`);
  });

  it('a directory or a file it may not read in its place: a one-run id, what it costs and the fix', () => {
    const dir = join(root, 'f');
    mkdirSync(join(dir, INSTANCE_FILE), { recursive: true });
    const file = join(dir, INSTANCE_FILE);
    expect(controllerInstance(dir, () => '0000000a')).toEqual({
      id: '0000000a',
      problem: `${file}: is a directory, not a file: a new instance id for this run only, and for each start until mended; ${NEW_OWNER}; remove that directory (rmdir ${file}, once what it holds is moved out) and restart the controller: it keeps a new id there`,
    });
    const other = join(root, 'g');
    mkdirSync(other);
    symlinkSync(join(root, 'a', INSTANCE_FILE), join(other, INSTANCE_FILE));
    const linked = controllerInstance(other, () => '0000000b');
    expect(linked.id).toBe('0000000b');
    expect(linked.problem).toMatch(new RegExp(`: a new instance id for this run only, and for each start until mended; ${escaped(NEW_OWNER)}; make ${escaped(join(other, INSTANCE_FILE))} a regular file the controller's user may read and write, or remove it, and restart the controller: it keeps an id there$`));
  });
});

const NEW_OWNER = "the Dom0s' agents take this controller for a new owner: a maintenance flag it held under its earlier id (a drain, restore or roll its restart cut) is refused to it until that lease lapses";
const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
