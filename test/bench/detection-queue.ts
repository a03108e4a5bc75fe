/**
 * The detection scenario's stand-in for the re-check pipeline between EventBridge and the
 * function: the rules (the catalog's patterns, matched with the test matcher), the queue and
 * the Lambda SQS event source (a batch of up to `batchSize` messages, or whatever arrived
 * within `batchingWindowMs` of the oldest waiting one, whichever comes first), and a single
 * consumer (reserved concurrency 1) that hands each batch to a function as the handler does.
 * A batch whose handler throws is returned to the queue, as partial batch failures do, and
 * dead-lettered after `maxReceiveCount` receipts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { matchesEventPattern } from '../support/event-pattern-matcher';
import type { EmulatorEvent } from '../emulator';

/** One queued message: the event as SQS carries it (the body is the event's JSON). */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  /** Epoch ms it reached the queue. */
  readonly enqueuedAt: number;
  receiveCount: number;
}

/** How the event source batches (the infra construct's defaults). */
interface EventSourceSettings {
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly maxReceiveCount: number;
}

/** Counts of what went through. */
interface QueueCounts {
  eventsEmitted: number;
  eventsMatched: number;
  eventsUnmatched: number;
  batches: number;
  failedBatches: number;
  deadLettered: number;
}

/** How often the idle consumer looks at the queue. */
const POLL_MS = 100;

/** The rules, queue and consumer. */
export class RecheckQueue {
  private readonly waiting: QueuedMessage[] = [];
  private busy = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  readonly counts: QueueCounts = {
    eventsEmitted: 0,
    eventsMatched: 0,
    eventsUnmatched: 0,
    batches: 0,
    failedBatches: 0,
    deadLettered: 0,
  };

  constructor(
    private readonly patterns: readonly object[],
    private readonly settings: EventSourceSettings,
    private readonly consume: (batch: readonly QueuedMessage[]) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  /** The rules' side: an event every matching rule would send to the queue (once: both rules target it). */
  route(event: EmulatorEvent): void {
    this.counts.eventsEmitted += 1;
    if (!this.patterns.some((pattern) => matchesEventPattern(pattern, event))) {
      this.counts.eventsUnmatched += 1;
      return;
    }
    this.counts.eventsMatched += 1;
    this.waiting.push({ messageId: event.id, body: JSON.stringify(event), enqueuedAt: Date.now(), receiveCount: 0 });
  }

  /** Starts the consumer. */
  start(): void {
    this.loop ??= this.run();
  }

  /** True when nothing is queued and no batch is being handled. */
  idle(): boolean {
    return this.waiting.length === 0 && !this.busy;
  }

  /** Stops the consumer once the batch in hand is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private ready(now: number): boolean {
    const oldest = this.waiting[0];
    if (oldest === undefined) return false;
    return this.waiting.length >= this.settings.batchSize || now - oldest.enqueuedAt >= this.settings.batchingWindowMs;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.ready(Date.now())) {
        await sleep(POLL_MS);
        continue;
      }
      const batch = this.waiting.splice(0, this.settings.batchSize);
      for (const message of batch) message.receiveCount += 1;
      this.busy = true;
      this.counts.batches += 1;
      try {
        await this.consume(batch);
      } catch (error) {
        this.counts.failedBatches += 1;
        this.log(`  [detection] re-check failed, batch returned to the queue: ${String(error)}`);
        const retry = batch.filter((m) => m.receiveCount < this.settings.maxReceiveCount);
        this.counts.deadLettered += batch.length - retry.length;
        this.waiting.unshift(...retry);
        // The visibility timeout: not redelivered at once.
        await sleep(1_000);
      } finally {
        this.busy = false;
      }
    }
  }
}
