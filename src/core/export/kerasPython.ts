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
]);

export function identifier(s: string): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (PY_KEYWORDS.has(id)) id = `${id}_`;
  return id;
}
