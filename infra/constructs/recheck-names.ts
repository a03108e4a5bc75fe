import { Token } from 'aws-cdk-lib';
import { ORGANIZATIONS_EVENT_REGION } from '../../lambdas/audit/recheck/change-events';
import { ConfigError } from '../../lambdas/audit/errors';

/**
 * The names both re-check stacks must agree on, derived in one place: the audit account's
 * changes bus, and the management account's forwarding rule and role. They are plain,
 * deterministic names because the two stacks live in different accounts and cannot pass
 * references to each other; each stack computes them from the same input.
 */

/** EventBridge rule names: 1-64 characters (events PutRule `Name`). */
const MAX_RULE_NAME_LENGTH = 64;
/** IAM role names: 1-64 characters (iam CreateRole `RoleName`). */
const MAX_ROLE_NAME_LENGTH = 64;

/** A custom event bus name: 1-256 of `[/.\-_A-Za-z0-9]`, not starting with `aws.` (events CreateEventBus). */
const BUS_NAME_PATTERN = /^(?!aws\.)[/.\-_A-Za-z0-9]{1,256}$/;

/** The audit account's bus that receives the forwarded Organizations events: `<stackName>-changes`. */
export function recheckBusName(stackName: string): string {
  return checkedBusName(`${stackName}-changes`);
}

/** `busName` when it is a valid custom bus name (a token is taken as it is). */
export function checkedBusName(busName: string): string {
  if (!Token.isUnresolved(busName) && !BUS_NAME_PATTERN.test(busName)) {
    throw new ConfigError(
      `expected an EventBridge bus name (1-256 of A-Z a-z 0-9 . _ - /), got ${busName.length} characters`,
    );
  }
  return busName;
}

/** `base` then `suffix`, `base` cut so that the whole fits `max` characters (slashes are not allowed there). */
function fitted(base: string, suffix: string, max: number): string {
  return `${base.replaceAll('/', '-').slice(0, max - suffix.length)}${suffix}`;
}

/** The forwarding rule's name in the management account (us-east-1, default bus). */
export function forwarderRuleName(busName: string): string {
  return fitted(busName, '-fwd', MAX_RULE_NAME_LENGTH);
}

/** The forwarding rule's IAM role name in the management account. */
export function forwarderRoleName(busName: string): string {
  return fitted(busName, '-fwd-role', MAX_ROLE_NAME_LENGTH);
}

/**
 * The ARN of the forwarding rule, which the changes bus policy admits as `aws:SourceArn`
 * (a rule on the default bus has the ARN `rule/<name>`).
 */
export function forwarderRuleArn(partition: string, managementAccountId: string, busName: string): string {
  return `arn:${partition}:events:${ORGANIZATIONS_EVENT_REGION}:${managementAccountId}:rule/${forwarderRuleName(busName)}`;
}

/**
 * The re-check's directory under the report prefix, as lambdas/audit/recheck/recheck-keys.ts
 * writes it: `recheck/associations/dt=YYYY-MM-DD/<recheckId>.jsonl.gz` (the nightly row
 * format), `recheck/runs/dt=YYYY-MM-DD/<recheckId>.json` and `recheck/state.json`. The
 * function's grants, the Glue table, the report bucket's lifecycle and the auditor policy
 * all take it from here.
 */
export const RECHECK_LAYOUT = {
  dir: 'recheck',
  associationsDir: 'recheck/associations',
  runsDir: 'recheck/runs',
} as const;
