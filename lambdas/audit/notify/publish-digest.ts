import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Digest } from './drift-digest';

/** Sending the digest failed; the report itself was already written. */
export class DigestPublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DigestPublishError';
  }
}

/** Publishes a digest to the alert topic. */
export async function publishDigest(client: SNSClient, topicArn: string, digest: Digest): Promise<void> {
  try {
    await client.send(new PublishCommand({ TopicArn: topicArn, Subject: digest.subject, Message: digest.message }));
  } catch (error) {
    throw new DigestPublishError(`Could not publish the drift digest to ${topicArn}`, { cause: error });
  }
}
