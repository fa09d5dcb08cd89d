import { describe, expect, it } from 'vitest';
import { err, ok } from '../../../shared/result.js';
import type { ToolRunner } from '../../../agent/adapters/exec.js';
import type { ToolFailure } from '../../../agent/adapters/tool-failure.js';
import { createToolstack } from '../../../agent/adapters/toolstack.js';
import { createFailure, parsingConfig } from '../../sim/render/xl-messages.js';
import { readFixture } from '../../fixture.js';

// A failed `xl create` says why on stderr after its "Parsing config from" preamble; the failure's
// message must carry that cause, not the preamble. The stderr shapes are the simulator's
// reproductions of real xl/libxl output (test/sim/render/xl-messages.ts).

const CFG = '/etc/xen/drbd-auto/web1.cfg';

/** A runner on which every command exits 1 with STDERR, with the message the real runner builds (first stderr line). */
function failingWith(stderr: string): ToolRunner {
  return async (tool, args) => {
    const first = stderr.trim().split('\n')[0] ?? '';
    return err<ToolFailure>({ code: 'XH_ERR_TOOL_FAILED', tool, args: [...args], stdout: '', stderr, exitCode: 1, signal: null, message: `${[tool, ...args].join(' ')}: exit code 1: ${first}` });
  };
}

const createMessage = async (stderr: string): Promise<string> => {
  const r = await createToolstack('xl', { run: failingWith(stderr) }).create(CFG);
  if (r.ok) throw new Error('create should fail');
  return r.error.message;
};

describe('a failed xl create names the cause', () => {
  it('not enough memory: the line after the preamble', async () => {
    const stderr = parsingConfig(CFG) + createFailure({ kind: 'no-memory', host: 'xen1', needMiB: 1024, freeMiB: 10 }, 7, CFG);
    expect(await createMessage(stderr)).toBe(`xl create ${CFG}: exit code 1: failed to free memory for the domain`);
  });

  it('the tsc preamble of xl 4.17 is skipped too', async () => {
    const stderr = `${parsingConfig(CFG)}got a tsc mode string: "native"\nfailed to free memory for the domain\n`;
    expect(await createMessage(stderr)).toBe(`xl create ${CFG}: exit code 1: failed to free memory for the domain`);
  });

  it('libxl errors: the first ones, without libxl source positions, bounded', async () => {
    const stderr = parsingConfig(CFG) + createFailure({ kind: 'drbd-state', res: 'r1', minor: 1, code: -2, text: 'Need access to UpToDate data' }, 7, CFG);
    const m = await createMessage(stderr);
    expect(m).not.toContain('Parsing config from');
    expect(m).not.toMatch(/libxl_\w+\.c:\d+/);
    expect(m).toContain('/etc/xen/scripts/block-drbd add [1007] exited with error status 1');
    expect(m).toContain('r1: State change failed: (-2) Need access to UpToDate data');
    expect(m).toContain('(and 3 more lines)');
    expect(m.length).toBeLessThan(800);
  });

  it('a very long line is cut, and a stderr of only the preamble says no more than the exit code', async () => {
    expect((await createMessage(`${parsingConfig(CFG)}error: ${'x'.repeat(5000)}\n`)).length).toBeLessThan(300);
    expect(await createMessage(parsingConfig(CFG))).toBe(`xl create ${CFG}: exit code 1`);
  });

  it('a recognised complaint keeps its explanation; a success stays one', async () => {
    const run: ToolRunner = async (tool, args) => err<ToolFailure>({ code: 'XH_ERR_TOOL_FAILED', tool, args: [...args], stdout: '', stderr: 'xend is running, which may cause unpredictable results when using\n', exitCode: 1, signal: null, message: 'x' });
    const r = await createToolstack('xl', { run }).create(CFG);
    expect(!r.ok && r.error.message).toContain('xl refuses to change anything while xend runs');
    const fine: ToolRunner = async () => ok({ stdout: '', stderr: parsingConfig(CFG), exitCode: 0 });
    expect(await createToolstack('xl', { run: fine }).create(CFG)).toEqual({ ok: true, value: undefined });
  });

  it('real libxl 4.9+ lines: the "Domain N:" of the domain being undone is left out with the source position', async () => {
    const m = await createMessage(readFixture('xl/create-4.16-dev-pv32-unsupported.stderr.txt').body);
    expect(m).toBe(
      `xl create ${CFG}: exit code 1: xc: error: panic: xg_dom_boot.c:121: xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory; ` +
        'xc_dom_boot_mem_init failed: Operation not supported; cannot (re-)build domain: -3 (and 3 more lines)',
    );
  });

  it("real xl on arm64: a vif warning xl went on after is not taken for the cause, libxl's lines are", async () => {
    const m = await createMessage(readFixture('xl/create-arm64-rpi4-block-script.stderr.txt').body);
    expect(m).toBe(
      `xl create ${CFG}: exit code 1: /etc/xen/scripts/block add [742] exited with error status 1; ` +
        'script: losetup /dev/loop0 /home/root/xen-guest-image-minimal-raspberrypi4-64.ext3 failed; unable to add disk devices (and 6 more lines)',
    );
  });

  it('real xl 4.15: a vbd the backend never added names the device path, no domid', async () => {
    const m = await createMessage(readFixture('xl/create-4.15.0-rc3-vbd-not-added.stderr.txt').body);
    expect(m).toBe(
      `xl create ${CFG}: exit code 1: unable to add device with path /local/domain/0/backend/vbd/1/51712; unable to add disk devices; ` +
        'unable to remove device with path /local/domain/0/backend/vbd/1/51712 (and 4 more lines)',
    );
  });
});

describe('a failed xl destroy names the cause the same way', () => {
  // libxl_domain_destroy of a domid that is gone (tools/xl/xl_vmcontrol.c destroy_domain,
  // libxl__destroy_domid), lines as in the real 4.17 capture under test/fixtures/real-xen-4.17/15-*
  const GONE =
    'libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain 5:Non-existant domain\n' +
    'libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain 5:Unable to destroy guest\n' +
    'libxl: error: libxl_domain.c:1064:domain_destroy_cb: Domain 5:Destruction of domain failed\n' +
    'destroy failed (rc=-21)\n';

  it('without libxl source positions or the "Domain N:" prefix', async () => {
    const r = await createToolstack('xl', { run: failingWith(GONE) }).destroy('5');
    expect(!r.ok && r.error.message).toBe(
      'xl destroy 5: exit code 1: Non-existant domain; Unable to destroy guest; Destruction of domain failed (and 1 more line)',
    );
  });

  it('a recognised complaint keeps its explanation', async () => {
    const r = await createToolstack('xl', { run: failingWith('web1 is an invalid domain identifier (rc=-6)\n') }).destroy('web1');
    expect(!r.ok && r.error.message).toBe('xl destroy web1: no domain "web1"');
  });
});

describe('a failed xl shutdown names the cause the same way', () => {
  // tools/xl/xl_vmcontrol.c shutdown_domain prints its progress line before asking, then
  // "shutdown failed (rc=N)" when libxl refused: the first line says nothing of why
  it('the failure, not the progress line xl printed before it', async () => {
    const r = await createToolstack('xl', { run: failingWith('Shutting down domain 5\nshutdown failed (rc=-3)\n') }).shutdown('web1', { wait: true });
    expect(!r.ok && r.error.message).toBe('xl shutdown -w web1: exit code 1: shutdown failed (rc=-3)');
  });
});
