/**
 * Construction of the SDK v3 clients the audit uses. Region, endpoints and base
 * credentials come from the SDK's own standard chain (AWS_REGION, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>, the default credential provider chain): nothing here reads
 * those variables, so the Lambda, the CLI and the emulator tests all configure the SDK
 * the documented way.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { attachRequestCounter, type RequestCounter } from './request-counter';

/** Options for {@link createAwsClients}; everything left out comes from the SDK chain. */
export interface AwsClientsOptions {
  /** Overrides the region of every client; normally left to AWS_REGION. */
  readonly region?: string;
  /**
   * Role to assume for Organizations calls only (e.g. a read-only role in the management
   * account when the audit runs in the Security Hub delegated administrator account).
   */
  readonly organizationsRoleArn?: string;
  /**
   * Attempts per request (first try included) for every client. Without it Organizations
   * gets {@link ORGANIZATIONS_MAX_ATTEMPTS} and the others the SDK default.
   */
  readonly maxAttempts?: number;
}

/** The clients and the request counters of the two audited APIs. */
export interface AwsClients {
  readonly organizations: OrganizationsClient;
  readonly securityHub: SecurityHubClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  /** The MAC key's client (AWS_ENDPOINT_URL_KMS honoured by the SDK). */
  readonly kms: KMSClient;
  /** Organizations attempts and throttles, retries included. */
  readonly organizationsCounter: RequestCounter;
  /** Security Hub attempts and throttles, retries included. */
  readonly securityHubCounter: RequestCounter;
  /** Releases the clients' sockets (the CLI calls this so the process can exit promptly). */
  destroy(): void;
}

/**
 * Organizations publishes no request rate for its List* operations and its quota is
 * shared by every caller in the organization. The walk paces itself (see
 * `walkOrganization`); when Organizations throttles anyway, the SDK's `adaptive` retry
 * mode (a client-side rate limiter that backs off on throttling responses) slows the
 * retries down, with more attempts than the default 3 so a throttled walk still completes.
 * @internal Exported for its tests.
 */
export const ORGANIZATIONS_MAX_ATTEMPTS = 8;

/**
 * Retry settings of the two audited APIs, shared with the tests that build clients for
 * the emulator so they retry exactly as production does.
 *
 * Security Hub gets `standard` retries: our own token bucket paces it below its documented
 * quota and backs off when it throttles anyway (see `TokenBucket.backOff`). The SDK's
 * `adaptive` limiter is not stacked on top: after one throttle it can drop to 0.5
 * requests/s of real time and climb back slowly, which would stretch a run's fan-out far
 * more than the throttling itself, and it does not run on the audit's injected clock.
 * @internal Exported for its tests.
 */
export const RETRY_SETTINGS = {
  organizations: { retryMode: 'adaptive', maxAttempts: ORGANIZATIONS_MAX_ATTEMPTS },
  securityHub: { retryMode: 'standard' },
} as const;

/**
 * Per-attempt limits of every client (options of the SDK's Node.js HTTP handler).
 * `requestTimeout` alone only logs a warning when exceeded; `throwOnRequestTimeout` makes
 * it abort the attempt with a TimeoutError, which the SDK then retries.
 * @internal Exported for its tests.
 */
export const REQUEST_TIMEOUTS = {
  connectionTimeout: 5_000,
  requestTimeout: 30_000,
  throwOnRequestTimeout: true,
} as const;

/**
 * Session name the assumed Organizations role shows in CloudTrail.
 * @internal Exported for its tests.
 */
export const ORGANIZATIONS_ROLE_SESSION_NAME = 'securityhub-config-audit';

/** Creates the five clients with the retry settings above. */
export function createAwsClients(options: AwsClientsOptions = {}): AwsClients {
  const { region, organizationsRoleArn, maxAttempts } = options;
  // Keys are set only when given, so otherwise the SDK chain (AWS_REGION, AWS_MAX_ATTEMPTS,
  // shared config) decides, exactly as for any other SDK program.
  const common = {
    ...(region !== undefined ? { region } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    // The SDK sets no request timeout: a hung socket would sit past the audit's deadline
    // into the Lambda timeout, and then no report is written at all. A timed-out attempt
    // is retried by the SDK like any other transient failure.
    requestHandler: REQUEST_TIMEOUTS,
  };

  const organizations = new OrganizationsClient({
    ...common,
    ...RETRY_SETTINGS.organizations,
    maxAttempts: maxAttempts ?? ORGANIZATIONS_MAX_ATTEMPTS,
    ...(organizationsRoleArn !== undefined
      ? {
          // The standard provider: it assumes the role with STS using the default chain's
          // credentials and the calling client's region, and refreshes before expiry.
          credentials: fromTemporaryCredentials({
            params: { RoleArn: organizationsRoleArn, RoleSessionName: ORGANIZATIONS_ROLE_SESSION_NAME },
          }),
        }
      : {}),
  });
  const securityHub = new SecurityHubClient({ ...common, ...RETRY_SETTINGS.securityHub });
  const s3 = new S3Client({ ...common });
  const sns = new SNSClient({ ...common });
  const kms = new KMSClient({ ...common });

  return {
    organizations,
    securityHub,
    s3,
    sns,
    kms,
    organizationsCounter: attachRequestCounter(organizations),
    securityHubCounter: attachRequestCounter(securityHub),
    destroy() {
      organizations.destroy();
      securityHub.destroy();
      s3.destroy();
      sns.destroy();
      kms.destroy();
    },
  };
}
