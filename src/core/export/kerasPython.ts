// Python source text for the Keras export, shared by the layer table
// (kerasLayers.ts) and the model writer (kerasModel.ts): literals, constructor
// calls and identifiers.

export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v); // JS and Python print 0.9, 1e-5, 16 the same way
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(', ')})`;
  throw new Error(`no Python literal for ${JSON.stringify(v)}`);
}

/**
 * A docstring holding any text: backslashes and every double quote escaped (so no `"""` can end it
 * early), control characters but the newline written as escapes. Model, experiment and file names
 * reach model.py only through here and `py`.
 */
export function pyDocstring(text: string): string {
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(
      // eslint-disable-next-line no-control-regex -- matching control characters is the point: they become escapes
      /[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return `"""${body}"""`;
}

export function call(cls: string, positional: string[], kwargs: [string, string | undefined][]): string {
  const args = [...positional, ...kwargs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)];
  return `${cls}(${args.join(', ')})`;
}

const PY_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'keras',
  'layers',
  'ops',
  'np',
  'inputs',
  'ZeroPadShortcut',
  // model.py's other module-level names, and build_model's argument: a layer named like one must not shadow it.
  'json',
  'os',
  'HERE',
  'logits',
  'build_model',
  'load_weights',
]);

export function identifier(s: string): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (PY_KEYWORDS.has(id)) id = `${id}_`;
  return id;
}
