import { AuditError, errorKindOf } from '../errors';
import { displaySafe } from './display-text';

/** An error as log attributes: name, kind and the messages of its causes, display-safe and bounded. */
export function errorAttributes(error: unknown): Record<string, string> {
  const messages: string[] = [];
  for (let e: unknown = error; e !== undefined && messages.length < 4; e = e instanceof Error ? e.cause : undefined) {
    messages.push(displaySafe(e instanceof Error ? `${e.name}: ${e.message}` : `thrown ${typeof e}`, 1000));
  }
  const attributes: Record<string, string> = {
    errorKind: errorKindOf(error),
    errorName: displaySafe(error instanceof Error ? error.name : typeof error, 100),
    error: messages.join(' <- caused by: '),
  };
  // A stack helps with what we did not expect; ours say enough in their message.
  if (!(error instanceof AuditError) && error instanceof Error && error.stack !== undefined) {
    attributes.stack = displaySafe(error.stack, 4000);
  }
  return attributes;
}
