import { scrubSecret } from './url';

/**
 * A driver error as one line for a STORE_ error, with the URL's password scrubbed out. Connection
 * failures to a name with several addresses come as an AggregateError whose own message is empty.
 */
export function reasonOf(err: unknown, url: string): string {
  let text: string;
  if (err instanceof AggregateError && err.errors.length > 0) {
    text = err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  } else if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    text = err.message || (typeof code === 'string' ? code : err.name);
  } else {
    text = String(err);
  }
  return scrubSecret(text, url);
}
