import { Metrics } from '@aws-lambda-powertools/metrics';
import { addAuditMetrics, addFailedRunMetrics } from '../../../../lambdas/audit/metrics/audit-metrics';
import { summaryWith } from '../report/row-fixtures';

/**
 * Powertools (2.x) prints each EMF document with a `node:console` Console bound to
 * process.stdout (the global console only under POWERTOOLS_DEV, which also disables
 * metrics), so the test captures process.stdout.write.
 */
interface Emf {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

function publishAndCapture(metrics: Metrics): Emf[] {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    metrics.publishStoredMetrics();
  } finally {
    spy.mockRestore();
  }
  return written
    .flatMap((w) => w.split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Emf)
    .filter((doc) => doc._aws !== undefined);
}

const NAMESPACE = 'SecurityHubConfigAuditTest';
const SERVICE = 'securityhub-config-audit-test';
const saved = { dev: process.env.POWERTOOLS_DEV, disabled: process.env.POWERTOOLS_METRICS_DISABLED };

beforeAll(() => {
  delete process.env.POWERTOOLS_DEV;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
});
afterAll(() => {
  if (saved.dev !== undefined) process.env.POWERTOOLS_DEV = saved.dev;
  if (saved.disabled !== undefined) process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
});

/** Like the handler: no dimension beyond Powertools' own `service`. */
const newMetrics = () => new Metrics({ namespace: NAMESPACE, serviceName: SERVICE, defaultDimensions: {} });

// Distinct values, so a metric wired to the wrong summary column shows.
const summary = summaryWith({
  run_status: 'COMPLETE',
  status_failed: 1,
  status_pending: 2,
  drift_pending_stale: 3,
  drift_unprocessed: 4,
  drift_missing: 5,
  drifted: 6,
  new_drift: 7,
  resolved_drift: 8,
  targets_reported: 9,
  throttled_requests: 11,
  duration_seconds: 12.5,
});

describe('addAuditMetrics', () => {
  it('emits every metric with its value and unit, in the namespace, with the single service dimension', () => {
    const metrics = newMetrics();
    addAuditMetrics(metrics, summary);
    const docs = publishAndCapture(metrics);
    expect(docs).toHaveLength(1);
    const doc = docs[0];
    const directive = doc._aws.CloudWatchMetrics;
    expect(directive).toHaveLength(1);
    expect(directive[0].Namespace).toBe(NAMESPACE);
    expect(directive[0].Dimensions).toEqual([['service']]);
    expect(doc.service).toBe(SERVICE);

    const expected: Record<string, [number, string]> = {
      FailedAssociations: [1, 'Count'],
      PendingAssociations: [2, 'Count'],
      StalePendingAssociations: [3, 'Count'],
      UnprocessedTargets: [4, 'Count'],
      MissingTargets: [5, 'Count'],
      DriftedTargets: [6, 'Count'],
      NewDrift: [7, 'Count'],
      ResolvedDrift: [8, 'Count'],
      TargetsAudited: [9, 'Count'],
      IncompleteRun: [0, 'Count'],
      ThrottledRequests: [11, 'Count'],
      UntrustedHistory: [0, 'Count'],
      CheckpointRefused: [0, 'Count'],
      AuditDurationSeconds: [12.5, 'Seconds'],
    };
    const definitions = Object.fromEntries(directive[0].Metrics.map((m) => [m.Name, m.Unit]));
    expect(Object.keys(definitions).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, [value, unit]] of Object.entries(expected)) {
      expect([name, doc[name], definitions[name]]).toEqual([name, value, unit]);
    }
  });

  it('counts a run that refused a checkpoint (and started over) as CheckpointRefused 1', () => {
    const metrics = newMetrics();
    addAuditMetrics(metrics, { ...summary, checkpoint_refused: 'checkpoint manifest is not authenticated' });
    const [doc] = publishAndCapture(metrics);
    expect(doc.CheckpointRefused).toBe(1);
  });

  it('counts an INCOMPLETE run as IncompleteRun 1', () => {
    const metrics = newMetrics();
    addAuditMetrics(metrics, { ...summary, run_status: 'INCOMPLETE' });
    const [doc] = publishAndCapture(metrics);
    expect(doc.IncompleteRun).toBe(1);
    expect(doc.TargetsAudited).toBe(9);
  });
});

describe('addFailedRunMetrics', () => {
  it('emits IncompleteRun 1 and nothing else, so TargetsAudited stays absent for the heartbeat alarm', () => {
    const metrics = newMetrics();
    addFailedRunMetrics(metrics);
    const [doc] = publishAndCapture(metrics);
    expect(doc._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'IncompleteRun', Unit: 'Count' }]);
    expect(doc.IncompleteRun).toBe(1);
    expect(doc.TargetsAudited).toBeUndefined();
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });
});

describe('UntrustedHistory', () => {
  it('is 1 when the previous run could not be trusted, so the dashboard and an alarm can show it', () => {
    const metrics = newMetrics();
    addAuditMetrics(metrics, { ...summary, previous_run_status: 'UNTRUSTED' });
    const [doc] = publishAndCapture(metrics);
    expect(doc.UntrustedHistory).toBe(1);
  });
});
