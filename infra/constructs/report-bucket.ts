import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CHECKPOINT_DIR } from '../../lambdas/audit/checkpoint/checkpoint-store';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';
import { RECHECK_LAYOUT } from './recheck-names';

/** Days a run's checkpoint objects are kept: a run ends within its night, retries included. */
const CHECKPOINT_EXPIRATION_DAYS = 3;
import { DEFAULTS } from '../config/defaults';
import { secureBucketProps } from './secure-bucket-props';

/** How report objects are encrypted at rest. */
export type ReportBucketEncryption =
  /** SSE-S3: no key to manage, no KMS request charges. */
  | { readonly kind: 'S3_MANAGED' }
  /** SSE-KMS with `key`, or with a new customer managed key when `key` is omitted. */
  | { readonly kind: 'KMS'; readonly key?: kms.IKey };

/** Properties of {@link ReportBucket}. */
export interface ReportBucketProps {
  /**
   * Key prefix of the report inside the bucket: `''` or a value ending in `/`, as the
   * `reportPrefix` context key's schema normalizes it.
   * @default '' (bucket root)
   */
  readonly reportPrefix?: string;
  /**
   * Encryption of the report bucket (and of the Athena results, which copy report data).
   * @default { kind: 'S3_MANAGED' }
   */
  readonly encryption?: ReportBucketEncryption;
  /**
   * Age at which dated report objects move to S3 Standard-IA.
   * @default Duration.days(30)
   */
  readonly transitionToInfrequentAccessAfter?: Duration;
  /**
   * Age at which dated report objects move to S3 Glacier Instant Retrieval, a class
   * Athena still reads without a restore.
   * @default Duration.days(90)
   */
  readonly transitionToGlacierAfter?: Duration;
  /**
   * Age at which dated report objects are deleted.
   * @default Duration.days(730)
   */
  readonly expireAfter?: Duration;
  /**
   * How long a replaced object version is kept. `latest/*` is overwritten every
   * night and a retried run overwrites its own objects, so versions pile up without this.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long S3 server access logs are kept.
   * @default Duration.days(365)
   */
  readonly accessLogsExpireAfter?: Duration;
  /**
   * S3 Object Lock default retention of the report bucket: every object version written
   * (reports, summaries, `latest/`, checkpoints, documents) cannot be deleted or overwritten
   * in place until it is `days` old: in GOVERNANCE mode except by principals with
   * `s3:BypassGovernanceRetention`, in COMPLIANCE mode by nobody, root included.
   * @default - no Object Lock
   */
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number };
}

/**
 * The report bucket and its server-access-log bucket. (The Lambda's storage port is
 * `ReportStore` in lambdas/audit/report/report-store.ts; this is the infrastructure.)
 *
 * Both are retained when the stack is deleted: the report is audit evidence and
 * the access logs are the record of who read it.
 */
export class ReportBucket extends Construct {
  /** Holds `associations/`, `runs/`, `latest/` below {@link reportPrefix}, and the optional baseline/exclusions documents. */
  readonly bucket: s3.Bucket;
  /** Destination of the server access logs of every bucket in this app. */
  readonly accessLogsBucket: s3.Bucket;
  /** The KMS key of the report bucket, when SSE-KMS is used. */
  readonly encryptionKey?: kms.IKey;
  /** `''` or a prefix ending in `/`. */
  readonly reportPrefix: string;

  constructor(scope: Construct, id: string, props: ReportBucketProps = {}) {
    super(scope, id);
    this.reportPrefix = props.reportPrefix ?? DEFAULTS.reportPrefix;
    const encryption = props.encryption ?? { kind: 'S3_MANAGED' };
    const days = (value: Duration | undefined, fallback: number) => value ?? Duration.days(fallback);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      // Server access logging delivers only to SSE-S3 buckets, so no KMS here.
      ...secureBucketProps(),
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: days(props.accessLogsExpireAfter, DEFAULTS.accessLogsExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log destination of the report and Athena results buckets; logging it into itself would ' +
        'log its own log deliveries without end, and a second log bucket would only move the same finding one bucket further.',
    });

    if (encryption.kind === 'KMS') {
      this.encryptionKey =
        encryption.key ??
        new kms.Key(this, 'ReportKey', {
          description: 'Encrypts the Security Hub configuration audit reports and Athena results',
          enableKeyRotation: true,
          // The retained bucket would be unreadable without its key.
          removalPolicy: RemovalPolicy.RETAIN,
        });
    }

    const tiering = {
      transitions: [
        {
          storageClass: s3.StorageClass.INFREQUENT_ACCESS,
          transitionAfter: days(props.transitionToInfrequentAccessAfter, DEFAULTS.reportTransitionIaDays),
        },
        {
          storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
          transitionAfter: days(props.transitionToGlacierAfter, DEFAULTS.reportTransitionGlacierDays),
        },
      ],
      expiration: days(props.expireAfter, DEFAULTS.reportExpirationDays),
    };
    const lock = props.objectLock;
    this.bucket = new s3.Bucket(this, 'ReportBucket', {
      ...secureBucketProps(this.encryptionKey),
      versioned: true,
      ...(lock === undefined
        ? {}
        : {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              lock.mode === 'COMPLIANCE'
                ? s3.ObjectLockRetention.compliance(Duration.days(lock.days))
                : s3.ObjectLockRetention.governance(Duration.days(lock.days)),
          }),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'report-bucket/',
      lifecycleRules: [
        // Only the dated history tiers and expires: latest/* is rewritten nightly, and the
        // baseline/exclusions documents must never expire under the user.
        { id: 'associations-history', prefix: this.dataPrefix(REPORT_LAYOUT.associationsDir), ...tiering },
        { id: 'runs-history', prefix: this.dataPrefix(REPORT_LAYOUT.runsDir), ...tiering },
        { id: 'html-history', prefix: this.dataPrefix(REPORT_LAYOUT.htmlDir), ...tiering },
        // The re-check's dated records are history like the nightly ones; recheck/state.json,
        // like latest/, is rewritten by each re-check and never expires.
        { id: 'recheck-associations-history', prefix: this.dataPrefix(RECHECK_LAYOUT.associationsDir), ...tiering },
        { id: 'recheck-runs-history', prefix: this.dataPrefix(RECHECK_LAYOUT.runsDir), ...tiering },
        // A run's checkpoints matter only until its report is written (within the night).
        {
          id: 'run-checkpoints',
          prefix: this.dataPrefix(CHECKPOINT_DIR),
          expiration: Duration.days(CHECKPOINT_EXPIRATION_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'noncurrent-versions',
          noncurrentVersionExpiration: days(
            props.noncurrentVersionExpiration,
            DEFAULTS.noncurrentVersionExpirationDays,
          ),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }

  /** `<prefix><dir>/`, e.g. `audit/associations/`. */
  dataPrefix(dir: string): string {
    return `${this.reportPrefix}${dir}/`;
  }

  /** `s3://<bucket>/<prefix><dir>/` (a token until deploy). */
  dataLocation(dir: string): string {
    return `s3://${this.bucket.bucketName}/${this.dataPrefix(dir)}`;
  }
}
