// Finds `export const name = sweep({ axis: [...], ... }, build)` in a model
// file's text without running it (the CodeLens provider's `▶ Sweep (16 runs)`).
// The run count is read off the axes when they are written as array literals;
// axes built in code (`depth: DEPTHS`) leave it unknown until the file runs.
import { closingParen, exportedCalls, lineCol, Token, tokenize } from './findExperiments';

export interface FoundSweep {
  name: string;
  /** 0-based line and column of the `export` keyword. */
  line: number;
  column: number;
  /** Runs in the grid (the product of the axes' lengths), when every axis is an array literal. */
  runs?: number;
  /** The axes' names as written, in order. */
  axes: string[];
}

/** Elements of the array literal opened at `open`, or undefined when it holds a spread. */
function arrayLength(tokens: Token[], open: number, close: number): number | undefined {
  let depth = 0,
    count = 0,
    pending = false;
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i].text;
    if (depth === 0 && t === '.' && tokens[i + 1]?.text === '.') return undefined;
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth--;
    if (depth === 0 && t === ',') {
      if (pending) count++;
      pending = false;
    } else pending = true;
  }
  return count + (pending ? 1 : 0);
}

function matching(tokens: Token[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const close = pairs[tokens[open].text];
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].text === tokens[open].text) depth++;
    else if (tokens[i].text === close && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** The axes object literal opened at `open`: names and, when all are array literals, the run count. */
function readAxes(tokens: Token[], open: number): { axes: string[]; runs?: number } {
  const end = matching(tokens, open);
  const axes: string[] = [];
  let runs: number | undefined = 1;
  for (let i = open + 1; i < end; i++) {
    const key = tokens[i].text.replace(/^"str"$/, '');
    if (tokens[i + 1]?.text !== ':') {
      runs = undefined; // a shorthand `{ depth }` or a spread
      i = skipValue(tokens, i, end);
      continue;
    }
    axes.push(key || '?');
    const value = i + 2;
    if (tokens[value]?.text === '[') {
      const close = matching(tokens, value);
      const n = arrayLength(tokens, value, close);
      runs = runs === undefined || n === undefined ? undefined : runs * n;
      i = close + (tokens[close + 1]?.text === ',' ? 1 : 0);
    } else {
      runs = undefined;
      i = skipValue(tokens, value, end);
    }
  }
  return { axes, runs };
}

/** Index of the `,` ending the value that starts at `i` (or `end - 1`). */
function skipValue(tokens: Token[], i: number, end: number): number {
  let depth = 0;
  for (; i < end; i++) {
    const t = tokens[i].text;
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth--;
    else if (t === ',' && depth === 0) return i;
  }
  return end - 1;
}

export function findSweeps(src: string): FoundSweep[] {
  const tokens = tokenize(src);
  const found: FoundSweep[] = [];
  const calls = exportedCalls(tokens, 'sweep');
  for (let next = calls.next(); !next.done;) {
    const { name, exportAt, calleeAt: j } = next.value;
    const at = lineCol(src, tokens[exportAt].offset);
    const axes = tokens[j + 2]?.text === '{' ? readAxes(tokens, j + 2) : { axes: [] };
    found.push({ name, line: at.line, column: at.column, ...axes });
    next = calls.next(closingParen(tokens, j + 1)); // go on past the call's arguments
  }
  return found;
}
