import { AdaptivePacer } from '../../../../lambdas/audit/securityhub/adaptive-pacer';

function fakeBucket() {
  const events: string[] = [];
  return {
    events,
    bucket: {
      take: () => {
        events.push('take');
        return Promise.resolve();
      },
      backOff: () => void events.push('backOff'),
      recover: () => void events.push('recover'),
      charge: (tokens: number) => void events.push(`charge ${tokens}`),
    },
  };
}

describe('AdaptivePacer', () => {
  it('recovers after a clean call and backs off after a throttled one', () => {
    const { events, bucket } = fakeBucket();
    const pacer = new AdaptivePacer(bucket, () => ({ requests: 0, throttledRequests: 0 }));
    pacer.end(pacer.begin(), false);
    pacer.end(pacer.begin(), true);
    expect(events).toEqual(['recover', 'backOff']);
  });

  it('counts calls in flight together as one throttling episode', () => {
    const { events, bucket } = fakeBucket();
    const pacer = new AdaptivePacer(bucket, () => ({ requests: 0, throttledRequests: 0 }));
    const a = pacer.begin();
    const b = pacer.begin();
    pacer.end(a, true);
    pacer.end(b, true);
    // A call sent after the back-off is a new episode.
    pacer.end(pacer.begin(), true);
    expect(events).toEqual(['backOff', 'backOff']);
  });

  it('backs off for throttled attempts the SDK retried inside a call that then succeeded', () => {
    const { events, bucket } = fakeBucket();
    const counts = { requests: 0, throttledRequests: 0 };
    const pacer = new AdaptivePacer(bucket, () => counts);
    const ticket = pacer.begin();
    counts.throttledRequests = 2;
    pacer.end(ticket, false);
    // No new throttled attempts since: clean.
    pacer.end(pacer.begin(), false);
    expect(events).toEqual(['backOff', 'recover']);
  });

  it('takes its tokens from the bucket', async () => {
    const { events, bucket } = fakeBucket();
    await new AdaptivePacer(bucket, () => ({ requests: 0, throttledRequests: 0 })).take();
    expect(events).toEqual(['take']);
  });

  it('charges the attempts the SDK made beyond one per call before the next take', async () => {
    const { events, bucket } = fakeBucket();
    const counts = { requests: 0, throttledRequests: 0 };
    const pacer = new AdaptivePacer(bucket, () => counts);
    await pacer.take();
    pacer.begin();
    // The call took three attempts (two 5xx retried by the SDK) and succeeded.
    counts.requests = 3;
    await pacer.take();
    await pacer.take();
    expect(events).toEqual(['take', 'charge 2', 'take', 'take']);
  });
});
