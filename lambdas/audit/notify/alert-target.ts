import { createAwsClients, type AwsClients } from '../aws/clients';
import { topicArnProblem } from '../input-validators';

/** Where a failure is paged, and whether its clients were made for it alone (then the caller destroys them). */
export interface AlertTarget {
  readonly topicArn: string;
  readonly clients: AwsClients;
  readonly adHoc: boolean;
}

/**
 * The alert topic for a failure: the configuration's, or when the configuration could not
 * be loaded, ALERT_TOPIC_ARN alone if that variable is itself valid. A bad
 * configuration should page someone, not fail silently.
 */
export function alertTarget(
  runtime: { readonly config: { readonly alertTopicArn?: string }; readonly clients: AwsClients } | undefined,
): AlertTarget | undefined {
  if (runtime !== undefined) {
    const { config, clients } = runtime;
    return config.alertTopicArn === undefined ? undefined : { topicArn: config.alertTopicArn, clients, adHoc: false };
  }
  const raw = process.env.ALERT_TOPIC_ARN?.trim();
  if (raw === undefined || raw === '' || topicArnProblem(raw) !== undefined) return undefined;
  return { topicArn: raw, clients: createAwsClients(), adHoc: true };
}
