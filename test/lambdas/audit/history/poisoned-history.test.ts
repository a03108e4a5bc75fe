/**
 * Property: whatever is done to the previous run's objects in the store, the next run does
 * not crash, either verifies its history (OK) or flags it UNTRUSTED and counts every
 * drifted target as new drift, and reports every enumerated target exactly once.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { runAudit } from '../../../../lambdas/audit/core/run-audit';
import { sha256Hex } from '../../../../lambdas/audit/report/rows';
import {
  ACCOUNT_AT_ROOT,
  ACCOUNT_IN_OU,
  ALL_TARGETS,
  P1,
  fakeTime,
  healthyAnswers,
  serveAssociations,
  serveOrganization,
} from '../core/mock-aws-org';
import { MemoryStore } from '../../../support/memory-store';
import type { AuditOutcome } from '../../../../lambdas/audit/types/audit';
import { DEFAULT_TUNING } from '../../../support/default-tuning';
import { TEST_MAC } from '../../../support/local-mac';

const LATEST = 'latest/run.json';
const ROWS = 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz';
const RUN = 'runs/dt=2026-11-26/20261126T020000Z.json';
const FIRST = '2026-11-26T02:00:00Z';
const SECOND = '2026-11-27T02:00:00Z';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const organizations = new OrganizationsClient({ region: 'us-east-1', credentials });
const securityHub = new SecurityHubClient({ region: 'us-east-1', credentials });

beforeAll(() => {
  serveOrganization(orgMock);
  // The same two accounts drifted (FAILED) in both runs: nothing is new unless history is lost.
  const answers = healthyAnswers();
  for (const id of [ACCOUNT_IN_OU, ACCOUNT_AT_ROOT]) {
    answers.set(id, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
  }
  serveAssociations(shMock, answers);
});

function audit(objects: Map<string, Buffer>, scheduledTime: string): Promise<AuditOutcome> {
  const time = fakeTime(Date.parse(scheduledTime));
  return runAudit(
    {
      organizations,
      securityHub,
      store: new MemoryStore(objects),
      mac: TEST_MAC,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
    },
    { tuning: DEFAULT_TUNING, reportPrefix: '', scheduledTime, deadline: time.clock.now() + 600_000 },
  );
}

/** One way of poisoning the store: a function from the first run's objects to the poisoned ones. */
type Poison = (objects: Map<string, Buffer>) => void;

const KEYS = [LATEST, ROWS, RUN] as const;

const flipByte: fc.Arbitrary<Poison> = fc
  .tuple(fc.constantFrom(...KEYS), fc.nat(), fc.integer({ min: 1, max: 255 }))
  .map(([key, at, xor]) => (objects) => {
    const body = Buffer.from(objects.get(key)!);
    body[at % body.length] ^= xor;
    objects.set(key, body);
  });

const truncate: fc.Arbitrary<Poison> = fc.tuple(fc.constantFrom(...KEYS), fc.nat()).map(
  ([key, keep]) =>
    (objects) =>
      objects.set(key, objects.get(key)!.subarray(0, keep % objects.get(key)!.length)),
);

const remove: fc.Arbitrary<Poison> = fc.constantFrom(...KEYS).map((key) => (objects) => void objects.delete(key));

const replaceWith: fc.Arbitrary<Poison> = fc
  .tuple(
    fc.constantFrom(...KEYS),
    fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    ),
  )
  .map(
    ([key, text]) =>
      (objects) =>
        objects.set(key, key.endsWith('.gz') ? gzipSync(text) : Buffer.from(text)),
  );

/** Sets one field of latest/run.json to any JSON value. */
const latestField: fc.Arbitrary<Poison> = fc
  .tuple(fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 3 }), fc.nat())
  .map(([name, value, pick]) => (objects) => {
    const latest = JSON.parse(objects.get(LATEST)!.toString()) as Record<string, unknown>;
    const keys = Object.keys(latest);
    const field = pick % 2 === 0 ? keys[pick % keys.length] : name;
    objects.set(LATEST, Buffer.from(JSON.stringify({ ...latest, [field]: value })));
  });

/** Sets one field of one row to any JSON value; with `rehash`, latest vouches for the new bytes. */
const rowField: fc.Arbitrary<Poison> = fc
  .tuple(fc.nat(), fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.boolean())
  .map(([rowPick, fieldPick, value, rehash]) => (objects) => {
    const rows = gunzipSync(objects.get(ROWS)!)
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const row = rows[rowPick % rows.length];
    const keys = Object.keys(row);
    row[keys[fieldPick % keys.length]] = value;
    const body = gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    objects.set(ROWS, body);
    if (rehash) {
      const latest = JSON.parse(objects.get(LATEST)!.toString()) as Record<string, unknown>;
      objects.set(LATEST, Buffer.from(JSON.stringify({ ...latest, associations_sha256: sha256Hex(body) })));
    }
  });

const poisons = fc.array(fc.oneof(flipByte, truncate, remove, replaceWith, latestField, rowField), {
  minLength: 1,
  maxLength: 3,
});

describe('a poisoned previous snapshot', () => {
  let clean: Map<string, Buffer>;

  beforeAll(async () => {
    clean = new Map();
    const first = await audit(clean, FIRST);
    expect(first.summary).toMatchObject({ drifted: 2, new_drift: 2 });
  });

  it('never crashes the run, never silences drift, never loses a target', async () => {
    await fc.assert(
      fc.asyncProperty(poisons, async (applied) => {
        const objects = new Map(clean);
        for (const poison of applied) {
          try {
            poison(objects);
          } catch {
            // A poison that cannot read what an earlier one broke leaves it broken.
          }
        }
        const { summary, rows } = await audit(objects, SECOND);

        expect(summary.targets_enumerated).toBe(ALL_TARGETS.length);
        expect(summary.targets_reported).toBe(summary.targets_enumerated);
        expect(new Set(rows.map((r) => r.target_id))).toEqual(new Set(ALL_TARGETS));
        expect(summary.drifted).toBe(2);
        if (summary.previous_run_status === 'OK') {
          // Verified history: the same drift as last night, so nothing is new.
          expect(summary.previous_run_id).toBe('20261126T020000Z');
          expect(summary.new_drift).toBe(0);
        } else {
          // No usable history: every drifted target is new, so the digest fires.
          expect(['UNTRUSTED', 'NONE']).toContain(summary.previous_run_status);
          expect(summary.previous_run_id).toBeNull();
          expect(summary.new_drift).toBe(summary.drifted);
          for (const row of rows.filter((r) => r.drift)) expect(row.changes).toContain('NEW_DRIFT');
        }
        if (summary.previous_run_status === 'UNTRUSTED') {
          expect(summary.previous_run_reason).toEqual(expect.any(String));
          expect(summary.previous_run_reason!.length).toBeLessThanOrEqual(301);
        }
      }),
      { numRuns: 150 },
    );
  });
});
