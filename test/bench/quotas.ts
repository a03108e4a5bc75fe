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
