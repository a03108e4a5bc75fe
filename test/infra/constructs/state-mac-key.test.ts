import type { Template } from 'aws-cdk-lib/assertions';
import {
  resourceWithId,
  type KmsKeyProperties,
  type PolicyStatementJson,
  type PolicyDocumentJson,
} from '../template-json';
import { logicalIdStartingWith, templateFor } from '../test-app';

const template = templateFor({ reportKmsKey: 'create', reportPrefix: 'audit' });

function macKey(t: Template) {
  const id = logicalIdStartingWith(t, 'AWS::KMS::Key', 'AuditFunctionMacKey');
  return { id, props: resourceWithId<KmsKeyProperties & Record<string, unknown>>(t, 'AWS::KMS::Key', id).Properties };
}

const actionsOf = (s: PolicyStatementJson): string[] => (typeof s.Action === 'string' ? [s.Action] : [...s.Action]);
const principalOf = (s: PolicyStatementJson): unknown => s.Principal;
/** Every statement allowing `action`, literally or by a wildcard. */
const allowing = (statements: readonly PolicyStatementJson[], action: string) =>
  statements.filter(
    (s) =>
      s.Effect === 'Allow' &&
      actionsOf(s).some((a) => a === action || a === 'kms:*' || (a.endsWith('*') && action.startsWith(a.slice(0, -1)))),
  );

describe('StateMacKey', () => {
  it('is an HMAC_256 key for GENERATE_VERIFY_MAC, retained, without rotation (HMAC keys have none)', () => {
    const { id, props } = macKey(template);
    expect(props).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', EnableKeyRotation: false });
    expect((template.toJSON() as { Resources: Record<string, unknown> }).Resources[id]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('gives kms:GenerateMac to the audit function role alone, in the key policy', () => {
    const statements = macKey(template).props.KeyPolicy.Statement;
    const role = logicalIdStartingWith(template, 'AWS::IAM::Role', 'AuditFunctionRole');
    const signers = allowing(statements, 'kms:GenerateMac');
    expect(signers).toHaveLength(1);
    expect(principalOf(signers[0])).toEqual({ AWS: { 'Fn::GetAtt': [role, 'Arn'] } });
    // The account (and through IAM, anyone in it) may administer and verify, never sign.
    const verifiers = allowing(statements, 'kms:VerifyMac').map(principalOf);
    expect(verifiers).toHaveLength(2);
    expect(JSON.stringify(verifiers)).toContain(':root');
  });

  it('outputs a read-only auditor managed policy: read the reports, verify MACs, nothing else', () => {
    const json = template.toJSON() as {
      Resources: Record<string, { Type: string; Properties: { PolicyDocument: PolicyDocumentJson } }>;
      Outputs: Record<string, { Value: unknown }>;
    };
    const [id, policy] = Object.entries(json.Resources).find(
      ([key, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && key.startsWith('AuditorPolicy'),
    )!;
    const actions = policy.Properties.PolicyDocument.Statement.flatMap(actionsOf).sort();
    expect(actions).toEqual(['kms:Decrypt', 'kms:VerifyMac', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
    const verify = policy.Properties.PolicyDocument.Statement.find((s) => actionsOf(s).includes('kms:VerifyMac'))!;
    expect(verify.Resource).toEqual({ 'Fn::GetAtt': [macKey(template).id, 'Arn'] });
    expect(json.Outputs.AuditorPolicyArn.Value).toEqual({ Ref: id });
    expect(json.Outputs.MacKeyArn.Value).toEqual({ 'Fn::GetAtt': [macKey(template).id, 'Arn'] });
  });

  it('no IAM policy of the stack grants kms:GenerateMac (the key policy alone does)', () => {
    const json = template.toJSON() as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const identityPolicies = Object.values(json.Resources).filter((r) =>
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type),
    );
    for (const r of identityPolicies) {
      const statements = (r.Properties.PolicyDocument as PolicyDocumentJson).Statement;
      expect(allowing(statements, 'kms:GenerateMac')).toEqual([]);
    }
  });
});
