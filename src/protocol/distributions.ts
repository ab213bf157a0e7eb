// Distributions as the panel gets them (host -> webview): one series of
// quantile bands per layer, at most a chart's width of sampled iterations.
// Plain data; src/core/distributions/view.ts makes it from the run folder.

/** The quantile levels of every series' rows (TensorBoard's bands), lowest first. */
export const DISTRIBUTION_LEVELS = [0, 7, 16, 31, 50, 69, 84, 93, 100] as const;

export interface DistributionSeries {
  name: string;
  /** `weights`: a layer's kernel; `activations`: a block's output on the probe batch. */
  kind: 'weights' | 'activations';
  /** One row of DISTRIBUTION_LEVELS quantiles per iteration of the view (empty: not recorded then; null: not a number). */
  q: (number | null)[][];
  /** After a ReLU: the share of zeros at each iteration ("dead" units). */
  zeros?: (number | null)[];
}

export interface DistributionView {
  iterations: number[];
  series: DistributionSeries[];
  /** Records in the run folder (the view shows at most a chart's width of them). */
  records: number;
}
