import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';

const doc = (algorithms: string) => `pbx:
  credentials:
    username: pbx
    password: env:PBX_PW
    realm: geored.local
${algorithms}`;
const env = { PBX_PW: 'hunter2' };

describe('pbx.credentials.algorithms', () => {
  it('offers MD5 alone by default: what PBXs in the field answer (baresip 1.0 fails on a SHA-256 offer)', () => {
    expect(parseConfig(doc(''), 'pbx.yml', env).pbx.credentials?.algorithms).toEqual(['MD5']);
  });

  it('offers several challenges, strongest first, only where configured', () => {
    expect(
      parseConfig(doc('    algorithms: [SHA-256, MD5]'), 'pbx.yml', env).pbx.credentials?.algorithms,
    ).toEqual(['SHA-256', 'MD5']);
  });

  it('takes a list of RFC 8760 algorithms', () => {
    expect(parseConfig(doc('    algorithms: [MD5]'), 'pbx.yml', env).pbx.credentials?.algorithms).toEqual([
      'MD5',
    ]);
  });

  it('names the path and the allowed values for an unknown algorithm', () => {
    let thrown: unknown;
    try {
      parseConfig(doc('    algorithms: [MD5, SHA-1]'), 'pbx.yml', env);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problem = (thrown as ConfigError).problems[0]!;
    expect(problem.path).toBe('pbx.credentials.algorithms[1]');
    expect(problem.message).toContain('SHA-512-256');
    expect((thrown as ConfigError).message).not.toContain('hunter2');
  });

  it('refuses an empty list', () => {
    expect(() => parseConfig(doc('    algorithms: []'), 'pbx.yml', env)).toThrow(
      /at least one digest algorithm/,
    );
  });
});
