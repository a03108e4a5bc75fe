/**
 * A few nights of the audit against a small emulated organization, written to a real
 * S3-compatible server, whose last HTML report the browser test and `npm run screenshot`
 * open. Accounts and OUs carry hostile names (markup, script, control characters), so the
 * same page shows that they render as text.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { emulatorClientConfig, startEmulator, type GeneratedOrg } from '../emulator';
import { AUDIT_EPOCH, startEmulatedAudit } from './emulated-audit';
import type { AuditOutcome } from '../../lambdas/audit/types/audit';
import type { ConsoleContext } from '../../lambdas/audit/report/console-links';

/** Would run if the account name were parsed as HTML (the probe records into window.__ran). */
export const HOSTILE_ACCOUNT_NAME =
  "prod-<img src=x onerror=\"window.__ran.push('img')\"><script>window.__ran.push('script')</script>";
/** Would close the tree's markup and hide the page if it were parsed as HTML. */
export const HOSTILE_OU_NAME =
  'Workloads</summary></details></td><h1>Forged</h1><style>body{display:none}</style>\u202eevil\u001b[2J';
/** 200 characters without a break opportunity: must wrap, never widen the page. */
export const LONG_OU_NAME = `Payments-${'X'.repeat(191)}`;
/** An account name and a status message without spaces, as long as they are shown. */
export const LONG_ACCOUNT_NAME = `acct-${'Y'.repeat(195)}`;
export const LONG_STATUS_MESSAGE = `Denied:${'Z'.repeat(480)}`;
/** Would inject an element and a link into the drifted table's status column. */
export const HOSTILE_STATUS_MESSAGE =
  'Denied </td><td><a href="https://evil.example">click</a><iframe src="https://evil.example"></iframe>';

const DAY_MS = 86_400_000;

/** The console context the sample runs with, so its page has console links to check. */
export const SAMPLE_CONSOLE: ConsoleContext = { partition: 'aws', region: 'eu-west-1', bucket: 'audit-reports' };

/** The last night's HTML and outcome, with every night's outcome. */
export interface SampleReport {
  readonly html: string;
  readonly htmlKey: string;
  readonly outcomes: readonly AuditOutcome[];
  readonly hostileAccountId: string;
  readonly hostileOuId: string;
  /** The OU named {@link LONG_OU_NAME}: the parent of the hostile account, which drifts. */
  readonly longOuId: string;
}

const messageOf = (index: number, id: string, hostileAccountId: string) =>
  id === hostileAccountId ? HOSTILE_STATUS_MESSAGE : index === 1 ? LONG_STATUS_MESSAGE : 'Policy update failed';

/** Night `n`'s organization: a growing, then shrinking, set of FAILED accounts. */
function night(org: GeneratedOrg, n: number, hostileAccountId: string): GeneratedOrg {
  const associations = new Map(org.associations);
  const plain = org.accounts.filter((a) => associations.get(a.id)?.associationType === 'INHERITED');
  const failing = [0, 2, 4, 3, 5, 2][n % 6];
  plain.slice(0, failing).forEach((account, index) => {
    associations.set(account.id, {
      ...associations.get(account.id)!,
      associationStatus: 'FAILED',
      associationStatusMessage: messageOf(index, account.id, hostileAccountId),
    });
  });
  return { ...org, associations };
}

/** Runs `nights` audits (one a day, ending at AUDIT_EPOCH) and returns the last HTML report. */
export async function buildSampleReport(nights = 6): Promise<SampleReport> {
  const audit = await startEmulatedAudit({
    org: {
      seed: 'html-report',
      accounts: 60,
      ous: 8,
      maxDepth: 3,
      anomalies: { failed: 1, stalePending: 2, freshPending: 1, inheritanceMismatch: 1, missing: 1 },
    },
  });
  try {
    const plain = audit.org.accounts.filter((a) => audit.org.associations.get(a.id)?.associationType === 'INHERITED');
    const hostileAccountId = plain[0].id;
    const parent = audit.org.ous.find((o) => o.id === plain[0].parentId);
    const longOuId = (parent ?? audit.org.ous[1]).id;
    const hostileOuId = audit.org.ous.find((o) => o.id !== longOuId)!.id;
    const accountName = (id: string) =>
      id === hostileAccountId ? HOSTILE_ACCOUNT_NAME : id === plain[1].id ? LONG_ACCOUNT_NAME : undefined;
    const ouName = (id: string) => (id === hostileOuId ? HOSTILE_OU_NAME : id === longOuId ? LONG_OU_NAME : undefined);
    const named: GeneratedOrg = {
      ...audit.org,
      accounts: audit.org.accounts.map((a) => ({ ...a, name: accountName(a.id) ?? a.name })),
      ous: audit.org.ous.map((o) => ({ ...o, name: ouName(o.id) ?? o.name })),
    };
    const exclusions = {
      source: 'sample-exclusions.json',
      text: JSON.stringify({
        version: 1,
        exclusions: [{ targetId: plain[1].id, reason: 'Migration <b>CHG-1234</b>', expires: '2099-12-31' }],
      }),
    };
    const outcomes: AuditOutcome[] = [];
    for (let n = 0; n < nights; n++) {
      const emulator = await startEmulator({ org: night(named, n, hostileAccountId) });
      const config = emulatorClientConfig(emulator);
      const organizations = new OrganizationsClient(config);
      const securityHub = new SecurityHubClient(config);
      try {
        const scheduledTime = new Date(AUDIT_EPOCH - (nights - 1 - n) * DAY_MS).toISOString();
        // Past nights replayed on a clock at AUDIT_EPOCH: explicit re-runs, judged at that clock.
        outcomes.push(
          await audit.run({
            scheduledTime,
            rerun: true,
            exclusions,
            console: SAMPLE_CONSOLE,
            deps: { organizations, securityHub },
          }),
        );
      } finally {
        organizations.destroy();
        securityHub.destroy();
        await emulator.close();
      }
    }
    const htmlKey = outcomes[outcomes.length - 1].report.htmlKey;
    const html = (await audit.s3.getObject(htmlKey)).toString('utf8');
    return { html, htmlKey, outcomes, hostileAccountId, hostileOuId, longOuId };
  } finally {
    await audit.close();
  }
}
