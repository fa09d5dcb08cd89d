import { describe, expect, it } from 'vitest';
import { classifyToolstackStderr, libxlSays, xlStderrLines } from '../../../agent/parse/xl-stderr.js';
import { classifyXlMigrate } from '../../../agent/parse/xl-migrate.js';
import { readFixture } from '../../fixture.js';

describe('classifyToolstackStderr', () => {
  it('xl: name not found', () => expect(classifyToolstackStderr(readFixture('xl/list-unknown-domain.stderr.txt').body)).toEqual({ kind: 'no-such-domain', domain: 'nosuch' }));
  it('xl: numeric id not found', () => expect(classifyToolstackStderr(readFixture('xl/list-unknown-domid.stderr.txt').body)).toEqual({ kind: 'no-such-domain', domain: '99' }));
  it('xm: domain not found', () => expect(classifyToolstackStderr(readFixture('xm/list-unknown-domain.stderr.txt').body)).toEqual({ kind: 'no-such-domain', domain: 'nosuch' }));
  it('xl while xend runs', () => expect(classifyToolstackStderr(readFixture('xl/xend-running.stderr.txt').body)).toEqual({ kind: 'xend-running' }));
  it('xm without xend', () => expect(classifyToolstackStderr(readFixture('xm/no-xend.stderr.txt').body)).toEqual({ kind: 'xend-not-running', reason: 'No such file or directory' }));
  it.each([
    ['02-unknown-names/dom0a.xl-list-nosuch.stderr', 'nosuch'],
    ['02-unknown-names/dom0a.xl-domid-nosuch.stderr', 'nosuch'],
    ['02-unknown-names/dom0a.xl-domname-999.stderr', '999'],
    ['02-unknown-names/dom0a.xl-migrate-nosuch-dom0b.stderr', 'nosuch'],
  ])('real Xen 4.17: %s → no such domain %s', (f, domain) =>
    expect(classifyToolstackStderr(readFixture(`real-xen-4.17/${f}`).body)).toEqual({ kind: 'no-such-domain', domain }));
  it('xl shutdown / reboot of a guest whose PV drivers do not answer', () => {
    expect(classifyToolstackStderr(readFixture('xl/shutdown-gen-4.17-hvm-no-pv-drivers.stderr.txt').body)).toEqual({ kind: 'no-pv-control', action: 'shutdown' });
    const reboot = 'Rebooting domain 5\nPV control interface not available: external graceful reboot not possible.\nUse "-F" to fallback to ACPI reset event.\nreboot failed (rc=-10)\n';
    expect(classifyToolstackStderr(reboot)).toEqual({ kind: 'no-pv-control', action: 'reboot' });
    // with -F xl sends the ACPI event instead: not this complaint
    expect(classifyToolstackStderr('Shutting down domain 5\nPV control interface not available: sending ACPI power button event.\n')).toBeNull();
  });
  it('xl on a kernel booted without Xen: no hypervisor, with libxl\'s reason; not root: need root', () => {
    expect(classifyToolstackStderr(readFixture('xl/no-hypervisor.stderr.txt').body)).toEqual({ kind: 'no-hypervisor', reason: 'No such file or directory' });
    expect(classifyToolstackStderr(readFixture('xl/no-hypervisor-not-root-gen.stderr.txt').body)).toEqual({ kind: 'need-root' });
    // the same as a real capture: libxc of before 4.7 on ARM, an ordinary user
    expect(classifyToolstackStderr(readFixture('xl/not-root-arm-cubieboard2.stderr.txt').body)).toEqual({ kind: 'need-root' });
    // libxc before 4.7 (xc: rather than xencall:) words its line otherwise; libxl's reason is taken
    expect(classifyToolstackStderr(readFixture('xl/no-hypervisor-4.6-gen.stderr.txt').body)).toEqual({ kind: 'no-hypervisor', reason: 'No such file or directory' });
    expect(classifyToolstackStderr('cannot init xl context\n')).toEqual({ kind: 'no-hypervisor', reason: 'unknown reason' });
  });
  it('xl where Xen answers but xenstored does not: xenstore down with libxl\'s reason, not "no hypervisor"', () => {
    expect(classifyToolstackStderr(readFixture('xl/xenstore-down-4.14-gen.stderr.txt').body)).toEqual({ kind: 'xenstore-down', reason: 'No such file or directory' });
    expect(classifyToolstackStderr(readFixture('xl/xenstore-down-4.2-gen.stderr.txt').body)).toEqual({
      kind: 'xenstore-down',
      reason: 'failed to stat /var/run/xenstored.pid: No such file or directory',
    });
    // as the 4.14 fixture, for a user let at the hypervisor but not at xenstored's socket
    expect(classifyToolstackStderr('libxl: error: libxl.c:110:libxl_ctx_alloc: cannot connect to xenstore: Permission denied\ncannot init xl context\n')).toEqual({ kind: 'need-root' });
  });
  it('a bad autoballoon or domid_policy in xl.conf: xl complains without a newline, and the line after it is still read', () => {
    // GENERATED from tools/xl/xl.c parse_global_config (RELEASE-4.17.7): both complaints, then find_domain's line
    const stderr = 'invalid autoballoon optioninvalid domid_policy optionweb1 is an invalid domain identifier (rc=-6)\n';
    expect(classifyToolstackStderr(stderr)).toEqual({ kind: 'no-such-domain', domain: 'web1' });
    expect(xlStderrLines(stderr)).toEqual(['invalid autoballoon option', 'invalid domid_policy option', 'web1 is an invalid domain identifier (rc=-6)']);
    expect(xlStderrLines('invalid autoballoon option')).toEqual(['invalid autoballoon option']);
  });
  it('xl as root whose hypercalls Xen refuses (4.4.2, real capture): the tools do not match the running Xen, not "need root"', () => {
    expect(classifyToolstackStderr(readFixture('xl/physinfo-denied-4.4.2-ubuntu.stderr.txt').body)).toEqual({ kind: 'tools-mismatch', refused: 'getting physinfo' });
  });
  it('xl list NAME whose domain list Xen refuses: the refusal, not "no such domain"', () => {
    // GENERATED from libxl.c libxl_list_domain's LIBXL__LOG_ERRNO("geting domain info list") (4.0 … 4.1 spelling; the line number is
    // made up) and xl's find_domain, whose libxl_name_to_domid answers ERROR_NOMEM (-5) when it cannot list the domains
    const stderr = 'libxl: error: libxl.c:522:libxl_list_domain: geting domain info list: Permission denied\nweb1 is an invalid domain identifier (rc=-5)\n';
    expect(classifyToolstackStderr(stderr)).toEqual({ kind: 'tools-mismatch', refused: 'getting domain info list' });
    // a file libxl could not open is not Xen's refusal
    expect(classifyToolstackStderr('libxl: error: libxl_dm.c:1:libxl__spawn_qdisk: opening log: Permission denied\n')).toBeNull();
  });
  it('rc=-5 is not "no such domain": xl could not list the domains to look the name up', () => {
    // GENERATED from xl's find_domain and libxl_name_to_domid's ERROR_NOMEM when libxl_list_domain fails (here for a reason that is not Xen's refusal)
    const stderr = 'libxl: error: libxl.c:669:libxl_list_domain: getting domain info list: Cannot allocate memory\nweb1 is an invalid domain identifier (rc=-5)\n';
    expect(classifyToolstackStderr(stderr)).toBeNull();
    expect(classifyXlMigrate(stderr, 1)).toMatchObject({ kind: 'unknown', domainAt: 'unknown' });
    // not-found as xl 4.0 words it (libxl_name_to_domid's -1) stays "no such domain"
    expect(classifyToolstackStderr('web1 is an invalid domain identifier (rc=-1)\n')).toEqual({ kind: 'no-such-domain', domain: 'web1' });
  });
  it('anything else', () => expect(classifyToolstackStderr('libxl: error: something\n')).toBeNull());
});

describe('libxlSays: a libxl error line without where in libxl it was printed', () => {
  it('4.2+ "file:line:function: ", with the "Domain N:" of 4.9+', () => {
    expect(libxlSays('libxl: error: libxl_create.c:1294:initiate_domain_create: Domain 7:cannot make domain: -6')).toBe('cannot make domain: -6');
    expect(libxlSays('libxl: error: libxl_create.c:554:libxl__domain_make: domain creation fail: Invalid argument')).toBe('domain creation fail: Invalid argument');
  });

  it('4.1 "file:line:function " with a space: only the function name goes (real, QubesOS qubes-issues#318)', () => {
    expect(libxlSays('libxl: error: libxl_create.c:317:libxl__domain_make domain creation fail')).toBe('domain creation fail');
    expect(libxlSays('libxl: error: libxl.c:711:libxl_domain_destroy non-existant domain -1')).toBe('non-existant domain -1');
  });

  it('any other line stays as it is', () => {
    for (const l of ['cannot make domain: -3', 'libxl: error: libxl.c:711: no function here', 'libxl: warning: libxl_create.c:1:f: a warning']) expect(libxlSays(l)).toBe(l);
  });
});
