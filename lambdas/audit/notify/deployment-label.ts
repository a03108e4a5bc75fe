/** Which deployment sent an alert, in the words people read. */
import type { DigestDeployment } from '../types/digest';

/**
 * `stack SecurityHubConfigAudit, account 111122223333, us-east-1` (full), or
 * `111122223333 us-east-1` (short, for a subject); undefined when nothing is known. The
 * values come from the function's validated configuration and its own ARN.
 */
export function deploymentLabel(deployment: DigestDeployment | undefined, form: 'full' | 'short'): string | undefined {
  if (deployment === undefined) return undefined;
  const { stackName, accountId, region } = deployment;
  const parts =
    form === 'full'
      ? [stackName && `stack ${stackName}`, accountId && `account ${accountId}`, region]
      : [accountId, region];
  const shown = parts.filter((p): p is string => typeof p === 'string' && p !== '');
  return shown.length === 0 ? undefined : shown.join(form === 'full' ? ', ' : ' ');
}
