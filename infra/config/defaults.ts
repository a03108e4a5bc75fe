import { DEFAULT_METRICS_NAMESPACE } from '../../lambdas/audit/config';
import { FUNCTION_SETTINGS, settingDefaults, TUNING_SETTINGS } from '../../lambdas/audit/settings';

/**
 * Defaults of every deploy-time setting, in one place: the context schema
 * (`audit-config.ts`) and the constructs' optional props both read them, so the
 * documented default and the deployed one cannot disagree.
 *
 * The defaults of the Lambda settings come from their registry
 * (lambdas/audit/settings.ts) for the same reason.
 */
export const DEFAULTS = {
  stackName: 'SecurityHubConfigAudit',
  /** 02:00 UTC every day: after most change windows, before office hours in Europe. */
  scheduleCron: 'cron(0 2 * * ? *)',
  scheduleEnabled: true,
  /** EventBridge delivery retries (the invoke call itself, not the run). */
  scheduleRetryAttempts: 3,
  scheduleMaxEventAgeHours: 2,
  /** Lambda asynchronous retries of a failed run; the run is idempotent per event.time. */
  functionRetryAttempts: 2,
  functionTimeoutMinutes: 15,
  functionMemoryMb: 1024,
  logRetentionDays: 365,
  logLevel: 'INFO',
  serviceName: 'securityhub-config-audit',
  metricsNamespace: DEFAULT_METRICS_NAMESPACE,
  reportPrefix: FUNCTION_SETTINGS.reportPrefix.default,
  reportTransitionIaDays: 30,
  reportTransitionGlacierDays: 90,
  reportExpirationDays: 730,
  noncurrentVersionExpirationDays: 30,
  accessLogsExpirationDays: 365,
  athenaResultsExpirationDays: 30,
  athenaBytesScannedCutoffMb: 1024,
  glueDatabaseName: 'securityhub_config_audit',
  athenaWorkGroupName: 'securityhub-config-audit',
  heartbeatHours: 26,
  durationAlarmPercent: 80,
  digestMaxTargets: FUNCTION_SETTINGS.digestMaxTargets.default,
  checkpointIntervalSeconds: FUNCTION_SETTINGS.checkpointIntervalSeconds.default,
  publishFindings: FUNCTION_SETTINGS.publishFindings.default,
  dlqRetentionDays: 14,
  /** Rounds (invocations) a state machine execution may take before it writes the report as it stands. */
  stateMachineMaxRounds: 8,
  stateMachineTimeoutHours: 6,
  ...settingDefaults(TUNING_SETTINGS),
} as const;

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Powertools log levels. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
