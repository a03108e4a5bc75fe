import type { AuditProgress } from '../types/audit';

/**
 * Turns progress events into at most one stderr line per interval, so a run over
 * tens of thousands of accounts shows it is alive without flooding the terminal.
 */
export function createProgressReporter(
  write: (line: string) => void,
  now: () => number,
  intervalMs = 2000,
): (progress: AuditProgress) => void {
  let last = Number.NEGATIVE_INFINITY;
  let lastPhase = '';
  return (progress) => {
    const t = now();
    const phaseChanged = progress.phase !== lastPhase;
    if (!phaseChanged && t - last < intervalMs) {
      return;
    }
    last = t;
    lastPhase = progress.phase;
    switch (progress.phase) {
      case 'walk':
        write(`walking the organization: ${progress.targetsFound} targets found`);
        break;
      case 'fetch':
        write(`reading associations: ${progress.done}/${progress.total}`);
        break;
      case 'write':
        write('writing the report');
        break;
    }
  };
}
