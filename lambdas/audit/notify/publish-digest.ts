import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AuditError } from '../errors';
import type { Digest } from './drift-digest';
import { snsMessage } from './sns-message';

/** Sending the digest failed; the report itself was already written. */
export class DigestPublishError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, options);
  }
}

/**
 * Publishes a digest to the alert topic as one message with a rendering per protocol
 * (`MessageStructure: 'json'`, see {@link snsMessage}).
 */
export async function publishDigest(client: SNSClient, topicArn: string, digest: Digest): Promise<void> {
  try {
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: digest.subject,
        Message: snsMessage(digest),
        MessageStructure: 'json',
      }),
    );
  } catch (error) {
    throw new DigestPublishError(`Could not publish the drift digest to ${topicArn}`, { cause: error });
  }
}
