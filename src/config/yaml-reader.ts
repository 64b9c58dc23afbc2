/**
 * Typed reading of a parsed YAML document that records a problem (with the document path and the
 * line:column the parser knows) instead of throwing, so one pass finds every mistake in a file.
 * Every accessor returns undefined when the value is absent or wrong; callers fall back to defaults
 * and carry on, and the collected problems decide whether the file is accepted.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigErrorCode } from '../errors/config';
import type { FieldRule } from '../model/field-rules';
import { checkField } from './check-field';
import { closest } from './did-you-mean';
import { problemMessage, type ConfigProblem } from './problems';

export interface Cursor {
  readonly path: string;
  /** undefined when the key is absent or its value is null. */
  readonly node: Node | undefined;
  /** What to point at when the node is absent: the enclosing collection. */
  readonly anchor: Node | undefined;
}

export interface NumberRule {
  readonly expected: string;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Value must be strictly greater than this. */
  readonly above?: number;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function childPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** A found value as an operator would recognise it, kept short. */
export function describeNode(node: Node | undefined): string {
  if (node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
    return String(v);
  }
  return 'a value';
}

export class Reader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  root(): Cursor {
    return { path: '', node: this.deref(this.doc.contents ?? undefined), anchor: undefined };
  }

  private deref(node: unknown): Node | undefined {
    let n = node;
    // Aliases (`*name`) point at an anchored node elsewhere; validate what they stand for.
    for (let hops = 0; isAlias(n) && hops < 16; hops++) n = n.resolve(this.doc);
    if (n === undefined || n === null) return undefined;
    if (isScalar(n) && n.value === null) return undefined;
    return n as Node;
  }

  /** Line and column of a node (1-based), when the parser recorded its range. */
  position(node: Node | undefined): { line?: number; column?: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  report(
    code: ConfigErrorCode,
    at: { path: string; node: Node | undefined },
    params: Record<string, unknown>,
  ) {
    this.problems.push({
      code,
      path: at.path,
      message: problemMessage(code, params),
      ...this.position(at.node),
    });
  }

  /** Report at a cursor: its own node when present, else its enclosing collection. */
  reportAt(code: ConfigErrorCode, c: Cursor, params: Record<string, unknown>): void {
    this.report(code, { path: c.path, node: c.node ?? c.anchor }, params);
  }

  wrong(c: Cursor, expected: string): undefined {
    this.reportAt('CONFIG_WRONG_VALUE', c, { found: describeNode(c.node), expected });
    return undefined;
  }

  /** True when present; otherwise reports it missing. */
  require(c: Cursor, expected: string): boolean {
    if (c.node !== undefined) return true;
    this.reportAt('CONFIG_MISSING', c, { expected });
    return false;
  }

  /** A mapping whose keys must come from `allowed`; unknown keys are reported with a did-you-mean. */
  map(c: Cursor, allowed: readonly string[]): Fields | undefined {
    if (c.node === undefined) return new Fields(this, c.path, undefined, new Map());
    if (!isMap(c.node)) return this.wrong(c, `a mapping with keys ${allowed.join(', ')}`);
    const fields = new Map<string, Cursor>();
    for (const [key, keyNode, valueNode] of this.pairs(c.node)) {
      if (!allowed.includes(key)) {
        const guess = closest(key, allowed);
        const hint = guess ? `did you mean '${guess}'?` : `expected one of ${allowed.join(', ')}`;
        this.report('CONFIG_UNKNOWN_KEY', { path: childPath(c.path, key), node: keyNode }, { key, hint });
        continue;
      }
      fields.set(key, { path: childPath(c.path, key), node: valueNode, anchor: keyNode });
    }
    return new Fields(this, c.path, c.node, fields);
  }

  /** A mapping with free-form keys (`weights`, `time_based`): each entry with its key's node. */
  entries(
    c: Cursor,
    expected: string,
  ): Array<{ key: string; keyNode: Node | undefined; value: Cursor }> | undefined {
    if (c.node === undefined) return [];
    if (!isMap(c.node)) return this.wrong(c, expected);
    return this.pairs(c.node).map(([key, keyNode, valueNode]) => ({
      key,
      keyNode,
      value: { path: childPath(c.path, key), node: valueNode, anchor: keyNode },
    }));
  }

  private pairs(map: Node): Array<[string, Node | undefined, Node | undefined]> {
    if (!isMap(map)) return [];
    return map.items.map((pair) => {
      const keyNode = this.deref(pair.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : describeNode(keyNode);
      return [key, keyNode, this.deref(pair.value)];
    });
  }

  list(c: Cursor, expected: string): Cursor[] | undefined {
    if (c.node === undefined) return [];
    if (!isSeq(c.node)) return this.wrong(c, expected);
    return c.node.items.map((item, i) => ({
      path: indexPath(c.path, i),
      node: this.deref(item),
      anchor: c.node,
    }));
  }

  string(c: Cursor, expected = 'a string'): string | undefined {
    if (c.node === undefined) return undefined;
    if (!isScalar(c.node) || typeof c.node.value !== 'string' || c.node.value.trim() === '') {
      return this.wrong(c, expected);
    }
    return c.node.value;
  }

  number(c: Cursor, rule: NumberRule): number | undefined {
    if (c.node === undefined) return undefined;
    const v = isScalar(c.node) ? c.node.value : undefined;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!rule.integer || Number.isInteger(v)) &&
      (rule.min === undefined || v >= rule.min) &&
      (rule.max === undefined || v <= rule.max) &&
      (rule.above === undefined || v > rule.above);
    return ok ? (v as number) : this.wrong(c, rule.expected);
  }

  /**
   * A value under a rule of the one field table (src/model/field-rules.ts), checked by checkField as the
   * TypeScript API and REST check it; each bad item of a list is reported at its own path.
   */
  field<T>(c: Cursor, rule: FieldRule): T | undefined {
    if (c.node === undefined) return undefined;
    if (rule.kind !== 'list') {
      const value = isScalar(c.node) ? c.node.value : c.node;
      const problem = checkField(rule, value);
      return problem ? this.wrong(c, problem.expected) : (value as T);
    }
    if (!isSeq(c.node)) return this.wrong(c, rule.expected);
    const items = this.list(c, rule.expected) ?? [];
    const values: unknown[] = [];
    let ok = true;
    for (const item of items) {
      const value = item.node === undefined ? null : isScalar(item.node) ? item.node.value : item.node;
      const problem = checkField(rule.items, value);
      if (problem) {
        this.wrong(item, problem.expected);
        ok = false;
      } else values.push(value);
    }
    if (!ok) return undefined;
    if (checkField(rule, values)) return this.wrong(c, rule.expected);
    return values as T;
  }

  /** A required field of the table: missing is reported with the rule's expected sentence. */
  requiredField<T>(c: Cursor, rule: FieldRule): T | undefined {
    return this.require(c, rule.expected) ? this.field<T>(c, rule) : undefined;
  }

  boolean(c: Cursor): boolean | undefined {
    if (c.node === undefined) return undefined;
    if (isScalar(c.node) && typeof c.node.value === 'boolean') return c.node.value;
    return this.wrong(c, 'true or false');
  }

  oneOf<T extends string>(c: Cursor, values: readonly T[]): T | undefined {
    if (c.node === undefined) return undefined;
    const v = isScalar(c.node) ? c.node.value : undefined;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    return this.wrong(c, `one of ${values.join(', ')}`);
  }

  /** A list of strings, each checked by `check` (which returns an expectation when the item is bad). */
  strings(c: Cursor, expected: string, check?: (s: string) => string | null): string[] | undefined {
    const items = this.list(c, `a list of ${expected}`);
    if (items === undefined) return undefined;
    const out: string[] = [];
    for (const item of items) {
      const s = this.string(item, expected);
      if (s === undefined) {
        if (item.node === undefined) this.wrong(item, expected);
        continue;
      }
      const bad = check?.(s);
      if (bad) this.wrong(item, bad);
      else out.push(s);
    }
    return out;
  }
}

/** The allowed fields of one mapping, read by key. */
export class Fields {
  constructor(
    private readonly reader: Reader,
    readonly path: string,
    readonly node: Node | undefined,
    private readonly fields: Map<string, Cursor>,
  ) {}

  get(key: string): Cursor {
    return this.fields.get(key) ?? { path: childPath(this.path, key), node: undefined, anchor: this.node };
  }

  /** True when the key is written with a non-null value. */
  has(key: string): boolean {
    return this.fields.get(key)?.node !== undefined;
  }

  get cursor(): Cursor {
    return { path: this.path, node: this.node, anchor: this.node };
  }

  get r(): Reader {
    return this.reader;
  }
}
