import type { AwsClients } from '../aws/clients';
import { systemClock, systemSleep } from '../util/system-clock';
import type { AuditDeps } from '../types/audit';

/** The collaborators every real run shares: the SDK clients with their counters, real time, real jitter. */
export type LiveDeps = Pick<
  AuditDeps,
  'organizations' | 'securityHub' | 'organizationsCounter' | 'securityHubCounter' | 'clock' | 'sleep' | 'random'
>;

/** Wires the clients of {@link createAwsClients} into the audit, with the system clock. */
export function liveDeps(clients: AwsClients): LiveDeps {
  return {
    organizations: clients.organizations,
    securityHub: clients.securityHub,
    organizationsCounter: clients.organizationsCounter,
    securityHubCounter: clients.securityHubCounter,
    clock: systemClock,
    sleep: systemSleep,
    random: Math.random,
  };
}
