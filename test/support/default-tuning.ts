import type { AuditTuning } from '../../lambdas/audit/config';
import { settingDefaults, TUNING_SETTINGS } from '../../lambdas/audit/settings';

/** Defaults of the tuning knobs (see {@link TUNING_SETTINGS} for the reasons). */
export const DEFAULT_TUNING: AuditTuning = settingDefaults(TUNING_SETTINGS);
