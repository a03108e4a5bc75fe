/**
 * What a run saves so that the next invocation for the same run id can carry on instead
 * of starting over, and the schema every checkpoint read back is validated against: a
 * checkpoint is an object in the report bucket like any other, so it is untrusted input.
 */
import { z } from 'zod';
import { ACCOUNT_STATES, ASSOCIATION_STATUSES, ASSOCIATION_TYPES, TARGET_TYPES } from '../model';
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN, quoteUntrustedId, ROOT_ID_PATTERN } from '../target-ids';
import { DEADLINE_EXCEEDED, isRetryableErrorCode } from '../securityhub/unprocessed-errors';
import { MAX_OU_DEPTH } from '../organizations/walk-state';
import { RUN_ID_PATTERN } from '../report/run-id';
import { isIsoInstant } from '../util/iso-instant';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_SERVICE_TEXT_LENGTH } from '../util/text-bounds';

/** Format version; a checkpoint of another version is not resumed from (the run starts over). */
export const CHECKPOINT_VERSION = 3;

/**
 * Most targets a checkpoint may hold: the largest organization the Organizations quotas
 * allow (1 root, 2,000 OUs, 50,000 accounts) with four times the room.
 */
const MAX_CHECKPOINT_TARGETS = 250_000;

const ROOT_ID = z.string().regex(ROOT_ID_PATTERN);
const OU_ID = z.string().regex(OU_ID_PATTERN);
const ACCOUNT_ID = z.string().regex(ACCOUNT_ID_PATTERN);
const TARGET_ID = z.union([ROOT_ID, OU_ID, ACCOUNT_ID]);
const CONTAINER_ID = z.union([ROOT_ID, OU_ID]);
// Values are kept as the services sent them, cut by the walk and the fan-out to the same
// bounds they are read back with here (and that the report reads them with).
const NAME = z.string().max(MAX_NAME_LENGTH);
const ID_TEXT = z.string().max(MAX_ID_LENGTH);
const SERVICE_TEXT = z.string().max(MAX_SERVICE_TEXT_LENGTH);
const INSTANT = z.string().refine(isIsoInstant, { message: 'not an ISO 8601 UTC time' });
const COUNT = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_CHECKPOINT_TARGETS).readonly();

/** An entry refused for its id, as the walk quotes it (`quoteUntrustedId`), and nothing else. */
const quotedId = z
  .string()
  .max(256)
  .refine(
    (q) => {
      try {
        const text: unknown = JSON.parse(q);
        return typeof text === 'string' && quoteUntrustedId(text) === q;
      } catch {
        return false;
      }
    },
    { message: 'not a quoted id' },
  );

/** The walk so far: what it listed and what it still has to list. */
const savedWalk = z.strictObject({
  rootsListed: z.boolean(),
  roots: list(z.strictObject({ id: ROOT_ID, name: NAME.optional() })),
  listed: list(
    z.strictObject({
      parentId: CONTAINER_ID,
      ous: list(z.strictObject({ id: OU_ID, name: NAME.optional() })),
      accounts: list(
        z.strictObject({ id: ACCOUNT_ID, name: NAME.optional(), status: z.enum(ACCOUNT_STATES).nullable() }),
      ),
    }),
  ),
  rejected: list(
    z.strictObject({
      quotedId,
      type: z.enum(TARGET_TYPES),
      // The container it was listed under; roots are listed under the organization.
      parentId: z.union([CONTAINER_ID, z.literal('(organization)')]),
    }),
  ),
  frontier: list(z.strictObject({ parentId: CONTAINER_ID, depth: z.number().int().min(0).max(MAX_OU_DEPTH) })),
});

const association = z.strictObject({
  targetId: TARGET_ID,
  configurationPolicyId: ID_TEXT.nullable(),
  associationType: z.enum(ASSOCIATION_TYPES).nullable(),
  associationStatus: z.enum(ASSOCIATION_STATUSES).nullable(),
  associationStatusMessage: SERVICE_TEXT.nullable(),
  updatedAt: INSTANT.nullable(),
});

const unprocessedTarget = z.strictObject({
  targetId: TARGET_ID,
  errorCode: ID_TEXT.nullable(),
  errorReason: SERVICE_TEXT.nullable(),
  attempts: COUNT,
});
/** A definite "unprocessed" answer: a terminal code (what a fan-out saves; a retryable one is due a re-drive). */
const terminalTarget = unprocessedTarget.refine(
  (u) => u.errorCode !== DEADLINE_EXCEEDED && !isRetryableErrorCode(u.errorCode),
  { message: 'a definite unprocessed answer has a terminal error code' },
);
/** An answer due another re-drive round: a retryable code. */
const retryableTarget = unprocessedTarget.refine((u) => isRetryableErrorCode(u.errorCode), {
  message: 'a target due a re-drive has a retryable error code',
});

/** The fan-out's answers so far; a walked target in none of the lists is asked (again). */
const savedFanOut = z.strictObject({
  associations: list(association),
  /** Definite: unprocessed with a terminal code. */
  unprocessed: list(terminalTarget),
  /** Unprocessed with a retryable code, due another re-drive round. */
  redrive: list(retryableTarget),
  /** Asked, and not mentioned in the answer (MISSING). */
  unanswered: list(TARGET_ID),
  /** Re-drive rounds completed. */
  redriveRounds: COUNT,
});

/** Counters summed over the run's invocations, so the run summary counts the whole run. */
const progressStats = z.strictObject({
  organizationsApiCalls: COUNT,
  organizationsThrottledRequests: COUNT,
  securityHubApiCalls: COUNT,
  securityHubThrottledRequests: COUNT,
  splitGroups: COUNT,
});

/** The ids of every target a saved walk found, or a problem; at most once each. */
function walkedIds(walk: z.infer<typeof savedWalk>): Set<string> | string {
  const ids = new Set<string>();
  const found = [
    ...walk.roots.map((r) => r.id),
    ...walk.listed.flatMap((c) => [...c.ous.map((o) => o.id), ...c.accounts.map((a) => a.id)]),
  ];
  for (const id of found) {
    if (ids.has(id)) return `target ${id} is listed twice`;
    ids.add(id);
  }
  return found.length > MAX_CHECKPOINT_TARGETS ? 'too many targets' : ids;
}

/** Every answer is for a walked target, and no target has two (the exactly-once invariant starts here). */
function checkAnswers(c: z.infer<typeof savedFanOut>, walked: ReadonlySet<string>): string | null {
  const seen = new Set<string>();
  for (const id of [
    ...c.associations.map((a) => a.targetId),
    ...c.unprocessed.map((u) => u.targetId),
    ...c.redrive.map((u) => u.targetId),
    ...c.unanswered,
  ]) {
    if (!walked.has(id) || seen.has(id)) return `target ${id} is not a walked target, or is answered twice`;
    seen.add(id);
  }
  return null;
}

/** The checkpoint schema; {@link Checkpoint} is what it accepts. */
export const checkpointSchema = z
  .strictObject({
    version: z.literal(CHECKPOINT_VERSION),
    runId: z.string().regex(RUN_ID_PATTERN),
    /** Epoch ms the run's first invocation started. */
    startedAt: COUNT,
    /** Epoch ms this checkpoint was taken: how long the services' quotas have had to refill. */
    savedAt: COUNT,
    /** Invocations that worked on the run up to this checkpoint's writer, itself included. */
    invocations: COUNT.min(1),
    /** Why an earlier invocation of this execution refused a checkpoint and started over; `null` when none did. */
    refused: SERVICE_TEXT.nullable(),
    walk: savedWalk,
    fetch: savedFanOut,
    stats: progressStats,
  })
  .superRefine((c, ctx) => {
    const walked = walkedIds(c.walk);
    const problem = typeof walked === 'string' ? walked : checkAnswers(c.fetch, walked);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A validated checkpoint. */
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** Counters carried across invocations. */
export type ProgressStats = z.infer<typeof progressStats>;
