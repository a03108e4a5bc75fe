import { TEST_MAC } from '../../../support/local-mac';
/**
 * Property: whatever the audit writes, it reads back as trusted. Service strings (names,
 * status messages, error codes and reasons, UpdatedAt) and exclusion reasons at and beyond
 * every length bound go through the real walk and fan-out into a checkpoint, rows and a
 * run summary; the checkpoint decodes, and the next night's run trusts its history.
 */
import * as organizationsSdk from '@aws-sdk/client-organizations';
import * as securityHubSdk from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { CHECKPOINT_VERSION } from '../../../../lambdas/audit/checkpoint/checkpoint-schema';
import { decodeCheckpoint, encodeCheckpoint } from '../../../../lambdas/audit/checkpoint/checkpoint-codec';
import { DEFAULT_TUNING } from '../../../support/default-tuning';
import { Collection } from '../../../../lambdas/audit/core/collect-associations';
import { runAudit } from '../../../../lambdas/audit/core/run-audit';
import { ExclusionsError } from '../../../../lambdas/audit/errors';
import { MAX_CLOCK_SKEW_MS } from '../../../../lambdas/audit/report/run-id';
import { parseRows } from '../../../../lambdas/audit/report/rows';
import { parseRunSummary, serializeRunSummary } from '../../../../lambdas/audit/report/summary';
import {
  MAX_FREE_TEXT_LENGTH,
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_SERVICE_TEXT_LENGTH,
} from '../../../../lambdas/audit/util/text-bounds';
import { MemoryStore } from '../../../support/memory-store';
import { fakeTime } from './mock-aws-org';

const ROOT = 'r-ab12';
const OU = 'ou-ab12-11111111';
const DAY_1 = '2026-11-26T02:00:00Z';
const DAY_2 = '2026-11-27T02:00:00Z';
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const organizations = new organizationsSdk.OrganizationsClient({ region: 'us-east-1', credentials });
const securityHub = new securityHubSdk.SecurityHubClient({ region: 'us-east-1', credentials });
const orgMock = mockClient(organizations);
const shMock = mockClient(securityHub);

/** `length` code units of `fill` repeated (an emoji fill may end in half a pair), plus `tail`. */
const textOf = (fill: string, length: number, tail: string) =>
  fill.repeat(Math.ceil(length / fill.length)).slice(0, length) + tail;

/** Text right at, just below and just beyond a bound, filled with characters that cut badly. */
const atBound = (bounds: readonly number[]) =>
  fc
    .record({
      bound: fc.constantFrom(...bounds),
      delta: fc.integer({ min: -2, max: 2 }),
      fill: fc.constantFrom('x', '😀', 'é', '\u0000', '\u202e'),
      tail: fc.string({ unit: 'binary', maxLength: 2 }),
    })
    .map(({ bound, delta, fill, tail }) => textOf(fill, bound + delta, tail));

const serviceText = fc.oneof(
  atBound([MAX_ID_LENGTH, 300, MAX_NAME_LENGTH, MAX_SERVICE_TEXT_LENGTH, 5000]),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const NOW_2 = Date.parse(DAY_2);
const updatedAt = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.constantFrom(
    new Date(Date.UTC(10_000, 0, 1)),
    new Date('9999-12-31T23:59:59.999Z'),
    new Date(Date.UTC(-1, 0, 1)),
    new Date(Date.parse(DAY_1) + MAX_CLOCK_SKEW_MS),
    new Date(Date.parse(DAY_1) + MAX_CLOCK_SKEW_MS + 1),
    new Date(NOW_2 - 60_000),
  ),
);

const answer = fc.oneof(
  fc.record({
    kind: fc.constant('association' as const),
    policyId: fc.oneof(
      fc.uuid().map((u) => u.toUpperCase()),
      fc.uuid(),
    ),
    status: fc.constantFrom('SUCCESS', 'PENDING', 'FAILED'),
    message: fc.option(serviceText, { nil: undefined }),
    updatedAt: fc.option(updatedAt, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('unprocessed' as const), errorCode: serviceText, errorReason: serviceText }),
);

const account = fc.record({
  id: fc.stringMatching(/^\d{12}$/),
  name: serviceText,
  answer,
  /** Length of the exclusion's reason, when the account is excluded. */
  exclusion: fc.option(fc.integer({ min: MAX_FREE_TEXT_LENGTH - 1, max: MAX_FREE_TEXT_LENGTH + 1 }), { nil: null }),
  exclusionFill: fc.constantFrom('r', '😀'),
});

type Account = typeof account extends fc.Arbitrary<infer A> ? A : never;
type Answer = Account['answer'];

function serveOrganizations(accounts: readonly Account[], ouName: string): void {
  orgMock.reset();
  orgMock.on(organizationsSdk.ListRootsCommand).resolves({ Roots: [{ Id: ROOT, Name: ouName }] });
  orgMock
    .on(organizationsSdk.ListOrganizationalUnitsForParentCommand)
    .callsFake((input: { ParentId: string }) =>
      Promise.resolve({ OrganizationalUnits: input.ParentId === ROOT ? [{ Id: OU, Name: ouName }] : [] }),
    );
  orgMock.on(organizationsSdk.ListAccountsForParentCommand).callsFake((input: { ParentId: string }) =>
    Promise.resolve({
      Accounts: input.ParentId === ROOT ? accounts.map((a) => ({ Id: a.id, Name: a.name, State: 'ACTIVE' })) : [],
    }),
  );
}

function entryOf(id: string, a: Answer, identifier: object): { found?: object; unprocessed?: object } {
  if (a.kind === 'unprocessed') {
    return {
      unprocessed: {
        ConfigurationPolicyAssociationIdentifiers: identifier,
        ErrorCode: a.errorCode,
        ErrorReason: a.errorReason,
      },
    };
  }
  return {
    found: {
      TargetId: id,
      ConfigurationPolicyId: a.policyId,
      AssociationType: 'APPLIED',
      AssociationStatus: a.status,
      AssociationStatusMessage: a.message,
      UpdatedAt: a.updatedAt,
    },
  };
}

function serveSecurityHub(answers: ReadonlyMap<string, Answer>): void {
  shMock.reset();
  shMock.on(securityHubSdk.BatchGetConfigurationPolicyAssociationsCommand).callsFake(
    (input: {
      ConfigurationPolicyAssociationIdentifiers: {
        Target?: { AccountId?: string; RootId?: string; OrganizationalUnitId?: string };
      }[];
    }) => {
      const found: object[] = [];
      const unprocessed: object[] = [];
      for (const identifier of input.ConfigurationPolicyAssociationIdentifiers) {
        const t = identifier.Target;
        const id = t?.AccountId ?? t?.RootId ?? t?.OrganizationalUnitId ?? '';
        const entry = entryOf(id, answers.get(id) ?? answers.get(ROOT)!, identifier);
        if (entry.found) found.push(entry.found);
        if (entry.unprocessed) unprocessed.push(entry.unprocessed);
      }
      return Promise.resolve({
        ConfigurationPolicyAssociations: found,
        UnprocessedConfigurationPolicyAssociations: unprocessed,
      });
    },
  );
}

function exclusionsOf(accounts: readonly Account[]): string {
  const entries = accounts
    .filter((a) => a.exclusion !== null)
    .map((a) => ({ targetId: a.id, reason: textOf(a.exclusionFill, a.exclusion!, ''), expires: '2099-12-31' }));
  return JSON.stringify({ version: 1, exclusions: entries });
}

const depsAt = (store: MemoryStore, time: ReturnType<typeof fakeTime>) => ({
  organizations,
  securityHub,
  store,
  clock: time.clock,
  sleep: time.sleep,
  mac: TEST_MAC,
  random: () => 0.5,
});

const tuning = { ...DEFAULT_TUNING, redriveMaxAttempts: 1 };

/** The walk and fan-out alone, saved as a checkpoint and read back. */
async function checkpointRoundTrip(): Promise<void> {
  const time = fakeTime(Date.parse(DAY_1));
  const collection = new Collection(depsAt(new MemoryStore(), time), {
    tuning,
    deadline: time.clock.now() + 600_000,
  });
  await collection.run();
  const saved = collection.snapshot();
  const checkpoint = {
    version: CHECKPOINT_VERSION as typeof CHECKPOINT_VERSION,
    runId: '20261126T020000Z',
    startedAt: time.clock.now(),
    savedAt: time.clock.now(),
    invocations: 1,
    refused: null,
    ...saved,
    stats: {
      organizationsApiCalls: 0,
      organizationsThrottledRequests: 0,
      securityHubApiCalls: 0,
      securityHubThrottledRequests: 0,
      splitGroups: 0,
    },
  };
  const { body, sha256 } = await encodeCheckpoint(checkpoint);
  expect(() => decodeCheckpoint(body, { sha256, runId: checkpoint.runId })).not.toThrow();
}

async function nightlyRun(store: MemoryStore, at: string, exclusions: string) {
  const time = fakeTime(Date.parse(at));
  return runAudit(depsAt(store, time), {
    tuning,
    reportPrefix: '',
    scheduledTime: at,
    deadline: time.clock.now() + 600_000,
    exclusions: { text: exclusions, source: 'exclusions.json' },
  });
}

describe('what the audit writes', () => {
  it('it reads back as trusted: checkpoint, rows and summary, at and beyond every bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(account, { selector: (a) => a.id, minLength: 1, maxLength: 4 }),
        serviceText,
        answer,
        async (accounts, ouName, rootAnswer) => {
          serveOrganizations(accounts, ouName);
          serveSecurityHub(new Map([[ROOT, rootAnswer], ...accounts.map((a) => [a.id, a.answer] as const)]));
          await checkpointRoundTrip();

          const store = new MemoryStore();
          const exclusions = exclusionsOf(accounts);
          if (accounts.some((a) => a.exclusion !== null && a.exclusion > MAX_FREE_TEXT_LENGTH)) {
            // Refused before anything is written, rather than written and refused the next night.
            await expect(nightlyRun(store, DAY_1, exclusions)).rejects.toBeInstanceOf(ExclusionsError);
            return;
          }
          const first = await nightlyRun(store, DAY_1, exclusions);
          expect(parseRows(store.objects.get(first.report.associationsKey)!)).toHaveLength(first.rows.length);
          expect(parseRunSummary(serializeRunSummary(first.summary))).toEqual(first.summary);

          const second = await nightlyRun(store, DAY_2, exclusions);
          expect([second.summary.previous_run_status, second.summary.previous_run_reason]).toEqual(['OK', null]);
          expect(second.summary.previous_run_id).toBe(first.summary.run_id);
        },
      ),
      { numRuns: 40 },
    );
  });
});
