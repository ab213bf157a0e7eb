// The identity panel's app (He et al. 2015, Sec. 3.1): the same figure the
// CLI writes (src/core/report/identitySvg.ts) in the editor's colours, and
// the CLI's summary of losses and per-block distances beside it.
import { identityReport } from '../../src/core/experiments/identitySummary';
import type { IdentityHostMessage, IdentityPanelMessage, IdentityResult } from '../../src/protocol/identity';
import { identitySvg } from '../../src/core/report/identitySvg';
import type { ChartTheme } from '../../src/core/report/svg/primitives';
import { hostChannel } from '../shared/vscodeApi';
import { onThemeChange, readTheme } from '../shared/theme';

const host = hostChannel<IdentityPanelMessage, IdentityHostMessage>();
const app = document.getElementById('app')!;
app.innerHTML = `
<h2 id="identity-title">Identity experiment</h2>
<p class="muted">Plain blocks must learn W → I; residual blocks only F → 0 (He et al. 2015, Sec. 3.1).</p>
<div id="identity-figure" role="img" aria-label="loss curves and per-block distances"></div>
<pre id="identity-summary"></pre>
<p class="muted" id="identity-run"></p>`;

// The summary's table is wider than a narrow panel: it scrolls rather than wraps.
document.getElementById('identity-summary')!.style.overflowX = 'auto';

let shown: { folder: string; result: IdentityResult } | undefined;

function chartTheme(): ChartTheme {
  const t = readTheme();
  const dark =
    document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  return {
    name: dark ? 'dark' : 'light',
    background: t.background,
    foreground: t.foreground,
    muted: t.muted,
    grid: t.grid,
    axis: t.muted,
    accent: t.accent,
    series: t.series,
    font: getComputedStyle(document.body).fontFamily || 'sans-serif',
  };
}

function render(): void {
  if (!shown) return;
  const { result, folder } = shown;
  const figure = document.getElementById('identity-figure')!;
  // Our own SVG, every text in it escaped (svg/primitives.ts): no markup from the run folder gets through.
  // Drawn at the panel's width, so that its text stays readable: one row when wide, stacked when narrow.
  const width = Math.max(420, Math.min(1600, figure.clientWidth || 1200));
  const layout = width >= 1000 ? 'row' : 'stacked';
  figure.innerHTML = identitySvg(result, { theme: chartTheme(), width, layout });
  // webview.css gives the panel's canvas charts (.chart) a fixed height: this one keeps its own.
  const svg = figure.querySelector('svg');
  if (svg) {
    svg.style.height = 'auto';
    svg.style.maxWidth = '100%';
  }
  document.getElementById('identity-title')!.textContent =
    `Identity experiment: ${result.experiment} (${result.config.blocks} blocks, width ${result.config.width})`;
  document.getElementById('identity-summary')!.textContent = identityReport(result).join('\n');
  document.getElementById('identity-run')!.textContent = `run folder: ${folder}`;
  document.body.dataset.identityRecords = String(result.records.length);
}

host.onMessage((m) => {
  if (m.method !== 'identity/show') return;
  shown = m.params;
  render();
});
onThemeChange(render);
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(render, 150);
});
host.send({ method: 'webview/ready' });
