import { destinationOfFunctionArn } from '../../../../lambdas/audit/findings/run-findings';

describe('destinationOfFunctionArn', () => {
  it("takes the partition, Region and account from the invoked function's ARN", () => {
    expect(destinationOfFunctionArn('arn:aws:lambda:eu-west-1:111122223333:function:audit')).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111122223333',
    });
    expect(destinationOfFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:audit:live')).toEqual({
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      accountId: '111122223333',
    });
  });

  it('is null for anything that is not a function ARN', () => {
    expect(destinationOfFunctionArn('')).toBeNull();
    expect(destinationOfFunctionArn('arn:aws:sns:eu-west-1:111122223333:topic')).toBeNull();
    expect(destinationOfFunctionArn('arn:aws:lambda:eu-west-1:1111:function:audit')).toBeNull();
  });
});
