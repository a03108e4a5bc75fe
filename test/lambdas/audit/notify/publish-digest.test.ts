import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { buildDriftDigest } from '../../../../lambdas/audit/notify/drift-digest';
import { publishDigest } from '../../../../lambdas/audit/notify/publish-digest';
import { AuditError, DigestPublishError } from '../../../../lambdas/audit/errors';
import { row, summaryWith } from '../report/row-fixtures';

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:audit-alerts';
const digest = buildDriftDigest(
  summaryWith({ new_drift: 1, resolved_drift: 0 }),
  [row({ target_id: '111111111111', drift: true, drift_reasons: ['FAILED'], changes: ['NEW_DRIFT'] })],
  { maxTargets: 20, reportLocation: 's3://bucket/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz' },
)!;

describe('publishDigest', () => {
  beforeEach(() => sns.reset());

  it('publishes one message with a rendering per protocol (MessageStructure json)', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await publishDigest(client, TOPIC, digest);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(Object.keys(input).sort()).toEqual(['Message', 'MessageStructure', 'Subject', 'TopicArn']);
    expect(input).toMatchObject({ TopicArn: TOPIC, Subject: digest.subject, MessageStructure: 'json' });
    const message = JSON.parse(input.Message!) as Record<string, string>;
    // SNS requires a string "default"; each protocol key is a string too.
    expect(message.default).toBe(digest.message);
    expect(message.email).toBe(digest.message);
    expect(JSON.parse(message.https)).toEqual(digest.chat);
  });

  it('publishes a plain alert (no chat rendering) as its text, the same for every protocol', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    await publishDigest(client, TOPIC, { subject: 'Security Hub config audit could not run: BAD_INPUT', message: 'x' });
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.MessageStructure).toBeUndefined();
    expect(input.Message).toBe('x');
  });

  it('wraps a failure in DigestPublishError naming the topic, keeping the cause', async () => {
    const cause = Object.assign(new Error('User is not authorized to perform: SNS:Publish'), {
      name: 'AuthorizationErrorException',
    });
    sns.on(PublishCommand).rejects(cause);
    const error = (await publishDigest(client, TOPIC, digest).catch((e: unknown) => e)) as DigestPublishError;
    expect(error).toBeInstanceOf(DigestPublishError);
    expect(error).toBeInstanceOf(AuditError);
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
