// After every test: one turn of the event loop's check phase, after its I/O phase. A file whose
// tests run only on promises (the fault runs on the deterministic clock: fifty seeds, about a
// minute on a loaded 2-core machine) never lets the worker read vitest's own replies over IPC
// meanwhile; when it finally yields, the 60 s timer of an unanswered "onTaskUpdate" comes first
// (timers run before I/O in a loop turn) and vitest fails the whole run with "Timeout calling
// onTaskUpdate" although every test passed. Reading the pipe after each test keeps replies current.
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
