/**
 * Emulated AWS Organizations + Security Hub for tests and the demo. Real SDK v3 clients
 * pointed at `RunningEmulator.endpoint` cannot tell it from AWS for the operations the
 * audit uses. Test infrastructure only: never imported by lambdas/ or infra/.
 */
export { generateOrganization } from './generate-organization';
export {
  GENERATE_DEFAULTS,
  GenerateOrganizationError,
  MAX_OU_DEPTH,
  type GenerateOrganizationOptions,
} from './generator-options';
export {
  ANOMALY_KINDS,
  type AnomalyKind,
  type GeneratedAccount,
  type GeneratedAssociation,
  type GeneratedOrg,
  type GeneratedOrganizationInfo,
  type GeneratedOu,
  type GeneratedPolicy,
  type GeneratedRoot,
  type SeededAnomalies,
} from './generated-org';
export { startEmulator, type RunningEmulator, type StartEmulatorOptions } from './emulator-server';
export {
  EmulatorConfigError,
  MALFORMED_ACCOUNT_KINDS,
  MALFORMED_KINDS,
  BATCH_GET_REFUSALS,
  type AttemptRange,
  type BatchGetRefusal,
  type EmulatorFaults,
  type ImportFailureRule,
  type LegacyAccountStatusMode,
  type InvalidChild,
  type MalformedAccountKind,
  type MalformedAccountRule,
  type MalformedKind,
  type MalformedRule,
  type OrganizationsFaults,
  type SecurityHubFaults,
  type ServiceFaults,
  type StallFault,
  type ThrottleStorm,
  type UnprocessedRule,
} from './emulator-faults';
export type { EmulatorStats } from './emulator-stats';
export type { AssociationFailures, EmulatorWriteOptions } from './emulator-writes';
export {
  buildEvent,
  camelCaseKeys,
  cloudTrailTime,
  type CloudTrailDetail,
  type EmulatedEventName,
  type EmulatorEvent,
  type EventInput,
  type EventListener,
} from './cloudtrail-events';
export type { EmulatedKms } from './kms-api';
export { findingProblem, type FindingsStoreStats, type StoredFinding } from './findings-store';
export type { QuotaOptions } from './token-bucket';
export type { Seed } from './seeded-random';
export {
  emulatorClientConfig,
  emulatorEnvironment,
  localAwsEnvironment,
  type EmulatorClientConfig,
} from './client-config';
