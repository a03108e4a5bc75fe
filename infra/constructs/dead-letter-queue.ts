import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULTS } from '../config/defaults';

/**
 * A dead-letter queue as every one of the stacks has it: SSE-SQS rather than a KMS key, so
 * EventBridge, SQS and Lambda write to it without key policies; TLS only; kept as long as
 * asked (14 days by default, the SQS maximum). It has no dead-letter queue of its own:
 * nothing consumes it automatically, so one would never receive anything.
 * @param of what it is the dead-letter queue of, for the cdk-nag acknowledgment.
 */
export function deadLetterQueue(scope: Construct, of: string, retention?: Duration): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: retention ?? Duration.days(DEFAULTS.dlqRetentionDays),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `This queue is itself the dead-letter queue of ${of}; nothing consumes it automatically, ` +
      'so a further DLQ would never receive anything.',
  });
  return queue;
}
