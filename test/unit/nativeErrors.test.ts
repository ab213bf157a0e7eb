// The graph-mode addon (native/graph) on bad input: every misuse is one JS
// error with TensorFlow's code on `err.code`, never a crash, a hang or a leak.
// Needs the native backend and its graph addon (setup-native); skipped, with
// the reason printed, without them. CI runs it in `npm run test:native`.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { graphAddonPath, nativeBackendAvailable } from '../../src/core/native/detectNative';
import { loadTfjsNode } from '../../src/core/native/loadNative';
import { DT, GraphAddon, GraphHandle, loadGraphAddon, SessionHandle } from '../../src/core/train/graph/addon';

const skip = !nativeBackendAvailable()
  ? 'native backend not built; run "npm run cli -- setup-native" first'
  : !fs.existsSync(graphAddonPath() ?? '')
    ? 'graph addon not built; run "npm run cli -- setup-native" again'
    : false;
if (skip) console.log(`nativeErrors.test.ts skipped: ${skip}`);

let a: GraphAddon;
before(() => {
  if (skip) return;
  loadTfjsNode(tf); // first, so that the addon finds TensorFlow already loaded
  a = loadGraphAddon();
});

/** What the addon throws: an Error or TypeError whose `code` is TensorFlow's name for it. */
function addonError(name: 'Error' | 'TypeError', code: string, message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof Error, `not an Error: ${String(e)}`);
    assert.equal(e.constructor.name, name, e.message);
    assert.equal((e as Error & { code?: string }).code, code, e.message);
    assert.match(e.message, message);
    return true;
  };
}

/** w (float [3]) -> loss = sum(w^2), as setup-native's check builds it. */
function squareGraph(): GraphHandle {
  const g = a.newGraph();
  a.addOp(
    g,
    'Placeholder',
    'w',
    [],
    [
      ['dtype', 'type', DT.float],
      ['shape', 'shape', [3]],
    ],
  );
  a.addOp(g, 'Square', 'sq', [['w', 0]], [['T', 'type', DT.float]]);
  a.addOp(
    g,
    'Const',
    'axis',
    [],
    [
      ['dtype', 'type', DT.int32],
      ['value', 'tensor', { dtype: DT.int32, shape: [], data: Int32Array.of(0) }],
    ],
  );
  a.addOp(
    g,
    'Sum',
    'loss',
    [
      ['sq', 0],
      ['axis', 0],
    ],
    [
      ['T', 'type', DT.float],
      ['Tidx', 'type', DT.int32],
    ],
  );
  return g;
}

const w123 = (): [string, number, number, number[], Float32Array] => ['w', 0, DT.float, [3], Float32Array.of(1, 2, 3)];

test(
  'a graph where a session belongs, a session where a graph belongs, or any other value: a TypeError naming both',
  { skip },
  () => {
    const g = squareGraph();
    const s = a.newSession(g);
    const asSession = g as unknown as SessionHandle;
    const asGraph = s as unknown as GraphHandle;
    assert.throws(
      () => a.runSync(asSession, [], [], []),
      addonError('TypeError', 'INVALID_ARGUMENT', /^runSync: expected a session, got a graph$/),
    );
    assert.throws(
      () => a.run(asSession, [], [], []),
      addonError('TypeError', 'INVALID_ARGUMENT', /^run: expected a session, got a graph$/),
    );
    assert.throws(
      () => a.closeSession(asSession),
      addonError('TypeError', 'INVALID_ARGUMENT', /^closeSession: expected a session, got a graph$/),
    );
    assert.throws(
      () => a.addOp(asGraph, 'NoOp', 'n', [], []),
      addonError('TypeError', 'INVALID_ARGUMENT', /^addOp: expected a graph, got a session$/),
    );
    assert.throws(
      () => a.newSession({} as GraphHandle),
      addonError('TypeError', 'INVALID_ARGUMENT', /^newSession: expected a graph, got another object$/),
    );
    assert.throws(
      () => a.graphDef(7 as unknown as GraphHandle),
      addonError('TypeError', 'INVALID_ARGUMENT', /^graphDef: expected a graph, got a number$/),
    );
    // Handles cannot be tampered with, and both still work after all this.
    assert.ok(Object.isFrozen(g) && Object.isFrozen(s));
    assert.deepEqual(Array.from(a.runSync(s, [w123()], [['loss', 0]], [])[0].data), [14]);
    a.closeSession(s);
  },
);

test(
  'a bad attribute is one error naming it; what TensorFlow refuses carries its code; nothing half-built stays in the graph',
  { skip },
  () => {
    const g = squareGraph();
    assert.throws(
      () => a.addOp(g, 'LeakyRelu', 'leaky', [['w', 0]], [['alpha', 'float', 'x']]),
      addonError(
        'TypeError',
        'INVALID_ARGUMENT',
        /^addOp LeakyRelu 'leaky': attribute alpha \(float\) must be a number, got a string$/,
      ),
    );
    assert.throws(
      () => a.addOp(g, 'LeakyRelu', 'leaky', [['w', 0]], [['alpha', 'double' as 'float', 0.1]]),
      addonError('TypeError', 'INVALID_ARGUMENT', /attribute alpha: unknown kind 'double'/),
    );
    assert.throws(
      () => a.addOp(g, 'LeakyRelu', 'leaky', [['w', 0]], [['T', 'type', 1.5]]),
      addonError('TypeError', 'INVALID_ARGUMENT', /attribute T \(type\) must be an integer/),
    );
    // Well-formed, but TensorFlow's op definition says otherwise.
    assert.throws(
      () => a.addOp(g, 'LeakyRelu', 'leaky', [['w', 0]], [['alpha', 'int', 1]]),
      addonError(
        'Error',
        'INVALID_ARGUMENT',
        /^addOp LeakyRelu 'leaky': AttrValue had value with type 'int' when 'float' expected/,
      ),
    );
    assert.throws(
      () => a.addOp(g, 'Square', 'sq2', [['nowhere', 0]], []),
      addonError('Error', 'NOT_FOUND', /input 0: no operation named 'nowhere'/),
    );
    assert.throws(
      () => a.addOp(g, 'Square', 'sq2', [['w', 1]], []),
      addonError('Error', 'OUT_OF_RANGE', /operation 'w' has 1 output\(s\), no output 1/),
    );
    assert.throws(
      () => a.addOp(g, 'NoOp', 'group', [], [], ['nowhere']),
      addonError('Error', 'NOT_FOUND', /control input: no operation named 'nowhere'/),
    );
    assert.throws(
      () => a.addOp(g, 'Square', 'sq', [['w', 0]], [['T', 'type', DT.float]]),
      addonError('Error', 'INVALID_ARGUMENT', /Duplicate node name in graph: 'sq'/),
    );
    // None of the refused ops took its name: each is added now, and the graph runs.
    a.addOp(
      g,
      'LeakyRelu',
      'leaky',
      [['w', 0]],
      [
        ['T', 'type', DT.float],
        ['alpha', 'float', 0.5],
      ],
    );
    a.addOp(g, 'NoOp', 'group', [], [], ['leaky']);
    const s = a.newSession(g);
    const [leaky] = a.runSync(s, [['w', 0, DT.float, [3], Float32Array.of(-2, 0, 3)]], [['leaky', 0]], ['group']);
    assert.deepEqual(Array.from(leaky.data), [-1, 0, 3]);
    a.closeSession(s);
  },
);

test(
  'a feed of the wrong data type or shape is refused before the run; an error during the run rejects with its code',
  { skip },
  async () => {
    const s = a.newSession(squareGraph());
    const fetch: [string, number][] = [['loss', 0]];
    assert.throws(
      () => a.runSync(s, [['w', 0, DT.int32, [3], Int32Array.of(1, 2, 3)]], fetch, []),
      addonError('Error', 'INVALID_ARGUMENT', /^runSync: feed 0 'w:0' has data type 1, the feed 3$/),
    );
    assert.throws(
      () => a.runSync(s, [['w', 0, DT.float, [3], Int32Array.of(1, 2, 3)]], fetch, []),
      addonError(
        'TypeError',
        'INVALID_ARGUMENT',
        /^runSync: feed 0 'w:0' data must be a Float32Array for data type 1$/,
      ),
    );
    assert.throws(
      () => a.runSync(s, [['w', 0, DT.float, [2], Float32Array.of(1, 2)]], fetch, []),
      addonError('Error', 'INVALID_ARGUMENT', /^runSync: feed 0 'w:0' has shape \[3\], the feed \[2\]$/),
    );
    assert.throws(
      () => a.runSync(s, [['w', 0, DT.float, [4], Float32Array.of(1, 2, 3)]], fetch, []),
      addonError('Error', 'INVALID_ARGUMENT', /^runSync: feed 0 'w:0': shape has 4 elements, the data 3$/),
    );
    assert.throws(
      () => a.runSync(s, [], [['loss', 3]], []),
      addonError('Error', 'OUT_OF_RANGE', /'loss' has 1 output/),
    );
    // The placeholder left unfed: TensorFlow's own error, from the other thread.
    await assert.rejects(
      a.run(s, [], fetch, []),
      addonError('Error', 'INVALID_ARGUMENT', /^run: You must feed a value for placeholder tensor 'w'/),
    );
    const [loss] = await a.run(s, [w123()], fetch, []);
    assert.deepEqual(Array.from(loss.data), [14], 'the session still works');
    a.closeSession(s);
  },
);

test('a closed session: run and runSync fail with FAILED_PRECONDITION; closing twice is harmless', { skip }, () => {
  const s = a.newSession(squareGraph());
  a.closeSession(s);
  a.closeSession(s);
  assert.throws(
    () => a.runSync(s, [w123()], [['loss', 0]], []),
    addonError('Error', 'FAILED_PRECONDITION', /^runSync: the session is closed$/),
  );
  assert.throws(
    () => a.run(s, [w123()], [['loss', 0]], []),
    addonError('Error', 'FAILED_PRECONDITION', /^run: the session is closed$/),
  );
});

const n = 384;
/** x (n x n) multiplied by itself eight times over: long enough to be mid-run when JS acts. */
function slowGraph(): GraphHandle {
  const g = a.newGraph();
  a.addOp(
    g,
    'Placeholder',
    'x',
    [],
    [
      ['dtype', 'type', DT.float],
      ['shape', 'shape', [n, n]],
    ],
  );
  for (let i = 0; i < 8; i++)
    a.addOp(
      g,
      'MatMul',
      `m${i}`,
      [
        [i ? `m${i - 1}` : 'x', 0],
        ['x', 0],
      ],
      [['T', 'type', DT.float]],
    );
  return g;
}
/** 2·I: its ninth power is 512·I. */
const twiceIdentity = () => {
  const x = new Float32Array(n * n);
  for (let i = 0; i < n; i++) x[i * n + i] = 2;
  return x;
};
function assertNinthPower(data: ArrayLike<number>) {
  assert.equal(data.length, n * n);
  for (const [i, j] of [
    [0, 0],
    [0, 1],
    [n - 1, n - 1],
    [n - 1, 0],
    [7, 7],
  ])
    assert.equal(data[i * n + j], i === j ? 512 : 0, `[${i},${j}]`);
}

test(
  'closing a session, or dropping its handle or its graph, while a run is in flight: the run finishes with its results',
  { skip, timeout: 120_000 },
  async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const x = twiceIdentity();

    const closed = a.newSession(slowGraph());
    const running = a.run(closed, [['x', 0, DT.float, [n, n], x]], [['m7', 0]], []);
    a.closeSession(closed);
    assertNinthPower((await running)[0].data);
    assert.throws(() => a.runSync(closed, [], [['m7', 0]], []), addonError('Error', 'FAILED_PRECONDITION', /closed/));

    // Neither the session nor its graph has a JS reference left while this runs.
    let dropped: SessionHandle | undefined = a.newSession(slowGraph());
    const orphan = a.run(dropped, [['x', 0, DT.float, [n, n], x]], [['m7', 0]], []);
    dropped = undefined;
    gc();
    await new Promise((r) => setImmediate(r)); // finalizers that were deferred run here
    gc();
    assertNinthPower((await orphan)[0].data);
  },
);

test(
  '10,000 failed addOps leave the memory flat (a refused op frees its description)',
  { skip, timeout: 120_000 },
  () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const g = a.newGraph();
    a.addOp(
      g,
      'Const',
      'taken',
      [],
      [
        ['dtype', 'type', DT.float],
        ['value', 'tensor', { dtype: DT.float, shape: [], data: Float32Array.of(0) }],
      ],
    );
    // 64 KB of tensor per attempt: the descriptions of the third refused before TensorFlow
    // sees them, if left behind (as before this addon checked first), would show as ~200 MB.
    const value = { dtype: DT.float, shape: [16384], data: new Float32Array(16384).fill(1) };
    const codes = new Map<string, number>();
    const attempt = (i: number) => {
      const attrs: Parameters<GraphAddon['addOp']>[4] = [
        ['dtype', 'type', DT.float],
        ['value', 'tensor', value],
      ];
      try {
        if (i % 3 === 0)
          a.addOp(g, 'Const', `c${i}`, [], attrs, ['nowhere']); // refused before TensorFlow sees it
        else if (i % 3 === 1)
          a.addOp(g, 'Const', 'taken', [], attrs); // refused by TensorFlow: the name is taken
        else a.addOp(g, 'Const', `c${i}`, [], [['dtype', 'int', DT.float], attrs[1]]); // refused by TensorFlow: attr kind
        assert.fail(`attempt ${i} was accepted`);
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'none';
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    };
    for (let i = 0; i < 600; i++) attempt(i); // warm up TensorFlow's and V8's own allocations
    gc();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 10_000; i++) attempt(i);
    gc();
    const growthMb = (process.memoryUsage().rss - before) / 2 ** 20;
    console.log(`RSS growth over 10,000 failed addOps: ${growthMb.toFixed(1)} MB; codes ${JSON.stringify([...codes])}`);
    assert.deepEqual([...codes.keys()].sort(), ['INVALID_ARGUMENT', 'NOT_FOUND']);
    assert.ok(growthMb < 50, `RSS grew ${growthMb.toFixed(1)} MB`);
    const def = a.graphDef(g);
    assert.ok(!def.includes('c10'), 'no refused op is in the graph');
  },
);
