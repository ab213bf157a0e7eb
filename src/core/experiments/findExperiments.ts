// Finds `export const name = experiment(...)` in a model file's text without
// running it: the CodeLens provider calls this on every edit, in the
// extension host, where loading TypeScript or tfjs would be too heavy.
// A small tokenizer skips comments, strings and template literals so that a
// commented-out experiment or an "experiment(" inside a string is not found.

export interface FoundExperiment {
  name: string;
  /** 0-based line and column of the `export` keyword. */
  line: number;
  column: number;
  /** 0-based line of the closing parenthesis of `experiment(...)`. */
  endLine: number;
}

/** Any JavaScript identifier (ECMAScript's ID_Start / ID_Continue, `$`, `_`, ZWNJ, ZWJ), not only ASCII. */
const IDENTIFIER_START = /^[\p{ID_Start}$_]/u;
const IDENTIFIER_PART = /^[\p{ID_Continue}$\u200c\u200d]/u;
export const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

export interface Token {
  text: string;
  offset: number;
}

/** Whether a `/` here starts a regex literal rather than a division. */
function regexAllowed(tokens: Token[]): boolean {
  const prev = tokens[tokens.length - 1]?.text;
  return prev === undefined || /^[(,=:[!&|?{};+\-*%<>~^]$/.test(prev) || prev === 'return' || prev === 'typeof';
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
      continue;
    }
    if (c === '/' && regexAllowed(tokens)) {
      // A regex literal such as /'/g must not open a string.
      let inClass = false;
      i++;
      while (i < src.length && src[i] !== '\n' && (inClass || src[i] !== '/')) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
        i++;
      }
      i++;
      while (i < src.length && /[a-z]/i.test(src[i])) i++;
      tokens.push({ text: '"re"', offset: i });
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const start = i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') i++;
        i++;
      }
      i++;
      tokens.push({ text: '"str"', offset: start });
      continue;
    }
    if (IDENTIFIER_START.test(src.slice(i, i + 2))) {
      const start = i;
      while (i < src.length && IDENTIFIER_PART.test(src.slice(i, i + 2))) i += src.codePointAt(i)! > 0xffff ? 2 : 1;
      tokens.push({ text: src.slice(start, i), offset: start });
      continue;
    }
    if (!/\s/.test(c)) tokens.push({ text: c, offset: i });
    i++;
  }
  return tokens;
}

export function lineCol(src: string, offset: number): { line: number; column: number } {
  let line = 0,
    last = -1;
  for (let i = 0; i < offset; i++)
    if (src.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  return { line, column: offset - last - 1 };
}

/** Skips a type annotation such as `: Experiment` up to the `=`. */
export function skipToEquals(tokens: Token[], i: number): number {
  let depth = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i].text;
    if (t === '<' || t === '(' || t === '[' || t === '{') depth++;
    else if (t === '>' || t === ')' || t === ']' || t === '}') depth--;
    else if (t === '=' && tokens[i + 1]?.text === '>' && tokens[i + 1].offset === tokens[i].offset + 1)
      i++; // `=>` of a function type
    else if (t === '=' && depth <= 0) return i;
    else if (t === ';') return -1;
  }
  return -1;
}

export function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/**
 * Every `export const <name> = <callee>(` of a file (a qualified `lab.<callee>(` too), with the token
 * indexes of the `export` and of the callee: what findExperiments and findSweeps look for.
 */
export function* exportedCalls(
  tokens: Token[],
  callee: string,
): Generator<{ name: string; exportAt: number; calleeAt: number }, void, number | undefined> {
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (tokens[i].text !== 'export' || !['const', 'let', 'var'].includes(tokens[i + 1].text)) continue;
    const name = tokens[i + 2].text;
    if (!IDENTIFIER.test(name)) continue;
    const eq = skipToEquals(tokens, i + 3);
    if (eq < 0) continue;
    let j = eq + 1;
    while (tokens[j + 1]?.text === '.') j += 2;
    if (tokens[j]?.text !== callee || tokens[j + 1]?.text !== '(') continue;
    // The caller may say where to go on from (past the call's arguments).
    i = (yield { name, exportAt: i, calleeAt: j }) ?? i;
  }
}

export function findExperiments(src: string): FoundExperiment[] {
  const tokens = tokenize(src);
  const found: FoundExperiment[] = [];
  for (const { name, exportAt, calleeAt } of exportedCalls(tokens, 'experiment')) {
    const at = lineCol(src, tokens[exportAt].offset);
    const end = lineCol(src, tokens[closingParen(tokens, calleeAt + 1)].offset);
    found.push({ name, line: at.line, column: at.column, endLine: end.line });
  }
  return found;
}
