/**
 * The API quotas the benchmark's emulator enforces, with where each number comes from.
 * One object, so the emulator, the audit tuning and the floor arithmetic cannot disagree.
 */

/** A service's request quota: sustained rate and bucket size, plus its provenance. */
export interface BenchQuota {
  readonly ratePerSecond: number;
  readonly burst: number;
  /** True when AWS publishes the number; false when it is our assumption. */
  readonly published: boolean;
  readonly source: string;
  readonly note: string;
}

/** Quotas per emulated service. */
export const BENCH_QUOTAS: { readonly securityHub: BenchQuota; readonly organizations: BenchQuota } = {
  securityHub: {
    ratePerSecond: 10,
    burst: 30,
    published: true,
    source: 'https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html',
    // BatchGetConfigurationPolicyAssociations has no line of its own there, so it falls
    // under the catch-all "All other operations" line.
    note: 'Security Hub API reference, throttling limits: "All other operations - RateLimit of 10 requests per second. BurstLimit of 30 requests per second."',
  },
  organizations: {
    ratePerSecond: 10,
    burst: 10,
    published: false,
    source: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html',
    // The Organizations quotas page and the general reference
    // (https://docs.aws.amazon.com/general/latest/gr/ao.html) list object counts and a few
    // per-operation limits, but no request rate for ListRoots, ListOrganizationalUnitsForParent,
    // ListAccountsForParent, ListAccounts or ListParents; the API only documents
    // TooManyRequestsException ("You have sent too many requests in too short a period of time").
    note: "AWS publishes no request rate for the Organizations List* operations; assumed 10 requests/s with a burst of 10 (conservative: no more than Security Hub's documented rate, and a burst equal to one second).",
  },
};

/**
 * The object quotas of AWS Organizations that bound how large an organization can be,
 * from "Quotas and service limits of AWS Organizations"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html):
 * - "Default maximum number of accounts: 10 ... This quota is adjustable ... A limit increase
 *   can be granted of up to 50,000 accounts based on customer eligibility and requirements"
 *   (older revisions of the page said 10,000; the largest the page allows today is 50,000);
 * - "Number of roots in an organization: 1";
 * - "Number of OUs in an organization: 2,000";
 * - "OU maximum nesting in a root: Five levels of OUs deep under a root".
 * A benchmark scenario outside these bounds describes no organization that can exist and
 * is labelled a stress test.
 */
export const ORGANIZATIONS_OBJECT_QUOTAS = {
  defaultMaxAccounts: 10,
  maxAccounts: 50_000,
  roots: 1,
  maxOus: 2_000,
  maxOuDepth: 5,
  source: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html',
} as const;

/** Whether an organization of this shape is allowed by {@link ORGANIZATIONS_OBJECT_QUOTAS}. */
export function withinOrganizationsQuotas(shape: {
  readonly accounts: number;
  readonly ous: number;
  readonly depth: number;
}): boolean {
  const q = ORGANIZATIONS_OBJECT_QUOTAS;
  return shape.accounts <= q.maxAccounts && shape.ous <= q.maxOus && shape.depth <= q.maxOuDepth;
}
