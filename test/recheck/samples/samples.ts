/**
 * The sample events (one JSON file per event kind, see README.md beside this file) and the
 * senders they come from: an audit account in a home Region other than us-east-1, and a
 * management account, so a test can tell the two services' sender rules apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectedSenders } from '../../../lambdas/audit/types/recheck';

/** The accounts and Region of every sample. */
export const SAMPLE_SENDERS: ExpectedSenders = {
  auditAccountId: '210987654321',
  homeRegion: 'eu-west-1',
  managementAccountId: '123456789012',
};

/** Names of the sample files, without `.json`. */
export const SAMPLE_NAMES: readonly string[] = readdirSync(__dirname)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

/** The text of one sample, as a queue message body would carry it. */
export function sampleText(name: string): string {
  return readFileSync(join(__dirname, `${name}.json`), 'utf8');
}

/** One sample, parsed (a fresh copy each time, for tests that alter it). */
export function sampleEvent(name: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  return JSON.parse(sampleText(name)) as Record<string, unknown> & { detail: Record<string, unknown> };
}
