/**
 * The benchmark's side of bench-emulator.ts: forks it, waits until it listens, and asks
 * it for stats and the organization's minimum calls over IPC (answers come in order).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { EmulatorStats } from '../emulator';
import type { BenchEmulatorOptions, BenchEmulatorReply, BenchEmulatorRequest } from './bench-emulator';

type Ready = Extract<BenchEmulatorReply, { type: 'ready' }>;
type Minimum = Extract<BenchEmulatorReply, { type: 'minimum' }>;

/** The emulator child process. */
export class EmulatorProcess {
  private readonly waiting: ((reply: BenchEmulatorReply) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: Ready,
  ) {
    child.on('message', (reply: BenchEmulatorReply) => this.waiting.shift()?.(reply));
  }

  /** Forks the emulator and resolves once it is listening. */
  static start(options: BenchEmulatorOptions): Promise<EmulatorProcess> {
    // `--import tsx` so the child runs the TypeScript sources like this process does.
    const child = fork(join(__dirname, 'bench-emulator.ts'), [JSON.stringify(options)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`emulator process exited with code ${code} before it was ready`)));
      child.once('message', (reply: BenchEmulatorReply) => {
        child.removeAllListeners('exit');
        if (reply.type === 'ready') resolve(new EmulatorProcess(child, reply));
        else reject(new Error(`emulator process failed: ${reply.type === 'error' ? reply.message : reply.type}`));
      });
    });
  }

  private request(message: BenchEmulatorRequest): Promise<BenchEmulatorReply> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(message);
    });
  }

  async stats(): Promise<EmulatorStats> {
    const reply = await this.request({ type: 'stats' });
    if (reply.type !== 'stats') throw new Error(`expected stats, got ${reply.type}`);
    return reply.stats;
  }

  /** Minimum calls of both services for this organization and these faults (5xx not included). */
  async minimum(groupSize: number, maxRedriveRounds: number): Promise<Minimum> {
    const reply = await this.request({ type: 'minimum', groupSize, maxRedriveRounds });
    if (reply.type !== 'minimum') throw new Error(`expected minimum, got ${reply.type}`);
    return reply;
  }

  async close(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request({ type: 'close' });
    await exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}
