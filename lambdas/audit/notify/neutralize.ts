/**
 * Text from outside (names, status messages, error reasons) must not ping people or become a
 * link when a chat client or mail reader renders it: chat clients turn `@here`, `@channel`
 * and bare URLs into mentions and links, and mail readers autolink URLs.
 */

/** `@name` at the start of a word (a mention); an e-mail address's `@` follows a word character. */
const MENTION = /(^|[^\p{L}\p{N}_.+-])@(?=[\p{L}\p{N}_])/gu;
/** A URL scheme or a `www.` host, as clients autolink them. */
const LINK = /\b([a-z][a-z0-9+.-]*):\/\/|\bwww\./gi;

/**
 * `text` with every mention's `@` replaced by the look-alike U+FF20 (no client resolves it)
 * and every URL defanged (`https[:]//`, `www[.]`), so it reads the same and does nothing.
 */
export function neutralizeMentionsAndLinks(text: string): string {
  return text
    .replace(MENTION, (_, before: string) => `${before}\uff20`)
    .replace(LINK, (_link, scheme: string | undefined) => (scheme === undefined ? 'www[.]' : `${scheme}[:]//`));
}
