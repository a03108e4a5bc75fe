/**
 * A resumable run's invocation, over mocked clients: a checkpoint the organization no
 * longer matches makes the run start over (fails safe), and a run that finishes within
 * its first checkpoint interval writes no checkpoint at all.
 */
import {
  ListAccountsForParentCommand,
  OrganizationsClient,
  ParentNotFoundException,
} from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { CheckpointStore } from '../../../../lambdas/audit/checkpoint/checkpoint-store';
import { runResumableAudit, type ResumableOutcome } from '../../../../lambdas/audit/checkpoint/resumable-audit';
import { MemoryStore } from '../../../support/memory-store';
import {
  ALL_TARGETS,
  OU,
  ROOT,
  fakeTime,
  healthyAnswers,
  serveAssociations,
  serveOrganization,
} from '../core/mock-aws-org';
import { RUN_ID, sampleCheckpoint } from './checkpoint-fixtures';
import type { AuditDeps, AuditLogger } from '../../../../lambdas/audit/types/audit';
import { DEFAULT_TUNING } from '../../../support/default-tuning';
import { localMac, TEST_MAC } from '../../../support/local-mac';
import {
  checkpointKeys,
  manifestMacContent,
  type Manifest,
} from '../../../../lambdas/audit/checkpoint/checkpoint-store';
import { sha256Hex } from '../../../../lambdas/audit/checkpoint/checkpoint-codec';
import { errorKindOf, MacServiceError } from '../../../../lambdas/audit/errors';
import type { ObjectMac } from '../../../../lambdas/audit/store/object-mac';
import { gunzipSync, gzipSync } from 'node:zlib';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const organizations = new OrganizationsClient({ region: 'us-east-1', credentials });
const securityHub = new SecurityHubClient({ region: 'us-east-1', credentials });
const SCHEDULED = '2026-11-26T02:00:00Z';

let store: MemoryStore;
let time: ReturnType<typeof fakeTime>;
let warnings: string[];

beforeEach(() => {
  orgMock.reset();
  shMock.reset();
  serveOrganization(orgMock);
  serveAssociations(shMock, healthyAnswers());
  store = new MemoryStore();
  time = fakeTime(Date.parse(SCHEDULED));
  warnings = [];
});

const logger: AuditLogger = { info: () => undefined, warn: (message) => warnings.push(message) };

function deps(mac: ObjectMac = TEST_MAC): AuditDeps {
  return { organizations, securityHub, store, mac, clock: time.clock, sleep: time.sleep, random: () => 0.5, logger };
}

function invoke(options: { execution?: string; mac?: ObjectMac } = {}): Promise<ResumableOutcome> {
  return runResumableAudit(
    deps(options.mac),
    {
      tuning: DEFAULT_TUNING,
      reportPrefix: 'audit/',
      scheduledTime: SCHEDULED,
      deadline: time.now + 600_000,
      execution: options.execution,
    },
    { mayContinue: true, intervalMs: 60_000 },
  );
}

const reportedTargets = (result: ResumableOutcome) =>
  result.status === 'DONE' ? result.outcome.rows.map((r) => r.target_id).sort() : [];

describe('runResumableAudit', () => {
  it('writes no checkpoint when the run is done within its first interval', async () => {
    const result = await invoke();
    expect(result).toMatchObject({ status: 'DONE', checkpoint: { resumed: false, written: 0, bytes: 0 } });
    expect(store.putKeys().some((key) => key.includes('checkpoints/'))).toBe(false);
  });

  it('starts over when a container on the saved frontier is gone, and still reports every target once', async () => {
    // Saved mid-walk: the root listed, its OU still to list.
    const saved = sampleCheckpoint({
      walk: {
        rootsListed: true,
        roots: [{ id: ROOT, name: 'Root' }],
        listed: [{ parentId: ROOT, ous: [{ id: OU }], accounts: [{ id: '222222222222', status: 'ACTIVE' }] }],
        rejected: [],
        frontier: [{ parentId: OU, depth: 1 }],
      },
      fetch: { associations: [], unprocessed: [], redrive: [], unanswered: [], redriveRounds: 0 },
    });
    await new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: null }).write(saved, 1);
    let gone = true;
    orgMock.on(ListAccountsForParentCommand, { ParentId: OU }).callsFake(() => {
      if (!gone) return Promise.resolve({ Accounts: [{ Id: '111111111111', Name: 'a', State: 'ACTIVE' }] });
      gone = false;
      return Promise.reject(new ParentNotFoundException({ message: 'gone', $metadata: {} }));
    });

    const result = await invoke();
    expect(result.status).toBe('DONE');
    expect(reportedTargets(result)).toEqual([...ALL_TARGETS].sort());
    expect(warnings).toContain('The organization changed since the checkpoint was saved; the run starts over');
  });

  it('starts over when a checkpoint cannot be trusted', async () => {
    await new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: null }).write(sampleCheckpoint(), 1);
    const manifestKey = `audit/checkpoints/${RUN_ID}/manifest.json`;
    store.objects.set(manifestKey, Buffer.from('{"runId":"x"}'));

    const result = await invoke();
    expect(reportedTargets(result)).toEqual([...ALL_TARGETS].sort());
    expect(warnings).toContain('The run checkpoint cannot be used; the run starts over');
  });

  describe("a checkpoint that is not authentic, or not this execution's, is never adopted", () => {
    const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:audit:tonight';
    const keys = checkpointKeys('audit/', RUN_ID);
    /** A checkpoint that, if adopted, would report r-ab12's targets instead of the live organization. */
    const poisoned = () => sampleCheckpoint({ fetch: { ...sampleCheckpoint().fetch, unanswered: [] } });
    const manifest = () => JSON.parse(store.objects.get(keys.manifest)!.toString()) as Manifest;

    /** The run read the live organization, reported every live target once, and named the refusal. */
    async function expectStartedOver(reason: RegExp, options: Parameters<typeof invoke>[0] = { execution: EXECUTION }) {
      const result = await invoke(options);
      expect(result.status).toBe('DONE');
      expect(reportedTargets(result)).toEqual([...ALL_TARGETS].sort());
      expect(orgMock.calls().length).toBeGreaterThan(0);
      expect(warnings).toContain('The run checkpoint cannot be used; the run starts over');
      if (result.status === 'DONE') expect(result.outcome.summary.checkpoint_refused).toMatch(reason);
    }

    it('a slot forged with its SHA-256 and size recomputed in the manifest (no key): refused', async () => {
      await new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: EXECUTION }).write(poisoned(), 1);
      const m = manifest();
      const slot = store.objects.get(keys.slots[m.slot])!;
      const edited = JSON.parse(gunzipSync(slot).toString()) as Record<string, unknown>;
      const forged = gzipSync(Buffer.from(JSON.stringify({ ...edited, invocations: 7 })));
      store.objects.set(keys.slots[m.slot], forged);
      store.objects.set(
        keys.manifest,
        Buffer.from(JSON.stringify({ ...m, sha256: sha256Hex(forged), bytes: forged.length })),
      );
      await expectStartedOver(/not authenticated/);
    });

    it('a checkpoint signed with another key, or unsigned: refused', async () => {
      await new CheckpointStore(store, 'audit/', RUN_ID, { mac: localMac(), execution: EXECUTION }).write(
        poisoned(),
        1,
      );
      await expectStartedOver(/not authenticated/);
      store.objects.set(keys.manifest, Buffer.from(JSON.stringify({ ...manifest(), mac: null })));
      warnings = [];
      await expectStartedOver(/not authenticated/);
    });

    it("a signed checkpoint of another run replayed under tonight's run id: refused", async () => {
      const yesterday = '20261125T020000Z';
      const other = checkpointKeys('audit/', yesterday);
      await new CheckpointStore(store, 'audit/', yesterday, { mac: TEST_MAC, execution: EXECUTION }).write(
        { ...poisoned(), runId: yesterday },
        1,
      );
      const m = JSON.parse(store.objects.get(other.manifest)!.toString()) as Manifest;
      store.objects.set(keys.slots[m.slot], store.objects.get(other.slots[m.slot])!);
      store.objects.set(keys.manifest, store.objects.get(other.manifest)!);
      await expectStartedOver(/belongs to run 20261125T020000Z/);
      // With the run id edited to tonight's, the MAC no longer verifies.
      store.objects.set(keys.manifest, Buffer.from(JSON.stringify({ ...m, runId: RUN_ID })));
      warnings = [];
      await expectStartedOver(/not authenticated/);
    });

    it('a signed checkpoint of another execution: refused, also with the execution edited', async () => {
      const store0 = new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: 'yesterday-exec' });
      await store0.write(poisoned(), 1);
      await expectStartedOver(/belongs to execution "yesterday-exec"/);
      await store0.write(poisoned(), 1);
      store.objects.set(keys.manifest, Buffer.from(JSON.stringify({ ...manifest(), execution: EXECUTION })));
      warnings = [];
      await expectStartedOver(/not authenticated/);
    });

    it("a signed run summary's MAC replayed as a checkpoint manifest's (another kind): refused", async () => {
      await new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: EXECUTION }).write(poisoned(), 1);
      const m = manifest();
      const context = { key: keys.manifest, runId: RUN_ID, execution: EXECUTION };
      // The same bytes and key, signed as a run summary: the kind is part of what the MAC covers.
      const asSummary = await TEST_MAC.sign({ ...context, kind: 'run-summary' }, manifestMacContent(m));
      store.objects.set(keys.manifest, Buffer.from(JSON.stringify({ ...m, mac: asSummary })));
      await expectStartedOver(/not authenticated/);
    });

    it('a signed checkpoint started a day in the future: the round starts over and goes on (never fails)', async () => {
      const future = Date.parse(SCHEDULED) + 86_400_000;
      await new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: EXECUTION }).write(
        sampleCheckpoint({ startedAt: future, savedAt: future }),
        1,
      );
      await expectStartedOver(/checkpoint times do not fit/);
    });

    it('a run that wrote its report leaves nothing to resume: the same schedule time again reads the live organization', async () => {
      await new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: EXECUTION }).write(
        sampleCheckpoint({
          walk: {
            rootsListed: true,
            roots: [{ id: ROOT, name: 'Root' }],
            listed: [{ parentId: ROOT, ous: [{ id: OU }], accounts: [{ id: '222222222222', status: 'ACTIVE' }] }],
            rejected: [],
            frontier: [{ parentId: OU, depth: 1 }],
          },
          fetch: { associations: [], unprocessed: [], redrive: [], unanswered: [], redriveRounds: 0 },
        }),
        1,
      );
      const first = await invoke({ execution: EXECUTION });
      expect(first).toMatchObject({ status: 'DONE', checkpoint: { resumed: true } });
      expect(manifest()).toMatchObject({ finished: true, execution: EXECUTION });
      orgMock.resetHistory();
      const again = await invoke({ execution: EXECUTION });
      expect(again).toMatchObject({ status: 'DONE', checkpoint: { resumed: false } });
      expect(orgMock.calls().length).toBeGreaterThan(0);
      if (again.status === 'DONE') expect(again.outcome.summary.checkpoint_refused).toBeNull();
    });

    it('a key service that fails is TRANSIENT (the round is retried), never read as unsigned', async () => {
      await new CheckpointStore(store, 'audit/', RUN_ID, { mac: TEST_MAC, execution: EXECUTION }).write(poisoned(), 1);
      const down: ObjectMac = {
        keyId: 'down',
        sign: () => Promise.reject(new MacServiceError('KMS GenerateMac failed')),
        verify: () => Promise.reject(new MacServiceError('KMS VerifyMac failed')),
      };
      const error = await invoke({ execution: EXECUTION, mac: down }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MacServiceError);
      expect(errorKindOf(error)).toBe('TRANSIENT');
    });
  });
});
