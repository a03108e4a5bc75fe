/**
 * The invocation event of the audit function, from EventBridge (directly, in older
 * deployments) or from a round of the state machine, and what the function returns to it.
 * The event is untrusted input: it is validated before anything reads it.
 */
import { z } from 'zod';
import { type ErrorKind, AuditEventError } from './errors';
import type { RunStatus } from './model';

/** Most rounds a run may be given. */
const MAX_ROUNDS_LIMIT = 100;

const eventSchema = z
  .looseObject({
    /** Schedule time; every round and every retry of the run carries the same one, so the run id holds. */
    time: z.string().max(64).optional(),
    /** An explicit re-run: a `time` more than 24 hours old is accepted (default: refused). */
    rerun: z.boolean().optional(),
    /** 1-based round of the state machine; absent for a direct invocation. */
    round: z.number().int().min(1).max(MAX_ROUNDS_LIMIT).optional(),
    /** State machine execution id (`$$.Execution.Id`): the run's checkpoints belong to it alone. */
    execution: z
      .string()
      .regex(/^[\x21-\x7e]{1,2048}$/, 'expected an execution id (printable, no spaces)')
      .optional(),
    /** Rounds the state machine allows; the last one writes the report whatever is left. */
    maxRounds: z.number().int().min(1).max(MAX_ROUNDS_LIMIT).optional(),
  })
  .refine((e) => (e.round === undefined) === (e.maxRounds === undefined), {
    message: 'round and maxRounds come together',
  })
  .refine((e) => e.round === undefined || e.maxRounds === undefined || e.round <= e.maxRounds, {
    message: 'round must not exceed maxRounds',
  });

/** The validated event. */
export type AuditEvent = { readonly time?: string; readonly rerun?: boolean; readonly execution?: string } & (
  | { readonly round?: undefined; readonly maxRounds?: undefined }
  | { readonly round: number; readonly maxRounds: number }
);

/**
 * What an invocation returns: the state machine's Choice reads `status`. `FAILED` is a
 * run that could not start for a reason no retry fixes (bad input, missing permission):
 * the function has already counted it, and paged it when `paged` is true; when it could
 * not (no usable alert topic, the publish failed), the state machine pages instead.
 */
export type AuditResult =
  | { readonly status: 'CONTINUE'; readonly runId: string }
  | { readonly status: 'DONE'; readonly runId: string; readonly runStatus: RunStatus }
  | {
      readonly status: 'FAILED';
      readonly runStatus: 'FAILED';
      readonly errorKind: ErrorKind;
      readonly paged: boolean;
    };

/** Validates an invocation event; `null`/`undefined` is an empty event (a manual run). */
export function parseAuditEvent(raw: unknown): AuditEvent {
  const result = eventSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AuditEventError(
      `Invalid invocation event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const { time, rerun, execution, round, maxRounds } = result.data;
  const base = {
    time,
    ...(rerun === undefined ? {} : { rerun }),
    ...(execution === undefined ? {} : { execution }),
  };
  return round !== undefined && maxRounds !== undefined ? { ...base, round, maxRounds } : base;
}
