import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOf, type KmsKeyProperties, type PolicyProperties, type PolicyStatementJson } from './template-json';
import { STACK_VARIANTS as VARIANTS, templateFor } from './test-app';

const RESOURCE_POLICY_TYPES = ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'AWS::S3::BucketPolicy'];

/** Statements that allow an AWS service principal, with where they were found. */
function serviceStatements(
  template: Template,
  types: readonly string[],
  documentOf: (properties: Readonly<Record<string, unknown>>) => readonly PolicyStatementJson[],
): { where: string; statement: PolicyStatementJson }[] {
  return types.flatMap((type) =>
    Object.entries(resourcesOf(template, type)).flatMap(([id, resource]) =>
      documentOf(resource.Properties)
        .filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal ?? {}).includes('"Service"'))
        .map((statement) => ({ where: `${id} ${statement.Sid ?? ''}`, statement })),
    ),
  );
}

/** Condition keys a statement tests, in any operator. */
const conditionKeys = (statement: PolicyStatementJson): string[] =>
  Object.values(statement.Condition ?? {}).flatMap((operator) => Object.keys(operator));

describe.each(Object.entries(VARIANTS))('service principals (%s)', (_name, context) => {
  let template: Template;
  beforeAll(() => {
    template = templateFor(context);
  });

  it('let a service use a KMS key only for this account and a named source (confused deputy)', () => {
    const statements = serviceStatements(
      template,
      ['AWS::KMS::Key'],
      (p) => (p as unknown as KmsKeyProperties).KeyPolicy.Statement,
    );
    // At least the alert topic key's grant to CloudWatch.
    expect(statements.length).toBeGreaterThanOrEqual(1);
    for (const { where, statement } of statements) {
      expect([where, conditionKeys(statement).sort()]).toEqual([
        where,
        expect.arrayContaining(['aws:SourceAccount', 'aws:SourceArn']),
      ]);
    }
  });

  it('let a service reach a topic, queue or bucket only from a named source', () => {
    const statements = serviceStatements(
      template,
      RESOURCE_POLICY_TYPES,
      (p) => (p as unknown as PolicyProperties).PolicyDocument.Statement,
    );
    // The alarms' topic grant, the rule's dead-letter grant, S3 log delivery.
    expect(statements.length).toBeGreaterThanOrEqual(3);
    for (const { where, statement } of statements) {
      expect([where, conditionKeys(statement)]).toEqual([where, expect.arrayContaining(['aws:SourceArn'])]);
    }
  });
});
