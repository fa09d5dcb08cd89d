// Child process for the FIFO tests (see hostile-fs.ts runBounded): runs one read through the real
// code path and prints its outcome as one JSON line. If the read blocks, the parent kills it.
import { hostFiles } from '../../../agent/host/files.js';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import { loadAgentConfig } from '../../../agent/config/resolve.js';
import { BootRecord } from '../../../agent/run/boot-record.js';
import { StartIntents } from '../../../agent/run/start-intents.js';

const [mode, a = '', b = ''] = process.argv.slice(2);
const print = (v: unknown): void => {
  process.stdout.write(`${JSON.stringify(v)}\n`);
};

void (async () => {
  switch (mode) {
    case 'ledger-read':
      print(ledgerStore(a, b).read());
      break;
    case 'ledger-update':
      print(await ledgerStore(a, b).update((l) => l));
      break;
    case 'host-read':
      print(await hostFiles(a).readText(b));
      break;
    case 'config':
      // a: the --config file ("-": none given), b: the host root
      print(loadAgentConfig(a === '-' ? undefined : a, b || '/'));
      break;
    case 'boot-record':
      print({ handled: [...new BootRecord(a).all] });
      break;
    case 'intents':
      print(new StartIntents(a).readAll());
      break;
    default:
      process.stderr.write(`unknown mode ${String(mode)}\n`);
      process.exit(2);
  }
  process.exit(0);
})();
