// Child process for ledger-kill.test.ts: adds one record per write, forever, and prints
// "ack NAME" after each write returned. The parent kills it with SIGKILL at random moments.
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { withAway, withVisitor } from '../../../agent/state/ledger.js';

const [dir, tag] = process.argv.slice(2) as [string, string];
const store = ledgerStore(dir, 'xen1');
let i = 0;
void (async () => {
for (;;) {
  const name = `${tag}-${i++}`;
  const r = await store.update((l) =>
    i % 2 === 0
      ? withAway(l, name, { home: 'xen1', currentHost: 'xen2', since: new Date().toISOString(), operationId: `op-${name}`, reason: 'manual' })
      : withVisitor(l, name, { home: 'xen3', since: new Date().toISOString(), operationId: `op-${name}` }),
  );
  if (!r.ok) {
    process.stderr.write(`${r.error.code}: ${r.error.message}\n`);
    process.exit(3);
  }
  process.stdout.write(`ack ${name}\n`);
}
})();
