// A run as one self-contained HTML page: inline CSS and inline SVG, no
// scripts, no external resources. It opens in any browser without VS Code
// and can be mailed, archived or linked from a README.
import { findShortcuts } from '../graph/shortcuts';
import { milestones } from '../train/schedule';
import type { MetricRecord } from '../runs/metricRecords';
import { loadRun, RunData, skippedNotes } from '../runs/runData';
import { runBackendLabel, type RunInfo } from '../runs/runFolder';
import { confusionSection } from './confusionSection';
import { diagramSvg } from './diagramSvg';
import { errorCurvesSvg, lossCurvesSvg, lrSvg } from './curvesSvg';
import { gradientHeatmapSvg } from './heatmapSvg';
import { distributionsSection } from './distributionReport';
import { lesionBarsSvg } from './lesionSvg';
import { pathsSvg } from './pathsSvg';
import { responsesSvg } from './responsesSvg';
import { runLabel } from './runLabels';
import { ChartTheme, esc, themeOf } from './svg/primitives';

// ---------------------------------------------------------------------------
// Numbers as text

const pct = (x: number | null | undefined, digits = 2) =>
  x == null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(digits)}%`;
const num = (x: number | null | undefined, digits = 4) =>
  x == null || !Number.isFinite(x) ? '–' : Number(x.toPrecision(digits)).toString();
const int = (x: number | null | undefined) =>
  x == null || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '–';
  const h = Math.floor(seconds / 3600),
    m = Math.floor((seconds % 3600) / 60),
    s = Math.round(seconds % 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
}

export interface FinalErrors {
  iteration: number | null;
  trainError: number | null;
  testError: number | null;
  bestTestError: number | null;
  bestEpoch: number | null;
}

/** The run's final errors: run.json's `final` when it has one, else the last epoch record. */
export function finalErrors(info: RunInfo, metrics: MetricRecord[]): FinalErrors {
  const epochs = metrics.filter((m) => m.type === 'epoch');
  const last = epochs[epochs.length - 1];
  let best: MetricRecord | undefined;
  for (const e of epochs)
    if (e.testError !== undefined && (best?.testError === undefined || e.testError < best.testError)) best = e;
  return {
    iteration: info.final?.iteration ?? last?.iteration ?? null,
    trainError: info.final?.trainError ?? last?.trainError ?? null,
    testError: info.final?.testError ?? last?.testError ?? null,
    bestTestError: best?.testError ?? null,
    bestEpoch: best?.epoch ?? null,
  };
}

/** Where the learning rate changed, from the recorded iterations: "0.1 → 0.01 from 32,001 → 0.001 from 48,001". */
export function lrChanges(metrics: MetricRecord[]): string {
  const parts: string[] = [];
  let prev: number | undefined;
  for (const m of metrics) {
    if (m.type !== 'iteration' || m.lr === undefined) continue;
    if (prev === undefined) parts.push(num(m.lr));
    else if (Math.abs(m.lr - prev) > 1e-12 * Math.max(1, Math.abs(prev)))
      parts.push(`${num(m.lr)} from ${int(m.iteration)}`);
    prev = m.lr;
    if (parts.length > 12) {
      parts.push('…');
      break;
    }
  }
  return parts.join(' → ');
}

function recipeRows(info: RunInfo, metrics: MetricRecord[], timing: [string, string][]): [string, string][] {
  const r = info.recipe;
  const d = info.dataset;
  const data = d
    ? `${d.name} (${d.inputShape?.join('×') ?? '?'}, ${d.classNames?.length ?? '?'} classes): ${int(d.train)} training${d.validation ? `, ${int(d.validation)} validation` : ''}, ${int(d.test)} test images`
    : (r?.data?.name ?? '–');
  const rows: [string, string][] = [['data', data]];
  if (d?.source) rows.push(['data source', d.source]);
  if (r) {
    rows.push([
      'length',
      `${int(info.epochs)} epochs × ${int(info.iterationsPerEpoch)} iterations = ${int(info.totalIterations)} iterations`,
    ]);
    rows.push(['mini-batch', int(r.batchSize)]);
    const o = r.optimizer;
    rows.push(['optimizer', `SGD, momentum ${num(o.momentum)}, weight decay ${num(o.weightDecay)}`]);
    const ms = milestones(r, info.totalIterations);
    let schedule = `${num(o.lr)}, ×${num(r.schedule?.gamma ?? 0.1)} after iteration${ms.length > 1 ? 's' : ''} ${ms.map(int).join(', ')}${r.schedule?.milestones ? '' : ' (50% and 75% of the run)'}`;
    if (r.schedule?.warmup)
      schedule += `; warm-up at ${num(r.schedule.warmup.lr)}${r.schedule.warmup.untilTrainError ? ` until training error < ${pct(r.schedule.warmup.untilTrainError, 0)}` : ''}`;
    rows.push(['learning rate', schedule]);
    const seen = lrChanges(metrics);
    if (seen) rows.push(['learning rate, as run', seen]);
    rows.push([
      'augmentation',
      r.augment ? `${r.augment.pad}-pixel pad and random crop${r.augment.flip ? ', horizontal flip' : ''}` : 'none',
    ]);
    rows.push(['seed', String(r.seed)]);
  }
  return [...rows, ...timing];
}

function table(rows: [string, string][], cls = 'kv'): string {
  return `<table class="${cls}">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

/** An SVG for inlining in HTML: the namespace declaration is implied there. */
const inline = (svg: string) => svg.replace(' xmlns="http://www.w3.org/2000/svg"', '');

function figure(svg: string, caption: string): string {
  return `<figure>${inline(svg)}<figcaption>${esc(caption)}</figcaption></figure>`;
}

function css(t: ChartTheme): string {
  return `
:root { color-scheme: ${t.name}; }
body { margin: 0; background: ${t.background}; color: ${t.foreground}; font: 14px/1.45 ${t.font}; }
main { max-width: 1060px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 2px; }
h2 { font-size: 18px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid ${t.grid}; }
.sub { color: ${t.muted}; margin: 0 0 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 6px; }
.card { border: 1px solid ${t.grid}; border-radius: 8px; padding: 10px 14px; min-width: 140px; }
.card .k { color: ${t.muted}; font-size: 12px; }
.card .v { font-size: 22px; font-weight: 600; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.status.finished { color: ${t.series[2]}; } .status.failed, .status.diverged { color: ${t.series[1]}; }
.status.stopped, .status.interrupted, .status.running { color: ${t.series[3]}; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 28px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; font-size: 13px; }
table.kv th { text-align: left; font-weight: 500; color: ${t.muted}; padding: 3px 16px 3px 0; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 3px 0; }
table.epochs { width: 100%; font-variant-numeric: tabular-nums; }
table.epochs th, table.epochs td { padding: 4px 10px; text-align: right; border-bottom: 1px solid ${t.grid}; }
table.epochs th { color: ${t.muted}; font-weight: 500; }
table.epochs tr.best td { font-weight: 600; }
figure { margin: 14px 0 22px; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; display: block; }
figure.diagram svg { max-width: none; }
figcaption { color: ${t.muted}; font-size: 12px; margin-top: 4px; }
.note { color: ${t.muted}; }
code { font-size: 12.5px; }
summary { cursor: pointer; color: ${t.muted}; margin-bottom: 6px; }
nav { margin: 26px 0 0; font-size: 13px; color: ${t.muted}; }
a { color: ${t.accent}; text-decoration: none; }
footer { margin-top: 40px; color: ${t.muted}; font-size: 12px; }
`;
}

export interface HtmlReportOptions {
  dark?: boolean;
  /** Points per curve at most; default 2000. */
  maxPoints?: number;
  /** The page's time stamp (tests pass a fixed one). */
  now?: Date;
}

/** The report of a run folder as one HTML page (see `htmlReportOf` for already-loaded data). */
/** Images per second, the median over iterations (compilation and evaluation pauses do not move it). */
export function medianSpeed(metrics: MetricRecord[]): number | undefined {
  const speeds = metrics
    .filter((m) => m.type === 'iteration')
    .map((m) => m.imagesPerSec)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  return speeds.length ? speeds[Math.floor(speeds.length / 2)] : undefined;
}

/** The report's one line for a terminal: what ran where, how far, how fast, and its errors. */
export function reportSummary({ info, metrics }: RunData): string {
  const fin = finalErrors(info, metrics);
  const speed = medianSpeed(metrics);
  return [
    `${info.experiment} (${info.status})`,
    runBackendLabel(info),
    `${int(fin.iteration ?? 0)} of ${int(info.totalIterations)} iterations`,
    speed ? `${int(speed)} images/s (median)` : undefined,
    `test error ${pct(fin.testError)}`,
    `training error ${pct(fin.trainError)}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function htmlReport(runDir: string, options: HtmlReportOptions = {}): string {
  return htmlReportOf(loadRun(runDir), options);
}

export function htmlReportOf(run: RunData, options: HtmlReportOptions = {}): string {
  const t = themeOf(options);
  const { info, metrics } = run;
  const label = runLabel(info);
  const fin = finalErrors(info, metrics);
  const s = info.summary;
  const shortcuts = info.graph ? findShortcuts(info.graph) : [];
  const kinds = ['identity', 'padding', 'projection']
    .map((k) => [k, shortcuts.filter((x) => x.kind === k).length] as const)
    .filter(([, n]) => n > 0);
  const epochs = metrics.filter((m) => m.type === 'epoch');
  const iterations = metrics.filter((m) => m.type === 'iteration');
  const lastIteration = iterations[iterations.length - 1];
  const seconds = epochs.reduce((a, e) => a + (e.seconds ?? 0), 0);
  const speed = medianSpeed(metrics);
  const runs = [{ label, metrics }];
  const chartOpts = { dark: options.dark, maxPoints: options.maxPoints };
  const now = options.now ?? new Date();

  const html: string[] = [];
  html.push(
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">`,
  );
  html.push(
    `<title>${esc(`${info.experiment} · ${info.id} · ResNet Lab`)}</title>\n<style>${css(t)}</style>\n</head>\n<body>\n<main>`,
  );
  html.push(`<h1>${info.experiment === s?.name ? '' : `${esc(info.experiment)}: `}${esc(label)}</h1>`);
  html.push(
    `<p class="sub">run <code>${esc(info.id)}</code> · <span class="status ${esc(info.status)}">${esc(info.status)}</span> · started ${esc(info.createdAt?.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') ?? '–')} · backend ${esc(runBackendLabel(info))} · <code>${esc(info.file ?? '')}</code></p>`,
  );

  // Records that could not be read are left out, and the page says how many.
  for (const note of skippedNotes(run)) html.push(`<p class="sub">${esc(note)}</p>`);

  const progress = lastIteration
    ? `${int(fin.iteration ?? lastIteration.iteration)} of ${int(info.totalIterations)} iterations`
    : 'not started';
  html.push('<div class="cards">');
  const card = (k: string, v: string, cls = '') =>
    html.push(`<div class="card ${cls}"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`);
  card('final test error', pct(fin.testError), 'final-test');
  card('final training error', pct(fin.trainError), 'final-train');
  if (fin.bestTestError !== null && fin.bestTestError !== fin.testError)
    card(`best test error (epoch ${fin.bestEpoch})`, pct(fin.bestTestError));
  card('depth', s ? String(s.depth) : '–');
  card('parameters', s ? int(s.trainableParams) : '–');
  card('progress', progress);
  html.push('</div>');
  if (info.error) html.push(`<p class="note">error: ${esc(info.error)}</p>`);

  // Model and recipe side by side.
  html.push('<div class="grid2"><section><h2>Model</h2>');
  const modelRows: [string, string][] = s
    ? [
        ['name', s.name],
        ['depth', `${s.depth} weighted layers on the main path`],
        ['shortcuts', `${s.shortcuts}${kinds.length ? ` (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')})` : ''}`],
        [
          'parameters',
          `${int(s.trainableParams)} trainable${s.totalParams !== s.trainableParams ? `, ${int(s.totalParams)} in all` : ''}`,
        ],
        ['layers', `${info.graph?.nodes.length ?? s.layers.length} (tfjs layers, incl. BN, ReLU, Add)`],
      ]
    : [['name', info.experiment]];
  html.push(table(modelRows));
  html.push('</section><section><h2>Recipe</h2>');
  const timing: [string, string][] = [];
  if (seconds > 0) timing.push(['training time', `${duration(seconds)} (sum over epochs, test passes included)`]);
  if (speed) timing.push(['speed', `${int(speed)} images/s (median over iterations)`]);
  html.push(table(recipeRows(info, metrics, timing)));
  html.push('</section></div>');

  const sections: [string, string, boolean][] = [
    ['error', 'error curves', true],
    ['epochs', 'per epoch', epochs.length > 0],
    ['confusion', 'confusion matrix', run.confusion.length > 0],
    ['gradients', 'gradient norms', !!run.gradients],
    ['distributions', 'distributions', !!run.distributions?.length],
    ['lesion', 'lesion study', !!run.lesion],
    ['paths', 'gradient by path length', !!run.paths],
    ['responses', 'layer responses', !!run.responses],
    ['diagram', 'layer diagram', !!info.graph],
  ];
  html.push(
    `<nav>${sections
      .filter(([, , on]) => on)
      .map(([id, name]) => `<a href="#${id}">${name}</a>`)
      .join(' · ')}</nav>`,
  );
  html.push('<h2 id="error">Error</h2>');
  html.push(
    figure(
      errorCurvesSvg(runs, { ...chartOpts, title: '', width: 1000, height: 460 }),
      'Training error per mini-batch (faint), its exponential moving average (weight 0.95), and test error after each epoch.',
    ),
  );
  html.push('<div class="grid2">');
  html.push(
    figure(
      lossCurvesSvg(runs, { ...chartOpts, title: 'Loss', width: 520, height: 320 }),
      'Training loss per mini-batch (faint) and smoothed; test loss after each epoch.',
    ),
  );
  html.push(figure(lrSvg(runs, { ...chartOpts, width: 520, height: 320 }), 'Learning rate per iteration.'));
  html.push('</div>');

  if (epochs.length) {
    html.push('<h2 id="epochs">Per epoch</h2>');
    // Long tables start folded (a <details> element needs no script).
    html.push(
      `<details${epochs.length <= 40 ? ' open' : ''}><summary>${epochs.length} epoch${epochs.length === 1 ? '' : 's'}</summary>`,
    );
    const hasVal = epochs.some((e) => e.valError !== undefined);
    html.push(
      `<table class="epochs"><thead><tr><th>epoch</th><th>iteration</th><th>training loss</th><th>training error</th><th>test loss</th><th>test error</th>${hasVal ? '<th>validation error</th>' : ''}<th>seconds</th></tr></thead><tbody>`,
    );
    for (const e of epochs) {
      const best = fin.bestEpoch === e.epoch ? ' class="best"' : '';
      html.push(
        `<tr${best}><td>${e.epoch}</td><td>${int(e.iteration)}</td><td>${num(e.trainLoss)}</td><td>${pct(e.trainError)}</td><td>${num(e.testLoss)}</td><td>${pct(e.testError)}</td>${hasVal ? `<td>${pct(e.valError)}</td>` : ''}<td>${e.seconds !== undefined ? e.seconds.toFixed(1) : '–'}</td></tr>`,
      );
    }
    html.push('</tbody></table></details>');
    if (fin.bestEpoch !== null) html.push(`<p class="note">Bold: the epoch with the lowest test error.</p>`);
  }

  html.push(confusionSection(run.confusion, info.dataset?.classNames, options));
  if (run.gradients) {
    html.push('<h2 id="gradients">Gradient norms</h2>');
    html.push(
      figure(
        gradientHeatmapSvg(run.gradients, '', { ...chartOpts, title: '' }),
        `Norm of each layer's gradient (all its weights), every ${info.recipe?.gradientNormEvery ?? 'N'} iterations; rows from the input (bottom) to the output (top), log scale.`,
      ),
    );
  }
  if (run.distributions?.length) html.push(distributionsSection(run.distributions, info, t));
  if (run.lesion) {
    html.push('<h2 id="lesion">Lesion study</h2>');
    html.push(
      figure(
        lesionBarsSvg(run.lesion, { ...chartOpts, title: '' }),
        `Test error on ${int(run.lesion.testExamples)} images with residual blocks deleted at test time (Veit et al. 2016): one at a time (left) and k at random (right).`,
      ),
    );
  }
  if (run.paths) {
    const { from, to, share } = run.paths.effective;
    html.push('<h2 id="paths">Gradient by path length</h2>');
    html.push(
      figure(
        pathsSvg(run.paths, { ...chartOpts, title: '' }),
        `The net unraveled into its 2^${run.paths.blocks.length} paths (Veit et al. 2016, Fig. 6): how many paths have each length k (k residual branches, the shortcut elsewhere), the gradient one such path brings to the input (|d loss / d input|, mean over ${int(run.paths.testExamples)} test images and up to ${run.paths.samples} paths per length), and their product. The central ${Math.round(100 * share)}% of the total gradient comes from lengths ${from}–${to} (shaded); it peaks at ${run.paths.peak}.`,
      ),
    );
  }
  if (run.responses) {
    html.push('<h2 id="responses">Layer responses</h2>');
    html.push('<div class="grid2">');
    html.push(
      figure(
        responsesSvg([{ label, result: run.responses }], {
          ...chartOpts,
          title: 'Original order',
          width: 520,
          height: 340,
        }),
        "Std of each 3×3 layer's response after BN, before the nonlinearity (He et al. 2015, Fig. 7).",
      ),
    );
    html.push(
      figure(
        responsesSvg([{ label, result: run.responses }], {
          ...chartOpts,
          sorted: true,
          title: 'Sorted by magnitude',
          width: 520,
          height: 340,
        }),
        `Measured on ${int(run.responses.testExamples)} test images.`,
      ),
    );
    html.push('</div>');
  }
  if (info.graph) {
    html.push('<h2 id="diagram">Layer diagram</h2>');
    html.push(
      `<figure class="diagram">${inline(diagramSvg(info.graph, { dark: options.dark, summary: s }))}<figcaption>Main path top to bottom; shortcuts on the right. ${info.graph.nodes.length > 60 ? 'Blocks are collapsed; ' : ''}Dotted lines mark where the feature map size changes.</figcaption></figure>`,
    );
  }

  html.push(
    `<footer>Generated by ResNet Lab from <code>${esc(run.dir)}</code> on ${esc(
      now
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC'),
    )}.</footer>`,
  );
  html.push('</main>\n</body>\n</html>\n');
  return html.join('\n');
}
