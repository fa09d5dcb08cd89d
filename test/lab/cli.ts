// `npm run lab -- <command>`: the xenherd lab's entry point.
//   image     build (or reuse) the cached Dom0 image and print where it is
//   capture   boot the pair and record real tool outputs under test/fixtures/real-xen-4.17/
//   shell     boot the pair and wait (ssh commands printed) until Ctrl-C; everything is cleaned up
import { resolve } from 'node:path';
import { capture } from './capture.js';
import { cleanupAll, withWatchdog } from './cleanup.js';
import { ensureImage } from './image.js';
import { withLab } from './lab.js';
import { log } from './log.js';

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0] ?? 'help';
  if (cmd === 'image') {
    const img = await withWatchdog(25 * 60_000, 'image', () => ensureImage());
    process.stdout.write(`${img.dir}\n${JSON.stringify(img.versions, null, 2)}\n`);
    return 0;
  }
  if (cmd === 'capture') {
    const out = resolve(argv[1] ?? 'test/fixtures/real-xen-4.17');
    const { result, lab } = await withWatchdog(50 * 60_000, 'capture', () =>
      withLab({ drbdDiskMiB: 256 }, async (l) => {
        const r = await capture(l, out);
        return { ...r, rss: l.peakRssMiB() };
      }),
    );
    log(
      `capture: done in ${result.durationS.toFixed(0)} s (image ${lab.timings.imageS.toFixed(0)} s${lab.timings.imageBuilt ? ', built' : ', cached'}, boot-to-ssh ${lab.timings.bootToSshS.toFixed(0)} s), peak QEMU RSS a=${result.rss.a} MiB b=${result.rss.b} MiB`,
    );
    for (const n of result.notes) log(`capture: ${n}`);
    log(`capture: files in ${out}`);
    return 0;
  }
  if (cmd === 'shell') {
    await withLab({}, async (l) => {
      for (const d of l.hosts) {
        process.stdout.write(`${d.name}: ssh -i ${l.image.key} -p ${d.spec.sshPort} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1\n`);
      }
      process.stdout.write('Ctrl-C to power off and clean up\n');
      await new Promise(() => {});
    });
    return 0;
  }
  process.stderr.write('usage: npm run lab -- image | capture [OUTDIR] | shell\n');
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => {
    cleanupAll();
    process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`lab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    cleanupAll();
    process.exit(1);
  },
);
