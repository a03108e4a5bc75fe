import { CHECKPOINT_VERSION, type Checkpoint } from '../../../../lambdas/audit/checkpoint/checkpoint-schema';

/** A run id of a scheduled run. */
export const RUN_ID = '20261126T020000Z';

/** A small valid checkpoint: a root, one OU, two accounts; one answered, one unprocessed, one pending, one to re-drive. */
export function sampleCheckpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    version: CHECKPOINT_VERSION,
    runId: RUN_ID,
    phase: 'fetch',
    startedAt: Date.UTC(2026, 10, 26, 2),
    invocations: 1,
    org: {
      rootIds: ['r-ab12'],
      targets: [
        { id: 'r-ab12', type: 'ROOT', name: 'Root', parentId: null, ouPath: 'r-ab12', accountStatus: null },
        {
          id: 'ou-ab12-11111111',
          type: 'ORGANIZATIONAL_UNIT',
          name: 'Prod',
          parentId: 'r-ab12',
          ouPath: 'r-ab12/ou-ab12-11111111',
          accountStatus: null,
        },
        {
          id: '111111111111',
          type: 'ACCOUNT',
          name: 'a',
          parentId: 'ou-ab12-11111111',
          ouPath: 'r-ab12/ou-ab12-11111111',
          accountStatus: 'ACTIVE',
        },
        {
          id: '222222222222',
          type: 'ACCOUNT',
          name: 'b',
          parentId: 'r-ab12',
          ouPath: 'r-ab12',
          accountStatus: 'SUSPENDED',
        },
      ],
      rejected: [],
    },
    associations: [
      {
        targetId: 'r-ab12',
        configurationPolicyId: 'SELF_MANAGED_SECURITY_HUB',
        associationType: 'APPLIED',
        associationStatus: 'SUCCESS',
        associationStatusMessage: null,
        updatedAt: '2026-11-25T00:00:00.000Z',
      },
    ],
    unprocessed: [{ targetId: 'ou-ab12-11111111', errorCode: '403', errorReason: 'denied', attempts: 1 }],
    pending: ['111111111111'],
    redrive: [{ targetId: '222222222222', errorCode: '429', errorReason: 'slow down', attempts: 1 }],
    redriveRounds: 0,
    stats: {
      organizationsApiCalls: 5,
      organizationsThrottledRequests: 0,
      securityHubApiCalls: 1,
      securityHubThrottledRequests: 0,
      redriveAttempts: 0,
      splitGroups: 0,
    },
    ...overrides,
  };
}
