import { CHECKPOINT_VERSION, type Checkpoint } from '../../../../lambdas/audit/checkpoint/checkpoint-schema';

/** A run id of a scheduled run. */
export const RUN_ID = '20261126T020000Z';

/**
 * A small valid checkpoint: a root and one OU listed, the OU's child still on the
 * frontier; one target answered, one unprocessed, one to re-drive, one not asked yet.
 */
export function sampleCheckpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    version: CHECKPOINT_VERSION,
    runId: RUN_ID,
    startedAt: Date.UTC(2026, 10, 26, 2),
    savedAt: Date.UTC(2026, 10, 26, 2, 5),
    invocations: 1,
    refused: null,
    walk: {
      rootsListed: true,
      roots: [{ id: 'r-ab12', name: 'Root' }],
      listed: [
        {
          parentId: 'r-ab12',
          ous: [{ id: 'ou-ab12-11111111', name: 'Prod' }],
          accounts: [{ id: '222222222222', name: 'b', status: 'SUSPENDED' }],
        },
        { parentId: 'ou-ab12-11111111', ous: [], accounts: [{ id: '111111111111', name: 'a', status: 'ACTIVE' }] },
      ],
      rejected: [],
      frontier: [],
    },
    fetch: {
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
      redrive: [{ targetId: '222222222222', errorCode: '429', errorReason: 'slow down', attempts: 1 }],
      unanswered: [],
      redriveRounds: 0,
    },
    stats: {
      organizationsApiCalls: 5,
      organizationsThrottledRequests: 0,
      securityHubApiCalls: 1,
      securityHubThrottledRequests: 0,
      splitGroups: 0,
    },
    ...overrides,
  };
}
