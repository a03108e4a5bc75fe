/**
 * What a run saves so that the next invocation for the same run id can carry on instead
 * of starting over, and the schema every checkpoint read back is validated against: a
 * checkpoint is an object in the report bucket like any other, so it is untrusted input.
 */
import { z } from 'zod';
import { ACCOUNT_STATES, ASSOCIATION_STATUSES, ASSOCIATION_TYPES, TARGET_TYPES } from '../model';
import { ACCOUNT_ID_PATTERN, isTargetIdOfType, OU_ID_PATTERN, ROOT_ID_PATTERN } from '../target-ids';
import { RUN_ID_PATTERN } from '../report/run-id';

/** Format version; a checkpoint of another version is not resumed from. */
export const CHECKPOINT_VERSION = 1;

/**
 * Most targets a checkpoint may hold: the largest organization the Organizations quotas
 * allow (1 root, 2,000 OUs, 50,000 accounts) with four times the room.
 */
export const MAX_CHECKPOINT_TARGETS = 250_000;

const TARGET_ID = z
  .string()
  .regex(new RegExp(`${ROOT_ID_PATTERN.source}|${OU_ID_PATTERN.source}|${ACCOUNT_ID_PATTERN.source}`));
const CONTAINER_ID = z.string().regex(new RegExp(`${ROOT_ID_PATTERN.source}|${OU_ID_PATTERN.source}`));
/** Names, messages and reasons are kept as the services sent them, bounded here. */
const TEXT = z.string().max(4_096);
const COUNT = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const orgTarget = z
  .strictObject({
    id: TARGET_ID,
    type: z.enum(TARGET_TYPES),
    name: TEXT,
    parentId: CONTAINER_ID.nullable(),
    ouPath: z.string().max(1_024),
    accountStatus: z.enum(ACCOUNT_STATES).nullable(),
  })
  .refine((t) => isTargetIdOfType(t.type, t.id), { message: 'id does not match the target type' })
  .refine((t) => (t.type === 'ROOT') === (t.parentId === null), { message: 'only a root has no parent' });

const rejectedTarget = z.strictObject({
  quotedId: z.string().max(256),
  type: z.enum(TARGET_TYPES),
  parentId: z.string().max(256),
});

const association = z.strictObject({
  targetId: TARGET_ID,
  configurationPolicyId: TEXT.nullable(),
  associationType: z.enum(ASSOCIATION_TYPES).nullable(),
  associationStatus: z.enum(ASSOCIATION_STATUSES).nullable(),
  associationStatusMessage: TEXT.nullable(),
  updatedAt: z.string().max(64).nullable(),
});

const unprocessedTarget = z.strictObject({
  targetId: TARGET_ID,
  errorCode: TEXT.nullable(),
  errorReason: TEXT.nullable(),
  attempts: COUNT,
});

/** Counters summed over the run's invocations, so the run summary counts the whole run. */
const progressStats = z.strictObject({
  organizationsApiCalls: COUNT,
  organizationsThrottledRequests: COUNT,
  securityHubApiCalls: COUNT,
  securityHubThrottledRequests: COUNT,
  redriveAttempts: COUNT,
  splitGroups: COUNT,
});

/** The checkpoint schema; {@link Checkpoint} is what it accepts. */
export const checkpointSchema = z
  .strictObject({
    version: z.literal(CHECKPOINT_VERSION),
    runId: z.string().regex(RUN_ID_PATTERN),
    /** `fetch`: the walk is complete and `org` holds every target it found. */
    phase: z.literal('fetch'),
    /** Epoch ms the run's first invocation started. */
    startedAt: COUNT,
    /** Invocations that worked on the run before this checkpoint's writer, itself included. */
    invocations: COUNT.min(1),
    org: z.strictObject({
      rootIds: z.array(CONTAINER_ID).max(MAX_CHECKPOINT_TARGETS),
      targets: z.array(orgTarget).max(MAX_CHECKPOINT_TARGETS),
      rejected: z.array(rejectedTarget).max(MAX_CHECKPOINT_TARGETS),
    }),
    /** Targets with an association: a definite answer, not asked again. */
    associations: z.array(association).max(MAX_CHECKPOINT_TARGETS),
    /** Targets whose answer is definitely "unprocessed" (terminal code or re-drives used up). */
    unprocessed: z.array(unprocessedTarget).max(MAX_CHECKPOINT_TARGETS),
    /** Targets never asked for yet. */
    pending: z.array(TARGET_ID).max(MAX_CHECKPOINT_TARGETS),
    /** Targets asked for, answered with a retryable error, due another re-drive round. */
    redrive: z.array(unprocessedTarget).max(MAX_CHECKPOINT_TARGETS),
    /** Re-drive rounds started so far. */
    redriveRounds: COUNT,
    stats: progressStats,
  })
  .superRefine((c, ctx) => {
    // Every answer and every id still to ask for must be a walked target, at most once
    // (a target in none of the lists was asked and not mentioned: MISSING):
    // the invariant "every enumerated target reaches the report exactly once" starts here.
    const known = new Set(c.org.targets.map((t) => t.id));
    if (known.size !== c.org.targets.length) ctx.addIssue({ code: 'custom', message: 'duplicate target in org' });
    const seen = new Set<string>();
    for (const id of [
      ...c.associations.map((a) => a.targetId),
      ...c.unprocessed.map((u) => u.targetId),
      ...c.pending,
      ...c.redrive.map((u) => u.targetId),
    ]) {
      if (!known.has(id) || seen.has(id)) {
        ctx.addIssue({ code: 'custom', message: `target ${id} is not a walked target, or is listed twice` });
        return;
      }
      seen.add(id);
    }
  });

/** A validated checkpoint. */
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** Counters carried across invocations. */
export type ProgressStats = z.infer<typeof progressStats>;
