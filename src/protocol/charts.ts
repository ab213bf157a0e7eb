// What the host sends the panel's charts: the training curves at the chart's
// width (src/core/report/curveView.ts makes them) and the gradient norms as
// one matrix (src/core/report/gradientMatrix.ts). Defined here, with the rest
// of the protocol, so the protocol imports nothing from the app.

/** [iteration, value] */
export type XY = [number, number];

export interface CurveView {
  from: number;
  to: number;
  /** Iterations in [from, to]: the webview shows how much one column holds. */
  count: number;
  /** The chart width in pixels this view was made for. */
  columns: number;
  smoothing: number;
  raw: XY[];
  smooth: XY[];
  loss: XY[];
  lr: XY[];
  test: XY[];
  /** The EMA's state after the last iteration, for records that arrive later. */
  ema: { m: number; w: number };
}

export interface GradientMatrix {
  layers: string[];
  iterations: number[];
  /** norms[record][layer], four significant digits. */
  norms: number[][];
}
