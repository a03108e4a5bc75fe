/**
 * The emulator for `npm run bench`, in a child process of its own, so the benchmark's
 * memory figures are the audit's alone (as in the Lambda, where AWS is elsewhere) and
 * the emulator gets its own core. Driven over the IPC channel of `child_process.fork`:
 * it starts with the options in `argv[2]`, sends `ready`, then answers `stats`,
 * `reset` and `close` requests. Listens on 127.0.0.1 only.
 */
import { startEmulator, type EmulatorFaults, type EmulatorStats, type GenerateOrganizationOptions } from '../emulator';

/** What the parent passes as JSON in argv[2]. */
export interface BenchEmulatorOptions {
  readonly org: GenerateOrganizationOptions;
  readonly faults: EmulatorFaults;
}

/** Messages parent -> child. */
export type BenchEmulatorRequest = { readonly type: 'stats' } | { readonly type: 'reset' } | { readonly type: 'close' };

/** Messages child -> parent. */
export type BenchEmulatorReply =
  | { readonly type: 'ready'; readonly endpoint: string; readonly accounts: number; readonly ous: number; readonly roots: number; readonly generateMs: number }
  | { readonly type: 'stats'; readonly stats: EmulatorStats }
  | { readonly type: 'reset' }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

function send(reply: BenchEmulatorReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench-emulator must be started with child_process.fork (it needs the IPC channel)');
  const options = JSON.parse(process.argv[2] ?? '{}') as BenchEmulatorOptions;
  const started = performance.now();
  const emulator = await startEmulator({ org: options.org, faults: options.faults });
  const generateMs = Math.round(performance.now() - started);
  process.on('message', (message: BenchEmulatorRequest) => {
    switch (message.type) {
      case 'stats':
        send({ type: 'stats', stats: emulator.stats() });
        break;
      case 'reset':
        emulator.resetStats();
        send({ type: 'reset' });
        break;
      case 'close':
        void emulator.close().then(() => {
          send({ type: 'closed' });
          process.disconnect();
        });
        break;
    }
  });
  // Never outlive the benchmark.
  process.on('disconnect', () => void emulator.close().finally(() => process.exit(0)));
  const { org } = emulator;
  send({ type: 'ready', endpoint: emulator.endpoint, accounts: org.accounts.length, ous: org.ous.length, roots: org.roots.length, generateMs });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
});
