import { organizationsChangePattern, securityHubChangePattern } from '../../lambdas/audit/recheck/change-events';
import { buildEvent } from '../emulator';
import { RecheckQueue } from './detection-queue';

const MANAGEMENT = '111111111111';
const AUDIT = '222222222222';

const event = (account: string, id: string) =>
  buildEvent({
    service: 'organizations',
    eventName: 'MoveAccount',
    account,
    region: 'us-east-1',
    time: Date.UTC(2026, 10, 27, 2, 0, 0),
    id,
    request: { AccountId: '333333333333', SourceParentId: 'r-ab12', DestinationParentId: 'ou-ab12-cd345678' },
    response: null,
  });

describe('the detection scenario queue', () => {
  it('queues only what the catalog patterns match, and is not idle while something waits', () => {
    const queue = new RecheckQueue(
      [securityHubChangePattern(AUDIT), organizationsChangePattern(MANAGEMENT)],
      { batchSize: 100, batchingWindowMs: 60_000, maxReceiveCount: 10 },
      () => Promise.resolve(),
      () => undefined,
    );
    expect(queue.idle()).toBe(true);
    queue.route(event(MANAGEMENT, 'e-1'));
    queue.route(event('444444444444', 'e-2'));
    expect(queue.counts).toMatchObject({ eventsEmitted: 2, eventsMatched: 1, eventsUnmatched: 1 });
    expect(queue.idle()).toBe(false);
  });
});
