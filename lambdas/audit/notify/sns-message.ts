import type { Digest } from '../types/digest';

/**
 * SNS's largest message is 256 KiB (262,144 bytes, UTF-8). The digest stays below it with
 * room to spare for the subject and the envelope.
 */
export const MAX_SNS_MESSAGE_BYTES = 250_000;

/**
 * The digest as one SNS message with `MessageStructure: 'json'`: a JSON object whose keys
 * name delivery protocols and whose values are strings. SNS sends `email` to e-mail
 * subscriptions, `https` to HTTPS ones (Amazon Q Developer in chat applications subscribes
 * over HTTPS and reads a custom notification from it), `sqs` and `lambda` to queues and
 * functions, and `default` to every protocol without its own key (e-mail-json, SMS, http,
 * Firehose, mobile). Machine subscribers get the structured chat notification; people get
 * the text.
 */
export function snsMessage(digest: Digest): string {
  if (digest.chat === undefined) return JSON.stringify({ default: digest.message });
  const chat = JSON.stringify(digest.chat);
  return JSON.stringify({ default: digest.message, email: digest.message, https: chat, sqs: chat, lambda: chat });
}

/** Size of {@link snsMessage} in bytes, as SNS counts it. */
export function snsMessageBytes(digest: Digest): number {
  return Buffer.byteLength(snsMessage(digest), 'utf8');
}
