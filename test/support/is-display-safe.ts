import { displaySafe } from '../../lambdas/audit/util/display-text';

/** True when `value` has nothing {@link displaySafe} would escape (or cut). */
export function isDisplaySafe(value: string): boolean {
  return displaySafe(value, value.length + 1) === value;
}
