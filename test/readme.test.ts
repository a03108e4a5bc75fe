import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AUDIT_CONTEXT_KEY_DOCS, AUDIT_CONTEXT_KEYS, parseAuditStackConfig } from '../infra/config/audit-config';
import { CONFIG_VARIABLES } from '../lambdas/audit/config';
import { ASSOCIATION_COLUMNS, RUN_COLUMNS } from '../lambdas/audit/report/schema';
import { ALL_SETTINGS, RECHECK_SETTINGS, settingMeaning, type Setting } from '../lambdas/audit/settings';
import { stateMachineDefinition } from './infra/state-machine-definition';
import { resourcesOf } from './infra/template-json';
import { templateFor } from './infra/test-app';
import { documentationFiles, documentationText, REPO_ROOT } from './support/documentation';

/** The README and docs/ document the report contract and the configuration; these checks keep them honest. */
const readme = documentationText();

/** One row of a three-column configuration table: name → [default, meaning]. */
type Rows = ReadonlyMap<string, readonly [string, string]>;

/** The rows of the first table after `heading`, keyed by the backquoted name in the first column. */
function tableAfter(heading: string): Rows {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) {
    throw new Error(`README has no heading "${heading}"`);
  }
  const rows = new Map<string, readonly [string, string]>();
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('| `'));
  for (const line of lines.slice(first)) {
    const cells = /^\| `([^`]+)` \| (.*?) \| (.*) \|$/.exec(line);
    if (!cells) break;
    rows.set(cells[1], [cells[2], cells[3]]);
  }
  return rows;
}

/** How the environment table writes a setting's default. */
function environmentDefault(setting: Setting): string {
  if (setting.kind !== 'text') return String(setting.default);
  return setting.default === undefined ? 'unset' : setting.default === '' ? 'empty' : `\`${setting.default}\``;
}

/** How the context-key table writes a parsed default. */
function contextDefault(value: unknown): string {
  if (value === undefined) return 'unset';
  if (value === '') return 'empty';
  if (Array.isArray(value) && value.length === 0) return 'none';
  const text =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? `${value}`
      : JSON.stringify(value);
  return `\`${text}\``;
}

/** GitHub's anchors for a markdown text's headings. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return anchors;
}

describe('README', () => {
  it.each([
    ...ASSOCIATION_COLUMNS.map((c) => ['associations', c] as const),
    ...RUN_COLUMNS.map((c) => ['runs', c] as const),
  ])('documents %s.%s with its type', (_table, column) => {
    expect(readme).toContain(`| \`${column.name}\` | \`${column.type}\` |`);
  });

  describe('Lambda environment table', () => {
    const rows = tableAfter('## Configuration (Lambda environment)');

    it.each(CONFIG_VARIABLES)('documents the variable %s', (name) => {
      expect(rows.has(name)).toBe(true);
    });

    it.each(Object.values(ALL_SETTINGS).map((s) => [s.env, s] as const))(
      'shows %s with the registry default, meaning and range',
      (name, setting) => {
        expect(rows.get(name)).toEqual([environmentDefault(setting), settingMeaning(setting)]);
      },
    );

    it('lists no variable the Lambda or Powertools does not read', () => {
      const known = new Set([...CONFIG_VARIABLES]);
      expect([...rows.keys()].filter((name) => !known.has(name) && !name.startsWith('POWERTOOLS_'))).toEqual([]);
    });
  });

  describe('re-check variables table', () => {
    const rows = tableAfter('### Re-check function variables');

    it.each(Object.values(RECHECK_SETTINGS).map((s) => [s.env, s] as const))(
      'shows %s with the registry default, meaning and range',
      (name, setting) => {
        expect(rows.get(name)).toEqual([environmentDefault(setting), settingMeaning(setting)]);
      },
    );

    it('lists the re-check settings and the management account, nothing else', () => {
      expect([...rows.keys()].sort()).toEqual(
        [...Object.values(RECHECK_SETTINGS).map((s) => s.env), 'MANAGEMENT_ACCOUNT_ID'].sort(),
      );
    });
  });

  describe('context key table', () => {
    const rows = tableAfter('### Context keys');
    const defaults = parseAuditStackConfig({}) as Readonly<Record<string, unknown>>;

    it('lists exactly the keys the app reads, in documentation order', () => {
      expect([...rows.keys()]).toEqual(AUDIT_CONTEXT_KEYS);
    });

    it.each(AUDIT_CONTEXT_KEYS)('shows %s with its parsed default and its documented meaning', (key) => {
      expect(rows.get(key)).toEqual([contextDefault(defaults[key]), AUDIT_CONTEXT_KEY_DOCS[key]]);
    });
  });

  describe('state machine and alarms', () => {
    const template = templateFor();
    const states = Object.keys(stateMachineDefinition(template).States).sort();
    const section = readme.slice(readme.indexOf('\n## Step Functions orchestration'));
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(section)?.[1] ?? '';

    it('draws every state of the synthesized definition, and no other, in the diagram', () => {
      // Node ids start a line or follow an arrow (and its label).
      const nodes = [...diagram.matchAll(/(?:^\s*|-->\s*(?:\|[^|]*\|\s*)?)([A-Za-z]+)/gm)].map((m) => m[1]);
      expect([...new Set(nodes)].filter((n) => n !== 'flowchart').sort()).toEqual(states);
    });

    it('says what each terminal pages', () => {
      for (const terminal of ['ReportWritten', 'RunRefused', 'RunFailed']) {
        expect(diagram).toMatch(new RegExp(`${terminal}\\(\\["${terminal}: [^"]*(page|paged)[^"]*"\\]\\)`));
      }
    });

    it('says which alarm fires for what, for exactly the alarms the template has, and prices them', () => {
      const ids = Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
      const start = section.indexOf('| alarm | fires when | does not fire for |');
      const table = section.slice(start, section.indexOf('\n\n', start));
      const rows = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
      expect(rows.map((name) => ids.filter((id) => id.startsWith(`Alarms${name}`)).length)).toEqual(rows.map(() => 1));
      expect(rows).toHaveLength(ids.length);
      const price = `$${(ids.length * 0.1).toFixed(2)}`;
      expect(section).toContain(`The template has ${ids.length} alarms`);
      expect(section).toContain(`**${price} a month**`);
      expect(readme).toContain(`${ids.length} alarms ≈ ${price}`);
    });
  });

  it('keeps the README itself short: at most 250 lines, the rest in docs/', () => {
    expect(documentationFiles().get('README.md')!.split('\n').length).toBeLessThanOrEqual(250);
  });

  it.each([...documentationFiles().keys()])('%s: every relative link and its anchor exist', (path) => {
    const text = documentationFiles().get(path)!;
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file === '' ? path : join(dirname(path), file);
      if (!existsSync(join(REPO_ROOT, resolved))) broken.push(target);
      else if (
        anchor !== undefined &&
        resolved.endsWith('.md') &&
        !anchorsOf(documentationFiles().get(resolved) ?? '').has(anchor)
      )
        broken.push(target);
    }
    expect(broken).toEqual([]);
  });

  it('gives the two commands a fresh machine needs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it("pipes npm run only with --silent, or npm's banner would reach the pipe on stdout", () => {
    const piped = readme.split('\n').filter((line) => /\bnpm run\b[^|`]*\|\s*\w/.test(line));
    expect(piped.length).toBeGreaterThan(0);
    expect(piped.filter((line) => !/\bnpm run (--silent|-s) /.test(line))).toEqual([]);
  });
});
