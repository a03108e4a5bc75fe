import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_CONTEXT_KEYS } from '../infra/config/audit-config';
import { CONFIG_VARIABLES } from '../lambdas/audit/config';
import { ASSOCIATION_COLUMNS, RUN_COLUMNS } from '../lambdas/audit/report/schema';

/** The README documents the report contract and the configuration; these checks keep it honest. */
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it.each([
    ...ASSOCIATION_COLUMNS.map((c) => ['associations', c] as const),
    ...RUN_COLUMNS.map((c) => ['runs', c] as const),
  ])('documents %s.%s with its type', (_table, column) => {
    expect(readme).toContain(`| \`${column.name}\` | \`${column.type}\` |`);
  });

  it.each(CONFIG_VARIABLES)('documents the variable %s', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it.each(AUDIT_CONTEXT_KEYS)('documents the context key %s', (key) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
  });

  it('gives the two commands a fresh machine needs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
