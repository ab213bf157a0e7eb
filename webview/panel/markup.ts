// The panel's page: controls, tabs (curves, confusion matrix, gradient flow, lesion study,
// gradient by path length, layer responses) and the diagram pane. Static: everything that varies is
// filled in by the modules that own each part, by element id.
export const PANEL_MARKUP = `
  <header>
    <h1 id="title">ResNet Lab</h1>
    <div class="controls">
      <button id="pause" title="Pause training">Pause</button>
      <button id="resume" title="Resume training">Resume</button>
      <button id="stop" class="danger" title="Stop and keep a checkpoint">Stop</button>
    </div>
  </header>
  <section id="stats" class="stats"></section>
  <section id="message" class="message" hidden></section>
  <section id="flags" class="flags" hidden></section>
  <nav class="tabs" role="tablist">
    <button role="tab" data-tab="curves" aria-selected="true">Curves</button>
    <button role="tab" data-tab="confusion" aria-selected="false">Confusion</button>
    <button role="tab" data-tab="gradients" aria-selected="false">Gradient flow</button>
    <button role="tab" data-tab="distributions" aria-selected="false">Distributions</button>
    <button role="tab" data-tab="lesion" aria-selected="false">Lesion study</button>
    <button role="tab" data-tab="paths" aria-selected="false">Paths</button>
    <button role="tab" data-tab="responses" aria-selected="false">Layer responses</button>
    <span class="exports" title="Export the chart in view, the run's data, report or trained model">
      Export: <button data-export="png">PNG</button><button data-export="svg">SVG</button><button data-export="csv">CSV</button><button data-export="report">Report</button><button data-export="model">Model</button><button data-export="diagram">Diagram SVG</button>
    </span>
  </nav>
  <main class="layout">
    <section class="tab-content">
      <section class="curves" data-tab-panel="curves">
        <div class="toolbar curve-tools">
          <label title="Exponential moving average of the training error, TensorBoard's weight: 0 is raw, 0.999 averages ~1000 iterations">Smoothing
            <input type="range" id="smoothing" min="0" max="0.999" step="0.001" value="0.95"></label>
          <span id="smoothing-value"></span>
          <button id="smoothing-auto" title="The default for this run's length">Auto</button>
          <button id="reset-zoom" title="Wheel zooms the iterations, dragging pans">Reset zoom</button>
          <span id="range-info" class="muted"></span>
        </div>
        <div class="chart tall"><canvas id="error-chart"></canvas></div>
        <div class="chart"><canvas id="loss-chart"></canvas></div>
        <div class="chart short"><canvas id="lr-chart"></canvas></div>
      </section>
      <section id="confusion" data-tab-panel="confusion" hidden></section>
      <section id="gradients" data-tab-panel="gradients" hidden></section>
      <section id="distributions" data-tab-panel="distributions" hidden></section>
      <section data-tab-panel="lesion" hidden>
        <div class="toolbar"><button id="run-lesion">Run lesion study</button>
          <label><input type="checkbox" id="lesion-mode"> click blocks in the diagram to delete them</label></div>
        <p id="lesion-status" class="muted">Deletes each residual block in turn (its output becomes its shortcut) and measures test error on the finished run.</p>
        <div id="lesion-charts"></div>
      </section>
      <section data-tab-panel="paths" hidden>
        <div class="toolbar"><button id="run-paths">Measure gradient by path length</button></div>
        <p id="paths-status" class="muted">Veit et al. 2016, Fig. 6: a net of n residual blocks is 2^n paths. For each length k, the backward pass is let through k residual branches and the shortcut elsewhere, and the gradient reaching the input is measured on test images.</p>
        <div id="paths-charts"></div>
      </section>
      <section data-tab-panel="responses" hidden>
        <div class="toolbar"><button id="run-responses">Measure responses</button></div>
        <p id="responses-status" class="muted">Standard deviation of each 3×3 layer's output after batch norm, on test images. Compare a plain and a residual run to see Fig. 7.</p>
        <div id="responses-charts"></div>
      </section>
    </section>
    <section class="diagram-pane">
      <div class="diagram-tools"><button id="collapse">Collapse blocks</button><button id="expand">Expand all</button><button id="unravel" aria-pressed="false" title="The net as its paths from input to output (Veit et al. 2016)">Unravel</button></div>
      <div id="diagram"><p class="muted">The layer diagram appears when the model is built.</p></div>
    </section>
  </main>`;
