import type { Template } from 'aws-cdk-lib/assertions';

/**
 * Typed views of synthesized CloudFormation, for the assertions. `Template.findResources`
 * answers untyped JSON; these name the parts the tests read, so a typo in a property path
 * is a compile error instead of a silently `undefined` expectation.
 */

/** A resource as it appears in the template. */
export interface TemplateResource<P = Readonly<Record<string, unknown>>> {
  readonly Type: string;
  readonly Properties: P;
  readonly DependsOn?: readonly string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** One statement of an IAM, key, topic, queue or bucket policy. */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocumentJson {
  readonly Statement: readonly PolicyStatementJson[];
}

/** AWS::IAM::Policy, AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy, AWS::S3::BucketPolicy. */
export interface PolicyProperties {
  readonly PolicyDocument: PolicyDocumentJson;
  readonly Topics?: readonly unknown[];
  readonly Queues?: readonly unknown[];
  readonly Bucket?: unknown;
}

export interface KmsKeyProperties {
  readonly KeyPolicy: PolicyDocumentJson;
  readonly EnableKeyRotation?: boolean;
  readonly Description?: string;
}

export interface LifecycleRuleJson {
  readonly Id?: string;
  readonly Prefix?: string;
  readonly ExpirationInDays?: number;
  readonly NoncurrentVersionExpiration?: unknown;
  readonly Transitions?: readonly unknown[];
}

export interface BucketProperties {
  readonly BucketEncryption?: {
    readonly ServerSideEncryptionConfiguration: readonly { readonly ServerSideEncryptionByDefault: unknown }[];
  };
  readonly VersioningConfiguration?: unknown;
  readonly LoggingConfiguration?: unknown;
  readonly PublicAccessBlockConfiguration?: unknown;
  readonly OwnershipControls?: unknown;
  readonly LifecycleConfiguration: { readonly Rules: readonly LifecycleRuleJson[] };
}

export interface LambdaFunctionProperties {
  readonly Environment: { readonly Variables: Readonly<Record<string, unknown>> };
  readonly LoggingConfig?: unknown;
  readonly [property: string]: unknown;
}

export interface AlarmProperties {
  readonly Threshold: number;
  readonly Period: number;
  readonly EvaluationPeriods: number;
  readonly AlarmActions?: readonly unknown[];
  readonly OKActions?: readonly unknown[];
  readonly [property: string]: unknown;
}

export interface RuleTargetJson {
  readonly Arn: unknown;
  readonly RetryPolicy?: unknown;
  readonly DeadLetterConfig?: unknown;
  readonly [property: string]: unknown;
}

export interface EventsRuleProperties {
  readonly ScheduleExpression: string;
  readonly State: string;
  readonly Targets: readonly RuleTargetJson[];
}

export interface GlueTableProperties {
  readonly DatabaseName: string;
  readonly TableInput: {
    readonly Name: string;
    readonly TableType: string;
    readonly Parameters: Readonly<Record<string, unknown>>;
    readonly PartitionKeys: readonly unknown[];
    readonly StorageDescriptor: { readonly Columns: readonly unknown[]; readonly [property: string]: unknown };
  };
}

export interface NamedQueryProperties {
  readonly Name: string;
  readonly Description: string;
  readonly [property: string]: unknown;
}

/** Every resource of `type`, by logical id. */
export function resourcesOf<P = Readonly<Record<string, unknown>>>(
  template: Template,
  type: string,
): Readonly<Record<string, TemplateResource<P>>> {
  return template.findResources(type) as Record<string, TemplateResource<P>>;
}

/** The resource of `type` with `logicalId` (fails when there is none). */
export function resourceWithId<P = Readonly<Record<string, unknown>>>(
  template: Template,
  type: string,
  logicalId: string,
): TemplateResource<P> {
  const resource = resourcesOf<P>(template, type)[logicalId];
  if (resource === undefined) {
    throw new Error(`no ${type} with logical id ${logicalId}`);
  }
  return resource;
}
