import { writeFileSync } from 'node:fs';
import { TINY_MEM_MIB } from './image.js';
import type { Recorder } from './recorder.js';

/** The README.md of test/fixtures/real-xen-4.17/: the lab, the naming, and every state. */
export function writeCaptureReadme(path: string, rec: Recorder, notes: string[], durationS: number): void {
  const i = rec.id;
  const out: string[] = [
    '# Real Xen 4.17 + DRBD 8.4 outputs',
    '',
    'Captured by `npm run lab -- capture` (test/lab/capture.ts) in the xenherd lab: two Debian',
    `${i.debian} Dom0s (dom0a, dom0b) running the real Xen ${i.xenVersion} hypervisor`,
    `(xen-hypervisor-4.17-amd64 ${i.xenPackage}), Dom0 kernel ${i.kernel}, the real \`xl\`, DRBD kernel`,
    `module ${i.drbdModule} and drbd-utils ${i.drbdUtils}, under QEMU TCG on one machine. The guest \`tiny\` is a`,
    `PVH domU (${TINY_MEM_MIB} MiB, disk \`drbd:r0,xvda,w\`, config /etc/xen/drbd-auto/tiny.cfg); \`tinypv\` is a diskless`,
    'PV domU (/etc/xen/tinypv.cfg). DRBD resource `r0`: /dev/drbd0 on /dev/vdb, protocol C,',
    'allow-two-primaries, dom0a 10.0.0.1 / dom0b 10.0.0.2.',
    '',
    'Layout: `STATE/HOST.COMMAND.{stdout,stderr,rc}`. Each file starts with `#@ ` header lines (lab and',
    'versions, host and state, the exact command line, sometimes a note), then the output verbatim',
    '(`rc` holds the exit code). Read them with `readFixture()` from test/fixture.ts. Files named',
    '`during-*.xl-list.<label>` are single iterations of an `xl list` / `xl list -l` loop that ran on',
    'both hosts during a migration, kept because they show `--incoming`, `--migratedaway`, `(null)`, a',
    'non-zero exit or stderr output.',
    '',
    `Capture run: ${Math.round(durationS)} s. Observations: ${notes.join('; ')}.`,
    '',
    '## States',
    '',
  ];
  for (const s of rec.states) {
    out.push(`### ${s.dir}`, '', `${s.title}${s.description ? `. ${s.description}` : ''}`, '');
    const byHost = new Map<string, string[]>();
    for (const f of s.files) {
      const [host, ...rest] = f.split('.');
      const list = byHost.get(host!) ?? [];
      list.push(rest.join('.'));
      byHost.set(host!, list);
    }
    for (const [host, files] of byHost) out.push(`- ${host}: ${files.map((f) => `\`${f}\``).join(', ')}`);
    out.push('');
  }
  out.push(NOTES);
  writeFileSync(path, out.join('\n'));
}

/** What the captures showed about the real tools (checked against docs/DESIGN §2), and lab artefacts. */
export const NOTES = `## What these captures show (real Xen 4.17.7 / DRBD 8.4.11 / drbd-utils 9.22)

- \`xl list -l\` is JSON with 4-space indentation; empty objects print as \`{\` blank line \`}\`. It
  includes Domain-0 (no uuid). \`c_info.domid\` is 4294967295, not the domid (use the top-level
  \`domid\`). A \`drbd:r0\` disk appears as \`pdev_path: "r0", script: "block-drbd"\`. During a migration
  it silently omits \`NAME--incoming\` (stderr: \`Fail to get domain configuration\`, exit 0) and prints
  libxl warnings on stderr for \`NAME--migratedaway\` (exit 0).
- \`NAME--incoming\` first shows \`Mem 0 VCPUs 0 --p---\`; \`NAME--migratedaway\` shows \`--pss-\`.
  After \`xl shutdown -w\` returns, \`xl list\` can still show the domain as \`--ps--\` with 0 VCPUs.
- \`xl migrate\` prints everything on stderr; stdout is empty (so do \`xl create\` and \`xl shutdown -w\`). Success ends with \`Migration successful.\`
  (exit 0). Seen failures: PV guest \`Migration failed, failed to suspend at sender.\` (exit 1); an
  ssh transport failure mid-stream (\`Received disconnect ... Invalid ieof channel id\`) leading to
  \`Migration failed, resuming at sender.\` followed by \`xc_domain_resume failed\` (exit 1), after
  which the guest still ran at the sender.
- \`xl pause/unpause/shutdown/destroy/list\` on an unknown domain: \`X is an invalid domain identifier
  (rc=-6)\` on stderr, exit 1. \`xl pause\` of a paused domain and \`xl unpause\` of a running one:
  no output, exit 0.
- \`drbdadm role/cstate/dstate/status\` on a resource not in the config: \`'X' not defined in your config
  (for this host).\`, exit 1 (not 10). On a configured resource that is down: role/cstate
  \`Device minor not allocated\` exit 10; status \`r0: No such resource\` exit 10; dstate still answers
  from on-disk metadata (e.g. \`Inconsistent\`, no \`/peer\` part), exit 0.
- With no module loaded, \`drbdadm role r0\` loads drbd.ko (lsmod shows it afterwards).
- 8.4 names its one connection \`peer\` in \`drbdadm status\` and events2 (\`conn-name:peer
  peer-node-id:0\`); events2/status use 9-style names (\`connection:Connecting\`, \`replication:Off\`/
  \`Established\`/\`SyncSource\`) where \`drbdadm cstate\` and /proc/drbd say \`WFConnection\`.
  In StandAlone \`drbdadm status\` prints no peer section at all.
- \`drbdsetup status --json\`: usage text on stdout, \`status: unrecognized option '--json'\` on stderr, exit 20.
- \`xenstore-watch\` (package xenstore-utils, /usr/bin) prints each watched path once at
  registration, then one line per domain creation / destruction.

## Emulation artefacts (not Xen behaviour)

- \`dom0a.during-migration-attempt1.xl-list.nonzero\`: \`ERROR: Unable to execute /usr/lib/xen-4.17/bin/<garbage>\`
  exit 127 from Debian's xl wrapper: a one-off corruption under QEMU TCG (sshd in the Dom0s also
  segfaults now and then); the garbage bytes were decoded as UTF-8 here.
- The live-events captures end with exit 124 because \`timeout\` ended them; \`xenstore-watch\` was killed (143).
`;
