import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const REPO_ROOT = join(__dirname, '..', '..');

/** README.md and every docs/*.md, as path (relative to the root) → text. */
export function documentationFiles(): ReadonlyMap<string, string> {
  const docs = readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return new Map(['README.md', ...docs].map((path) => [path, readFileSync(join(REPO_ROOT, path), 'utf8')]));
}

/** All of the documentation as one text, README first: the contract tests look for a statement wherever it lives. */
export function documentationText(): string {
  return [...documentationFiles().values()].join('\n');
}
