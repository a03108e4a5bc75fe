import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Properties of {@link AlertTopic}. */
export interface AlertTopicProps {
  /**
   * E-mail addresses to subscribe. Each receives a confirmation mail from AWS and
   * gets nothing until it confirms.
   * @default [] (subscribe later, e.g. a chat or ticketing integration)
   */
  readonly emailAddresses?: readonly string[];
}

/**
 * The SNS topic that receives the alarms (alarm and OK) and the function's
 * drift-change digest.
 *
 * It is encrypted with its own customer managed key rather than `alias/aws/sns`:
 * CloudWatch alarms cannot publish to a topic under the AWS managed key, whose
 * key policy cannot grant the CloudWatch service principal.
 */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the Security Hub configuration audit alert topic',
      enableKeyRotation: true,
      // SNS stores no messages, so nothing encrypted with this key outlives the topic.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Only CloudWatch alarms of this account and Region: the confused-deputy conditions
    // the SNS developer guide gives for AWS services that publish to encrypted topics.
    const fromThisAccountsAlarms = {
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
      StringEquals: { 'aws:SourceAccount': stack.account },
    };
    // CloudWatch publishes alarm notifications itself and needs the data key to do so.
    // In a key policy, Resource "*" means this key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: fromThisAccountsAlarms,
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Security Hub configuration audit',
      masterKey: this.key,
      // Not `enforceSSL`: it denies only sns:Publish without TLS. The statement below
      // denies every action (subscribe, set attributes, ...) without TLS.
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyRequestsWithoutTls',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        // sns:* covers sns:Publish; Publish is also named on its own because checkers such
        // as cdk-nag (AwsSolutions-SNS3) look for that action literally.
        actions: ['sns:*', 'sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // The topic policy above replaces SNS's default one, so CloudWatch alarms of this
    // account need an explicit grant; the conditions stop other accounts' alarms (confused deputy).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );

    for (const address of props.emailAddresses ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
  }
}
