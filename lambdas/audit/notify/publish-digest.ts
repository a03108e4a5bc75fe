import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type ErrorKind, DigestPublishError } from '../errors';
import { snsMessage } from './sns-message';
import type { Digest } from '../types/digest';

/** SNS Publish errors that retrying cannot fix: the function may not publish, or the topic is not usable. */
const PERMISSION_ERRORS: ReadonlySet<string> = new Set([
  'AuthorizationErrorException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
]);
const BAD_INPUT_ERRORS: ReadonlySet<string> = new Set([
  'NotFoundException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'InvalidSecurityException',
]);

/** The kind of an SNS Publish failure: PERMISSION or BAD_INPUT when the same call cannot succeed later, else TRANSIENT. */
function publishErrorKind(error: unknown): ErrorKind {
  const name = error instanceof Error ? error.name : '';
  if (PERMISSION_ERRORS.has(name)) return 'PERMISSION';
  if (BAD_INPUT_ERRORS.has(name)) return 'BAD_INPUT';
  return 'TRANSIENT';
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
        // A plain alert (no chat variant) goes out as its text, the same to every protocol.
        ...(digest.chat === undefined
          ? { Message: digest.message }
          : { Message: snsMessage(digest), MessageStructure: 'json' }),
      }),
    );
  } catch (error) {
    throw new DigestPublishError(publishErrorKind(error), `Could not publish the drift digest to ${topicArn}`, {
      cause: error,
    });
  }
}
