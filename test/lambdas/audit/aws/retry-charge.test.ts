import { RetryCharge } from '../../../../lambdas/audit/aws/retry-charge';

describe('RetryCharge', () => {
  it('charges each attempt beyond one per call once, and nothing while attempts lag behind calls', () => {
    const charged: number[] = [];
    const counts = { requests: 0, throttledRequests: 0 };
    const charge = new RetryCharge({ charge: (tokens) => void charged.push(tokens) }, () => counts);

    charge.called();
    charge.called();
    // Neither call's attempt is counted yet.
    charge.settle();
    counts.requests = 2;
    charge.settle();
    expect(charged).toEqual([]);

    // The SDK retried one of them twice.
    counts.requests = 4;
    charge.settle();
    charge.settle();
    charge.called();
    counts.requests = 6;
    charge.settle();
    expect(charged).toEqual([2, 1]);
  });
});
