/**
 * Keeps `fields` indexable: OpenSearch's `flat_object` indexes every value (and its dotted path
 * with the value) as one term, and Lucene refuses a whole document with a term over 32 KiB.
 * Long values and keys are cut in the indexed copy; the whole value stays in `overflow`. Pure.
 */

/** Longest indexed string value (4 bytes per char at worst: 16 KiB). */
export const MAX_FIELD_VALUE_CHARS = 4096;
/** Longest key; with the depth cap a path stays under 8 KiB. */
export const MAX_FIELD_KEY_CHARS = 256;
/** Deeper objects are kept as JSON text. */
export const MAX_FIELD_DEPTH = 8;

/** Bounded fields, the whole values that were cut (by path), and what was done. */
export interface BoundedFields {
  readonly fields: Record<string, unknown>;
  readonly overflow?: Record<string, unknown>;
  readonly notes: readonly string[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// The common case (short values, shallow objects) is checked without building anything.
function withinBounds(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.length <= MAX_FIELD_VALUE_CHARS;
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_FIELD_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!withinBounds(item, depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (key.length > MAX_FIELD_KEY_CHARS) return false;
    if (!withinBounds((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

class Bounder {
  public overflow: Record<string, unknown> | undefined;
  public readonly notes: string[] = [];

  public bound(value: unknown, path: string, depth: number): unknown {
    if (typeof value === 'string') return this.cut(value, value, path);
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= MAX_FIELD_DEPTH) {
      this.notes.push(`${path}:flattened`);
      const text = JSON.stringify(value);
      return this.cut(text, value, path);
    }
    if (Array.isArray(value)) {
      return value.map((item, i) => this.bound(item, `${path}[${i}]`, depth + 1));
    }
    const out: Record<string, unknown> = {};
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      let name = key;
      if (key.length > MAX_FIELD_KEY_CHARS) {
        name = `${key.slice(0, MAX_FIELD_KEY_CHARS)}…`;
        this.notes.push(`${path}.${name}:key_cut`);
        this.keep(`${path}.${key}`, item);
      }
      out[name] = this.bound(item, `${path}.${name}`, depth + 1);
    }
    return out;
  }

  private cut(text: string, whole: unknown, path: string): string {
    if (text.length <= MAX_FIELD_VALUE_CHARS) return text;
    this.notes.push(`${path}:cut`);
    this.keep(path, whole);
    return `${text.slice(0, MAX_FIELD_VALUE_CHARS)}…`;
  }

  private keep(path: string, whole: unknown): void {
    this.overflow ??= {};
    this.overflow[path] = whole;
  }
}

/** Bounds `fields`; paths in notes and `overflow` start with `fields.`. */
export function boundFields(fields: Record<string, unknown>): BoundedFields {
  if (withinBounds(fields, 0)) return { fields, notes: [] };
  const bounder = new Bounder();
  const bounded = bounder.bound(fields, 'fields', 0);
  return {
    fields: isPlainObject(bounded) ? bounded : {},
    notes: bounder.notes,
    ...(bounder.overflow !== undefined ? { overflow: bounder.overflow } : {}),
  };
}
