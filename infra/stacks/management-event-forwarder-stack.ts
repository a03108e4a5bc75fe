import { CfnOutput, Duration, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { organizationsChangePattern } from '../../lambdas/audit/recheck/change-events';
import { ConfigError } from '../../lambdas/audit/errors';
import { toRulePattern } from '../constructs/recheck-events';
import { checkedBusName, forwarderRoleName, forwarderRuleName } from '../constructs/recheck-names';
import { deadLetterQueue } from '../constructs/dead-letter-queue';

/** An AWS Region name (`eu-west-1`, `us-gov-west-1`). */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Properties of {@link ManagementEventForwarderStack}. */
export interface ManagementEventForwarderStackProps extends StackProps {
  /** The audit (Security Hub delegated administrator) account that owns the changes bus. */
  readonly auditAccountId: string;
  /** The audit's home Region, where the changes bus is. */
  readonly homeRegion: string;
  /** The changes bus name (recheckBusName of the audit stack's name); the rule and role are named after it. */
  readonly busName: string;
  /**
   * Retention of the forwarder's dead-letter queue.
   * @default Duration.days(14) (the SQS maximum)
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * For the MANAGEMENT account, us-east-1: Organizations is a global service whose CloudTrail
 * events reach EventBridge only in us-east-1 and only in the management account
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-organizations.html). One
 * rule on the default bus forwards exactly the re-check's Organizations events to the audit
 * account's changes bus in the home Region (a cross-account, cross-Region event bus target,
 * which needs an IAM role: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html),
 * with a dead-letter queue for what it cannot deliver.
 *
 * Prerequisites: a CloudTrail trail logging management events in the management account (the
 * events are CloudTrail events), and the account bootstrapped for CDK in us-east-1.
 *
 * Deploy order: the audit stack FIRST (its changes bus and the bus policy that admits this
 * rule must exist), then this stack. They are in different accounts, so there is no CDK
 * dependency between them to enforce it.
 */
export class ManagementEventForwarderStack extends Stack {
  readonly rule: events.Rule;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  /** The changes bus this stack forwards to. */
  readonly targetBusArn: string;

  constructor(scope: Construct, id: string, props: ManagementEventForwarderStackProps) {
    super(scope, id, {
      description: 'Forwards AWS Organizations changes to the Security Hub configuration audit re-check',
      ...props,
    });
    checkProps(props);
    const busName = checkedBusName(props.busName);
    this.targetBusArn = `arn:${this.partition}:events:${props.homeRegion}:${props.auditAccountId}:event-bus/${busName}`;

    this.deadLetterQueue = deadLetterQueue(this, 'the forwarding rule target', props.deadLetterRetention);

    // A fixed name: the audit account's bus policy names this rule (aws:SourceArn), and
    // people look for the role in the management account.
    this.role = new iam.Role(this, 'ForwarderRole', {
      roleName: forwarderRoleName(busName),
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'EventBridge forwards Organizations changes to the Security Hub configuration audit',
    });
    this.rule = new events.Rule(this, 'ForwardOrganizationsChanges', {
      ruleName: forwarderRuleName(busName),
      description:
        'Organizations changes to the Security Hub configuration audit re-check (audit account, home Region)',
      eventPattern: toRulePattern(organizationsChangePattern()),
    });
    // The EventBus target grants the role events:PutEvents on exactly this bus.
    this.rule.addTarget(
      new targets.EventBus(events.EventBus.fromEventBusArn(this, 'AuditChangesBus', this.targetBusArn), {
        role: this.role,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );

    new CfnOutput(this, 'ForwardingRuleArn', { value: this.rule.ruleArn });
    new CfnOutput(this, 'TargetEventBusArn', { value: this.targetBusArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
  }
}

/** The target's account and Region must be real values: they become an ARN in another account. */
function checkProps(props: ManagementEventForwarderStackProps): void {
  if (Token.isUnresolved(props.auditAccountId) || !/^\d{12}$/.test(props.auditAccountId)) {
    throw new ConfigError('ManagementEventForwarderStack auditAccountId: expected a 12-digit AWS account id');
  }
  if (Token.isUnresolved(props.homeRegion) || !REGION_PATTERN.test(props.homeRegion)) {
    throw new ConfigError('ManagementEventForwarderStack homeRegion: expected an AWS Region name');
  }
}
