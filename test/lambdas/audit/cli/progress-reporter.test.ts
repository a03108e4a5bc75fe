import { createProgressReporter } from '../../../../lambdas/audit/cli/progress-reporter';

describe('createProgressReporter', () => {
  it('prints a phase change at once and otherwise at most once per interval', () => {
    const lines: string[] = [];
    let now = 0;
    const report = createProgressReporter(
      (l) => lines.push(l),
      () => now,
      1000,
    );
    report({ phase: 'walk', targetsFound: 20 });
    now = 500;
    report({ phase: 'walk', targetsFound: 40 });
    now = 1000;
    report({ phase: 'walk', targetsFound: 60 });
    now = 1100;
    report({ phase: 'fetch', done: 0, total: 60 });
    report({ phase: 'fetch', done: 50, total: 60 });
    report({ phase: 'write' });
    expect(lines).toEqual([
      'walking the organization: 20 targets found',
      'walking the organization: 60 targets found',
      'reading associations: 0/60',
      'writing the report',
    ]);
  });
});
