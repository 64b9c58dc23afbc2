// Prints the table rows of docs/errors.md for every code in the catalogue, for pasting when codes are
// added. The doc stays hand-edited (it groups and explains codes); test/errors/catalogue.test.ts checks it.
import { ALL_ERRORS } from '../src/errors';

for (const [code, spec] of Object.entries(ALL_ERRORS)) {
  const msg = spec.message.replace(/\|/g, '\\|');
  console.log(`| \`${code}\` | ${spec.http ?? ''} | ${spec.sip ?? ''} | \`${msg}\` |`);
}
