// Standalone SVG charts of a run's data, built as plain strings: no DOM, no
// chart library, no tfjs. They open in any browser or image viewer, embed in
// a README or an HTML report, and look like the panel's charts (same
// smoothing, same styles for training and test error) on a light theme by
// default or a dark one.
//
// This module gathers the public API; the code lives in:
//   svg/primitives.ts  themes, escaping, number formatting, the SVG document, viridis
//   svg/axes.ts        ticks, scales, axes, legend, polylines
//   decimate.ts        LTTB, bucket means, EMA
//   curvesSvg.ts       error, loss and learning-rate curves
//   heatmapSvg.ts      gradient norm heatmap
//   lesionSvg.ts       lesion study
//   responsesSvg.ts    layer responses
export {
  type ChartOptions,
  type ChartTheme,
  DARK_THEME,
  esc,
  LIGHT_THEME,
  n2,
  svgDocument,
  text,
  textWidth,
  themeOf,
  truncate,
  uid,
  viridis,
} from './svg/primitives';
export { type Axis, fmtNumber, innerTicks, type LegendItem, niceTicks, type SeriesStyle } from './svg/axes';
export { decimate, decimateMean, ema, type Point } from './decimate';
export {
  type CurveOptions,
  type CurveRun,
  errorCurvesSvg,
  lossCurvesSvg,
  lrSvg,
  metricSeries,
  type MetricSeries,
} from './curvesSvg';
export { gradientHeatmapSvg, type HeatmapOptions } from './heatmapSvg';
export { blockLabel, lesionBarsSvg } from './lesionSvg';
export { type ResponsesOptions, responsesSvg } from './responsesSvg';
