// Builds a TensorFlow graph op by op through the addon, with unique names,
// constants and resource variables. Knows nothing of layers or training.
import { Attr, DT, GraphAddon, GraphHandle, In, Out } from './addon';

export class GraphBuilder {
  readonly graph: GraphHandle;
  private readonly used = new Set<string>();

  constructor(readonly addon: GraphAddon) {
    this.graph = addon.newGraph();
  }

  /** A name TensorFlow accepts ([A-Za-z0-9.][A-Za-z0-9_.\-/]*), unique in the graph. */
  name(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/^[^A-Za-z0-9.]+/, '') || 'op';
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds an op; returns its first output (more with `out(name, i)`). */
  op(type: string, hint: string, inputs: In[], attrs: Attr[] = [], control: string[] = []): Out {
    const name = this.name(hint);
    this.addon.addOp(this.graph, type, name, inputs, attrs, control);
    return [name, 0];
  }

  /** `op` with the element type attribute T = float, as most math ops want. */
  f(type: string, hint: string, inputs: In[], attrs: Attr[] = []): Out {
    return this.op(type, hint, inputs, [['T', 'type', DT.float], ...attrs]);
  }

  floatConst(hint: string, values: number[] | Float32Array, shape: number[] = []): Out {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.op(
      'Const',
      hint,
      [],
      [
        ['dtype', 'type', DT.float],
        ['value', 'tensor', { dtype: DT.float, shape, data }],
      ],
    );
  }

  intConst(hint: string, values: number[], shape: number[] = [values.length]): Out {
    return this.op(
      'Const',
      hint,
      [],
      [
        ['dtype', 'type', DT.int32],
        ['value', 'tensor', { dtype: DT.int32, shape, data: Int32Array.from(values) }],
      ],
    );
  }

  placeholder(hint: string, dtype: number, shape: number[] | null): Out {
    return this.op(
      'Placeholder',
      hint,
      [],
      [
        ['dtype', 'type', dtype],
        ['shape', 'shape', shape],
      ],
    );
  }

  /** A float resource variable, its read and an initializer fed through a placeholder. */
  variable(hint: string, shape: number[]): Variable {
    const handle = this.op(
      'VarHandleOp',
      hint,
      [],
      [
        ['dtype', 'type', DT.float],
        ['shape', 'shape', shape],
        ['shared_name', 'string', this.name(`${hint}_shared`)],
      ],
    );
    const init = this.placeholder(`${hint}/init_value`, DT.float, shape);
    const assign = this.op('AssignVariableOp', `${hint}/init`, [handle, init], [['dtype', 'type', DT.float]]);
    const read = this.op('ReadVariableOp', `${hint}/read`, [handle], [['dtype', 'type', DT.float]]);
    return { handle, read, init, initOp: assign[0], shape };
  }

  /** An op that runs every op named in `deps` and produces nothing. */
  group(hint: string, deps: string[]): string {
    return this.op('NoOp', hint, [], [], deps)[0];
  }
}

export interface Variable {
  handle: Out;
  read: Out;
  /** Placeholder and op that set the variable's value. */
  init: Out;
  initOp: string;
  shape: number[];
}
