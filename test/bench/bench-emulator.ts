/**
 * The emulator for `npm run bench`, in a child process of its own, so the benchmark's
 * memory figures are the audit's alone (as in the Lambda, where AWS is elsewhere) and
 * the emulator gets its own core. Driven over the IPC channel of `child_process.fork`:
 * it starts with the options in `argv[2]`, sends `ready`, then answers `stats`, `minimum`
 * and `close` requests. Listens on 127.0.0.1 only.
 *
 * The organization lives here, so the parts of the quota floor that depend on it (pages
 * per container, each target's drawn unprocessed attempts) are computed here too.
 */
import { startEmulator, type EmulatorFaults, type EmulatorStats, type GenerateOrganizationOptions } from '../emulator';
import {
  containerShapes,
  organizationsMinimum,
  securityHubMinimum,
  type OrganizationsMinimum,
  type SecurityHubMinimum,
} from './floor';

/** What the parent passes as JSON in argv[2]. */
export interface BenchEmulatorOptions {
  readonly org: GenerateOrganizationOptions;
  readonly faults: EmulatorFaults;
}

/** Messages parent -> child. */
export type BenchEmulatorRequest =
  | { readonly type: 'stats' }
  | { readonly type: 'minimum'; readonly groupSize: number; readonly maxRedriveRounds: number }
  | { readonly type: 'close' };

/** Messages child -> parent. */
export type BenchEmulatorReply =
  | {
      readonly type: 'ready';
      readonly endpoint: string;
      readonly accounts: number;
      readonly ous: number;
      readonly roots: number;
      readonly generateMs: number;
    }
  | { readonly type: 'stats'; readonly stats: EmulatorStats }
  | {
      readonly type: 'minimum';
      readonly organizations: OrganizationsMinimum;
      readonly securityHub: SecurityHubMinimum;
      readonly unprocessedTargets: number;
    }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

function send(reply: BenchEmulatorReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('bench-emulator must be started with child_process.fork (it needs the IPC channel)');
  const options = JSON.parse(process.argv[2] ?? '{}') as BenchEmulatorOptions;
  const started = performance.now();
  const emulator = await startEmulator({ org: options.org, faults: options.faults });
  const generateMs = Math.round(performance.now() - started);
  const { org } = emulator;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= emulator.close());

  process.on('message', (message: BenchEmulatorRequest) => {
    switch (message.type) {
      case 'stats':
        send({ type: 'stats', stats: emulator.stats() });
        break;
      case 'minimum': {
        // 'forever' never clears: it is re-sent in every round the audit allows.
        const attempts = [...emulator.unprocessedAttempts().values()].map((a) => (a === 'forever' ? Infinity : a));
        send({
          type: 'minimum',
          organizations: organizationsMinimum(containerShapes(org)),
          securityHub: securityHubMinimum(
            org.roots.length + org.ous.length + org.accounts.length,
            attempts,
            message.groupSize,
            message.maxRedriveRounds,
          ),
          unprocessedTargets: attempts.filter((a) => a > 0).length,
        });
        break;
      }
      case 'close':
        void close().then(() => {
          send({ type: 'closed' });
          process.disconnect();
        });
        break;
    }
  });
  // Never outlive the benchmark.
  process.on(
    'disconnect',
    () =>
      void close().then(
        () => process.exit(0),
        () => process.exit(1),
      ),
  );
  send({
    type: 'ready',
    endpoint: emulator.endpoint,
    accounts: org.accounts.length,
    ous: org.ous.length,
    roots: org.roots.length,
    generateMs,
  });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
});
