import { z } from 'zod';
import { SELF_MANAGED, type Baseline } from '../model';
import { TARGET_ID_EXPECTATION, isTargetId } from '../target-ids';
import { describeIssues, parseJson, quoteValue } from './json-document';
import { BaselineError } from '../errors';

/** Configuration policy ids are UUIDs (any version; compared lower-case). */
export const POLICY_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Short spelling accepted in the baseline for {@link SELF_MANAGED}. */
const SELF_MANAGED_ALIAS = 'SELF_MANAGED';

const POLICY_EXPECTATION = `expected a configuration policy UUID, "${SELF_MANAGED_ALIAS}" or "${SELF_MANAGED}"`;

/**
 * A policy id as the audit compares it: UUIDs lower-cased (Security Hub and people may
 * write them in either case), anything else as it is.
 */
export function normalisePolicyId(value: string): string {
  return POLICY_ID_PATTERN.test(value) ? value.toLowerCase() : value;
}

/** Normalised policy id, or `null` when the value is not an acceptable one. */
function normalisePolicy(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (value === SELF_MANAGED_ALIAS || value === SELF_MANAGED) return SELF_MANAGED;
  return POLICY_ID_PATTERN.test(value) ? normalisePolicyId(value) : null;
}

const DOCUMENT_FIELDS: ReadonlySet<string> = new Set(['version', 'targets']);

const baselineDocument = z.strictObject(
  {
    version: z.literal(1, {
      error: (issue) =>
        issue.input === undefined ? 'required: 1' : `unsupported version ${quoteValue(issue.input)}; expected 1`,
    }),
    // Keys and values are checked by hand so that a bad key never hides a bad value
    // (zod skips the value of a record entry whose key failed) and every problem is listed.
    targets: z
      .record(z.string(), z.unknown(), {
        error: (issue) =>
          issue.input === undefined
            ? 'required: an object of target id to policy id'
            : 'expected an object of target id to policy id',
      })
      .transform((targets, ctx) => {
        const baseline = new Map<string, string>();
        for (const [id, value] of Object.entries(targets)) {
          if (!isTargetId(id)) {
            ctx.addIssue({
              code: 'custom',
              path: [id],
              message: `${TARGET_ID_EXPECTATION}, got ${quoteValue(id)}`,
            });
          }
          const policy = normalisePolicy(value);
          if (policy === null) {
            ctx.addIssue({
              code: 'custom',
              path: [id],
              message: `${POLICY_EXPECTATION}, got ${quoteValue(value)}`,
            });
          } else {
            baseline.set(id, policy);
          }
        }
        return baseline;
      }),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'expected a JSON object { "version": 1, "targets": { … } }' : undefined,
  },
);

/**
 * Parses and validates a baseline document:
 *
 * ```json
 * { "version": 1, "targets": { "r-ab12": "<policy uuid>", "ou-ab12-cd34ef56": "SELF_MANAGED", "123456789012": "<policy uuid>" } }
 * ```
 *
 * Keys are root, OU or account ids; values are policy UUIDs (lower-cased) or
 * `SELF_MANAGED` / `SELF_MANAGED_SECURITY_HUB` (both become {@link SELF_MANAGED}).
 * Desired state is inherited down the tree, so list only the targets where it changes.
 * Whether the ids exist in the organization is checked later by `checkKnownTargets`.
 *
 * @param source where the text came from (`s3://bucket/key` or a path), for messages.
 * Duplicate keys, a `__proto__` key, more than `MAX_DOCUMENT_BYTES` and nesting deeper
 * than `MAX_JSON_DEPTH` are errors too (see `parseJson`).
 *
 * @throws BaselineError naming the source and each bad path (at most `MAX_LISTED_PROBLEMS`, then a count).
 */
export function parseBaseline(text: string, source: string): Baseline {
  const json = parseJson(text, DOCUMENT_FIELDS);
  if (!json.ok) throw new BaselineError(source, json.problem, { cause: json.cause });
  const parsed = baselineDocument.safeParse(json.value);
  if (!parsed.success)
    throw new BaselineError(source, describeIssues(parsed.error, DOCUMENT_FIELDS), { cause: parsed.error });
  return parsed.data.targets;
}
