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

function deps(): AuditDeps {
  return { organizations, securityHub, store, clock: time.clock, sleep: time.sleep, random: () => 0.5, logger };
}

function invoke(): Promise<ResumableOutcome> {
  return runResumableAudit(
    deps(),
    { tuning: DEFAULT_TUNING, reportPrefix: 'audit/', scheduledTime: SCHEDULED, deadline: time.now + 600_000 },
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
    await new CheckpointStore(store, 'audit/', RUN_ID).write(saved, 1);
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
    await new CheckpointStore(store, 'audit/', RUN_ID).write(sampleCheckpoint(), 1);
    const manifestKey = `audit/checkpoints/${RUN_ID}/manifest.json`;
    store.objects.set(manifestKey, Buffer.from('{"runId":"x"}'));

    const result = await invoke();
    expect(reportedTargets(result)).toEqual([...ALL_TARGETS].sort());
    expect(warnings).toContain('The run checkpoint cannot be trusted; the run starts over');
  });
});
