import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CHECKPOINT_DIR } from '../../lambdas/audit/checkpoint/checkpoint-store';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';
import { acknowledgeWildcardResources } from './nag-acknowledgments';
import { RECHECK_LAYOUT } from './recheck-names';
import type { ReportBucket } from './report-bucket';

/** Properties of {@link ReportAuditorPolicy}. */
export interface ReportAuditorPolicyProps {
  readonly reportBucket: ReportBucket;
  /** The audit's HMAC key: auditors may verify with it, never sign. */
  readonly macKey: kms.IKey;
}

/**
 * A read-only managed policy for auditors: read the report objects and verify their MACs
 * (`npm run verify`). It cannot write the bucket or make a MAC, so holding it cannot
 * change the evidence. Attach it to an auditor's role or user.
 */
export class ReportAuditorPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ReportAuditorPolicyProps) {
    super(scope, id);
    const store = props.reportBucket;
    const dirs = [
      REPORT_LAYOUT.associationsDir,
      REPORT_LAYOUT.runsDir,
      REPORT_LAYOUT.htmlDir,
      REPORT_LAYOUT.latestDir,
      CHECKPOINT_DIR,
      // The re-check records and state (npm run verify checks them too).
      RECHECK_LAYOUT.dir,
    ];
    const read = new iam.PolicyStatement({
      sid: 'ReadReports',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: dirs.map((dir) => store.bucket.arnForObjects(`${store.dataPrefix(dir)}*`)),
    });
    const statements = [
      read,
      new iam.PolicyStatement({ sid: 'ListReports', actions: ['s3:ListBucket'], resources: [store.bucket.bucketArn] }),
      new iam.PolicyStatement({ sid: 'VerifyMacs', actions: ['kms:VerifyMac'], resources: [props.macKey.keyArn] }),
    ];
    if (store.encryptionKey) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DecryptReports',
          actions: ['kms:Decrypt'],
          resources: [store.encryptionKey.keyArn],
        }),
      );
    }
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Read-only: read the Security Hub configuration audit reports and verify their MACs',
      statements,
    });
    acknowledgeWildcardResources(this.policy, [
      {
        resources: read.resources,
        reason:
          'Report object keys contain the run date and id, so reading is granted per report prefix of the one ' +
          'report bucket; read-only.',
      },
    ]);
  }
}
