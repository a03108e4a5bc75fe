/** The CDK app's errors: the deploy-time counterpart of lambdas/audit/errors.ts, on the same base. */
import { AuditError } from '../../lambdas/audit/errors';

/**
 * One or more context values are invalid (kind BAD_INPUT). The message names every
 * offending key; a bad value is quoted as a short, display-safe prefix (quoted-value.ts).
 */
export class AuditContextError extends AuditError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(
      'BAD_INPUT',
      `Invalid CDK context (set in cdk.json "context" or with -c key=value):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
    );
    this.issues = issues;
  }
}
