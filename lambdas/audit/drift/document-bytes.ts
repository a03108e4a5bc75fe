import { MAX_DOCUMENT_BYTES } from './json-document';
import type { SourceDocument } from '../types/audit';
import { DocumentError } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The bytes of a document (an S3 object or a file) as text for the parsers. Rejects more
 * than {@link MAX_DOCUMENT_BYTES} and bytes that are not UTF-8, which a lenient decode
 * would turn into U+FFFD and let through as a different id or reason than the author wrote.
 *
 * @param label `baseline` or `exclusions`, for the message.
 * @throws DocumentError (BAD_INPUT) naming the document.
 */
export function decodeDocument(bytes: Uint8Array, source: string, label: string): SourceDocument {
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) {
    throw new DocumentError(
      label,
      source,
      `too large: ${bytes.byteLength} bytes, at most ${MAX_DOCUMENT_BYTES} accepted`,
    );
  }
  try {
    return { text: utf8.decode(bytes), source };
  } catch (error) {
    throw new DocumentError(label, source, 'not UTF-8 text', { cause: error });
  }
}
