import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { SHARED_DIR } from '../../helpers/shared-dir';

export interface Expectation {
  readonly section: string;
  readonly expect: 'valid' | 'invalid' | 'either' | 'semantic';
  readonly response?: number;
}

export interface Fixture {
  readonly folder: string;
  readonly name: string;
  readonly path: string;
  readonly bytes: Buffer;
  readonly exp: Expectation;
}

export const FOLDERS = [
  join(SHARED_DIR, 'testdata/rfc4475'),
  fileURLToPath(new URL('../../fixtures/rfc4475', import.meta.url)),
  fileURLToPath(new URL('../../fixtures/rfc5118', import.meta.url)),
];

/** Every torture message with its expected outcome; a .dat without an expectation (or the reverse) fails. */
export function loadFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const folder of FOLDERS) {
    const messages = (
      JSON.parse(readFileSync(`${folder}/expectations.json`, 'utf8')) as {
        messages: Record<string, Expectation>;
      }
    ).messages;
    const files = readdirSync(folder).filter((f) => f.endsWith('.dat'));
    const names = files.map((f) => f.slice(0, -4)).sort();
    if (JSON.stringify(names) !== JSON.stringify(Object.keys(messages).sort())) {
      throw new Error(`${folder}: .dat files and expectations.json do not list the same messages`);
    }
    for (const name of names) {
      const path = `${folder}/${name}.dat`;
      out.push({ folder, name, path, bytes: readFileSync(path), exp: messages[name] as Expectation });
    }
  }
  return out;
}
