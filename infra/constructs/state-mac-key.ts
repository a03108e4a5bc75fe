import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Actions the account keeps to administer the key. `kms:GenerateMac` is not among them:
 * the key policy alone decides who signs, so no IAM policy in the account can grant it.
 */
const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/** Properties of {@link StateMacKey}. */
export interface StateMacKeyProps {
  /** The audit function's role: the one principal that may make MACs. */
  readonly signer: iam.IRole;
  /**
   * What happens to the key when the stack is deleted. Deleting it makes every signed
   * run unverifiable, so it is kept by default.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC) that authenticates what the audit reads
 * back as state: run summaries, `latest/` and checkpoint manifests. Its key policy gives
 * `kms:GenerateMac` to the audit function's role alone; `kms:VerifyMac` to that role and,
 * through IAM, to whoever holds the auditor policy. Someone who can write the report bucket
 * but cannot call this key cannot forge a state object the audit will adopt.
 */
export class StateMacKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: StateMacKeyProps) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AdministerKeyNotSign',
          principals: [account],
          actions: [...KEY_ADMIN_ACTIONS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AuditFunctionSignsAndVerifies',
          principals: [new iam.ArnPrincipal(props.signer.roleArn)],
          actions: ['kms:GenerateMac', 'kms:VerifyMac'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AccountMayGrantVerifyOnly',
          principals: [account],
          actions: ['kms:VerifyMac'],
          resources: ['*'],
        }),
      ],
    });
    this.key = new kms.Key(this, 'Key', {
      description: `HMAC key authenticating the Security Hub configuration audit state (${Stack.of(this).stackName})`,
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      // HMAC keys do not support automatic rotation.
      enableKeyRotation: false,
      policy,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets `role` sign and verify too: a function that writes state the audit reads back
   * (the re-check's state and runs) must authenticate it with the same key. Only the key
   * policy can grant `kms:GenerateMac` here, hence a statement of its own per signer.
   *
   * @param sid statement id, naming the signer in the key policy
   */
  addSigner(role: iam.IRole, sid: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['kms:GenerateMac', 'kms:VerifyMac'],
        // In a key policy, Resource "*" means this key.
        resources: ['*'],
      }),
    );
  }
}
