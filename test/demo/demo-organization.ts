import type { EmulatorFaults, GenerateOrganizationOptions, GeneratedOrg } from '../emulator';

/**
 * The organization `npm start` audits: a few hundred accounts, OUs five levels deep, and
 * one seeded case of every kind of drift, so the demo's summary shows each reason.
 * Ids depend only on these options, which is what lets the shipped baseline and
 * exclusions files name real targets.
 */
export const DEMO_ORGANIZATION: GenerateOrganizationOptions = {
  seed: 'demo',
  accounts: 400,
  ous: 40,
  maxDepth: 5,
  anomalies: { failed: 4, stalePending: 3, freshPending: 3, inheritanceMismatch: 3, missing: 2 },
};

/**
 * Security Hub's documented quota (10 requests/s, burst 30), a few entries that clear
 * after one re-drive, and one account whose association can never be read.
 */
export function demoFaults(org: GeneratedOrg): EmulatorFaults {
  const seeded = new Set(Object.values(org.anomalies).flat());
  const unreadable = org.accounts.filter((a) => a.status === 'ACTIVE' && !seeded.has(a.id)).at(-1)!;
  return {
    organizations: { emptyPageFraction: 0.05 },
    securityHub: {
      quota: { ratePerSecond: 10, burst: 30 },
      unprocessed: [
        {
          targetIds: [unreadable.id],
          attempts: 'forever',
          errorCode: '403',
          errorReason: 'Access denied to the member account',
        },
        { fraction: 0.03, attempts: 1, errorCode: '429', errorReason: 'Rate exceeded' },
      ],
    },
  };
}
