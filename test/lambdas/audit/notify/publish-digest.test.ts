import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DigestPublishError, publishDigest } from '../../../../lambdas/audit/notify/publish-digest';

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:audit-alerts';
const digest = { subject: 'Security Hub config drift: 1 new, 0 resolved', message: 'line 1\nline 2' };

describe('publishDigest', () => {
  beforeEach(() => sns.reset());

  it('publishes subject and message to the topic, nothing else', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await publishDigest(client, TOPIC, digest);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: digest.subject,
      Message: digest.message,
    });
  });

  it('wraps a failure in DigestPublishError naming the topic, keeping the cause', async () => {
    const cause = Object.assign(new Error('User is not authorized to perform: SNS:Publish'), {
      name: 'AuthorizationErrorException',
    });
    sns.on(PublishCommand).rejects(cause);
    const error = (await publishDigest(client, TOPIC, digest).catch((e: unknown) => e)) as DigestPublishError;
    expect(error).toBeInstanceOf(DigestPublishError);
    expect(error.name).toBe('DigestPublishError');
    expect(error.message).toBe(`Could not publish the drift digest to ${TOPIC}`);
    expect(error.cause).toBe(cause);
  });
});

describe('DigestPublishError kinds', () => {
  it.each([
    ['AuthorizationErrorException', 'PERMISSION'],
    ['KMSAccessDeniedException', 'PERMISSION'],
    ['NotFoundException', 'BAD_INPUT'],
    ['InvalidParameterException', 'BAD_INPUT'],
    ['ThrottledException', 'TRANSIENT'],
    ['InternalErrorException', 'TRANSIENT'],
    ['TimeoutError', 'TRANSIENT'],
  ])('%s is %s', async (name, kind) => {
    sns.reset();
    sns.on(PublishCommand).rejects(Object.assign(new Error('no'), { name }));
    const error = (await publishDigest(client, TOPIC, digest).catch((e: unknown) => e)) as DigestPublishError;
    expect(error).toBeInstanceOf(DigestPublishError);
    expect(error.kind).toBe(kind);
  });
});
