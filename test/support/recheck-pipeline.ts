/**
 * The production path of a change event, locally: the emulator's CloudTrail-shaped events
 * are matched against the synthesized rules' event patterns (what EventBridge is given),
 * queued, and delivered to the re-check handler as one SQS batch, as the Lambda event
 * source mapping does (batch size and window are the construct's; the test decides when
 * the window closes).
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { EmulatorEvent, RunningEmulator } from '../emulator';
import { matchesEventPattern } from './event-pattern-matcher';

/** Queued events, delivered on demand. */
export interface LocalChangeQueue {
  /** Events that matched a rule and wait for delivery. */
  readonly waiting: readonly EmulatorEvent[];
  /** Events that matched no rule (EventBridge would drop them). */
  readonly unmatched: readonly EmulatorEvent[];
  /** The waiting events as one SQS batch (at most `max`), removed from the queue. */
  takeBatch(max?: number): SQSEvent;
  stop(): void;
}

let messageNumber = 0;

/** One SQS record carrying `body` (an EventBridge event as the rule's SQS target sends it). */
export function sqsRecord(body: string): SQSRecord {
  messageNumber += 1;
  return {
    messageId: `message-${messageNumber}`,
    receiptHandle: `receipt-${messageNumber}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'events.amazonaws.com',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:changes',
    awsRegion: 'eu-west-1',
  };
}

/** Routes the emulator's events through `patterns` into a queue. */
export function routeChangeEvents(emulator: RunningEmulator, patterns: readonly object[]): LocalChangeQueue {
  const waiting: EmulatorEvent[] = [];
  const unmatched: EmulatorEvent[] = [];
  const stop = emulator.onEvent((event) => {
    (patterns.some((p) => matchesEventPattern(p, event)) ? waiting : unmatched).push(event);
  });
  return {
    waiting,
    unmatched,
    takeBatch: (max = 100) => ({
      Records: waiting.splice(0, max).map((event) => sqsRecord(JSON.stringify(event))),
    }),
    stop,
  };
}
