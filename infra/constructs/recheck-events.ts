import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type ChangeEventPattern,
  organizationsChangePattern,
  securityHubChangePattern,
} from '../../lambdas/audit/recheck/change-events';
import { ConfigError } from '../../lambdas/audit/errors';
import { DEFAULTS } from '../config/defaults';
import { checkedBusName, forwarderRuleArn, recheckBusName } from './recheck-names';
import { deadLetterQueue } from './dead-letter-queue';

/**
 * Lambda's guidance for an SQS event source with a dead-letter queue: a maxReceiveCount of
 * at least 5, so that a batch throttled by the function's concurrency limit is not
 * dead-lettered before it was ever processed.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
const MIN_MAX_RECEIVE_COUNT = 5;

/** The rule pattern of `pattern`, as CDK takes it (its `detailType` is the JSON's `detail-type`). */
export function toRulePattern(pattern: ChangeEventPattern): events.EventPattern {
  return {
    source: [...pattern.source],
    detailType: [...pattern['detail-type']],
    ...(pattern.account === undefined ? {} : { account: [...pattern.account] }),
    detail: { eventSource: [...pattern.detail.eventSource], eventName: [...pattern.detail.eventName] },
  };
}

/** Properties of {@link RecheckEvents}. */
export interface RecheckEventsProps {
  /**
   * The queue's visibility timeout: at least six times the re-check function's timeout (see
   * RecheckPipeline, which computes it).
   */
  readonly visibilityTimeout: Duration;
  /**
   * The management account whose Organizations events the changes bus admits. Without it
   * there is no changes bus and no Organizations rule: only Security Hub changes are re-checked.
   * @default - no Organizations events
   */
  readonly managementAccountId?: string;
  /**
   * Name of the changes bus; the forwarder stack targets it and names its rule after it.
   * @default `<stackName>-changes` (recheckBusName)
   */
  readonly busName?: string;
  /**
   * Receives of a change before SQS moves it to the dead-letter queue (at least 5).
   * @default 10
   */
  readonly maxReceiveCount?: number;
  /**
   * Retention of the dead-letter queue.
   * @default Duration.days(14) (the SQS maximum)
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * Where the changes come from and wait: the Security Hub rule on the default bus, the
 * changes bus (with the Organizations rule) that the management account forwards to, the
 * re-check queue both rules fill, and one dead-letter queue for what neither EventBridge
 * nor the re-check could deliver or process.
 */
export class RecheckEvents extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly securityHubRule: events.Rule;
  /** Present with a management account. */
  readonly bus?: events.EventBus;
  /** Present with a management account. */
  readonly organizationsRule?: events.Rule;
  /** The changes bus name (also without a management account, for the outputs and the forwarder). */
  readonly busName: string;

  constructor(scope: Construct, id: string, props: RecheckEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const maxReceiveCount = props.maxReceiveCount ?? DEFAULTS.recheckMaxReceiveCount;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < MIN_MAX_RECEIVE_COUNT || maxReceiveCount > 1000) {
      throw new ConfigError(`RecheckEvents maxReceiveCount: expected an integer from ${MIN_MAX_RECEIVE_COUNT} to 1000`);
    }
    const management = props.managementAccountId;
    if (management !== undefined && !Token.isUnresolved(management) && !/^\d{12}$/.test(management)) {
      throw new ConfigError('RecheckEvents managementAccountId: expected a 12-digit AWS account id');
    }
    this.busName = checkedBusName(props.busName ?? recheckBusName(stack.stackName));

    this.deadLetterQueue = deadLetterQueue(
      this,
      'the re-check queue and of the rule targets (an alarm watches it)',
      props.deadLetterRetention,
    );
    this.queue = new sqs.Queue(this, 'Queue', {
      // SSE-SQS: EventBridge can send to it without a key policy (an AWS managed KMS key would refuse it).
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    // The SqsQueue target grants events.amazonaws.com sqs:SendMessage on an unencrypted or
    // SSE-SQS queue with `aws:SourceArn` = the rule's ARN, and the same on the DLQ.
    const target = new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue });

    this.securityHubRule = new events.Rule(this, 'SecurityHubRule', {
      description: 'Security Hub configuration changes in this account and Region, to the re-check',
      eventPattern: toRulePattern(securityHubChangePattern(stack.account)),
      targets: [target],
    });

    if (management !== undefined) {
      this.bus = new events.EventBus(this, 'ChangesBus', {
        eventBusName: this.busName,
        description: 'Organizations changes forwarded from the management account, for the re-check',
      });
      this.bus.addToResourcePolicy(this.forwarderStatement(this.bus, management));
      this.organizationsRule = new events.Rule(this, 'OrganizationsRule', {
        description: 'Organizations changes forwarded by the management account, to the re-check',
        eventBus: this.bus,
        eventPattern: toRulePattern(organizationsChangePattern(management)),
        targets: [target],
      });
    }
  }

  /**
   * Admits exactly the management account's forwarding rule, and only Organizations events.
   * `events:source` restricts PutEvents to events of that source
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html);
   * `aws:SourceArn` is the ARN of the rule that sends an event to a bus in another account or
   * Region (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-example-policy-restrict-rule.html),
   * so a direct PutEvents by anyone in the management account, which has no source rule, is
   * refused. `aws:PrincipalArn` (the forwarding role) is not used: EventBridge documents the
   * rule ARN, not the role, as what a receiving bus sees of a bus-to-bus delivery.
   */
  private forwarderStatement(bus: events.EventBus, managementAccountId: string): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'ManagementAccountForwardsOrganizationsEvents',
      principals: [new iam.AccountPrincipal(managementAccountId)],
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: {
        StringEquals: { 'events:source': 'aws.organizations' },
        ArnEquals: { 'aws:SourceArn': forwarderRuleArn(Stack.of(this).partition, managementAccountId, this.busName) },
      },
    });
  }
}
