import type { Context } from 'aws-lambda';

/** A Lambda context for calling the handler in-process; the run gets `remainingMs` before its timeout. */
export function lambdaContext(awsRequestId: string, remainingMs = 900_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'securityhub-config-audit',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:securityhub-config-audit',
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: '/aws/lambda/securityhub-config-audit',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
