// The layer diagram as a standalone SVG string: the same layout as the VS
// Code panel (webview/panel/diagramLayout.ts) and the same drawing as
// webview/panel/diagram.ts, without a DOM. A column of layers read top to
// bottom; every shortcut its own arc on the right (identity solid, option A's
// zero-padding dashed, projections thick with a "proj" tag); dotted lines
// where the spatial size changes. Nets with more than 60 layers are drawn
// with their blocks collapsed, as the panel opens them.
import type { ModelGraph, ModelSummary } from '../../protocol/graph';
import {
  BOX_H,
  BOX_W,
  COL_W,
  edgePath,
  layoutGraph,
  Layout,
  LayoutNode,
  ROW_H,
  shortcutArc,
} from '../graph/diagramLayout';
import { ChartTheme, esc, n2, svgDocument, text, themeOf } from './svg/primitives';

const LEFT = 150;

export interface DiagramOptions {
  dark?: boolean;
  theme?: ChartTheme;
  /** 'auto' (default): blocks collapsed when the net has more than 60 layers. Or a list of groups to collapse. */
  collapse?: 'auto' | 'all' | 'none' | string[];
  /** The line above the diagram: name, depth, shortcuts, parameters. Computed from the graph when left out. */
  summary?: Pick<ModelSummary, 'name' | 'depth' | 'shortcuts' | 'trainableParams'>;
}

export function collapsedGroups(graph: ModelGraph, collapse: DiagramOptions['collapse'] = 'auto'): Set<string> {
  if (Array.isArray(collapse)) return new Set(collapse);
  if (collapse === 'none') return new Set();
  const groups = layoutGraph(graph, new Set()).groups;
  if (collapse === 'all') return new Set(groups);
  return graph.nodes.length > 60 ? new Set(groups) : new Set();
}

export function diagramSvg(graph: ModelGraph, options: DiagramOptions = {}): string {
  const t = themeOf(options);
  const layout: Layout = layoutGraph(graph, collapsedGroups(graph, options.collapse));
  const columns = Math.max(1, ...layout.nodes.map((n) => n.column + 1));
  const width = LEFT + columns * COL_W + 150;
  const top = 74;
  const height = top + 16 + layout.rows * ROW_H;
  const pos = new Map(layout.nodes.map((n) => [n.id, { x: LEFT + n.column * COL_W, y: top + n.row * ROW_H }]));
  const out: string[] = [];

  // Header: what the net is, and a key to the arcs.
  const s = options.summary;
  const params = s?.trainableParams ?? graph.nodes.reduce((a, n) => a + n.params, 0);
  const head = s
    ? `${s.name}: ${s.depth} weighted layers · ${s.shortcuts} shortcuts · ${params.toLocaleString('en-US')} parameters`
    : `${graph.name}: ${graph.nodes.length} layers · ${layout.shortcuts.length} shortcuts · ${params.toLocaleString('en-US')} parameters`;
  out.push(text(12, 22, head, { fill: t.foreground, 'font-size': 13, 'font-weight': 600, class: 'diagram-summary' }));
  const kinds = new Set(layout.shortcuts.map((x) => x.kind));
  let kx = 12;
  const key = (label: string, attrs: string) => {
    out.push(`<line x1="${kx}" y1="44" x2="${kx + 26}" y2="44" ${attrs}/>`);
    out.push(text(kx + 32, 48, label, { fill: t.muted, 'font-size': 11 }));
    kx += 32 + label.length * 6.4 + 18;
  };
  if (kinds.has('identity') || kinds.size === 0) key('identity shortcut', `stroke="${t.accent}" stroke-width="2"`);
  if (kinds.has('padding'))
    key('zero-padding shortcut (option A)', `stroke="${t.accent}" stroke-width="2" stroke-dasharray="6 4"`);
  if (kinds.has('projection')) key('projection shortcut', `stroke="${t.series[1]}" stroke-width="3"`);
  if (layout.nodes.some((n) => n.group))
    out.push(text(kx, 48, '▸ collapsed block', { fill: t.muted, 'font-size': 11 }));

  for (const st of layout.stages) {
    const y = top + st.row * ROW_H - 6;
    out.push(
      `<line class="stage-boundary" x1="4" x2="${width - 4}" y1="${y}" y2="${y}" stroke="${t.muted}" stroke-dasharray="2 4"/>`,
    );
    out.push(text(6, y - 3, st.label, { fill: t.muted, 'font-size': 10 }));
  }
  for (const e of layout.edges) {
    const a = pos.get(e.from),
      b = pos.get(e.to);
    if (!a || !b) continue;
    out.push(`<path class="edge" d="${edgePath(a, b)}" fill="none" stroke="${t.muted}" stroke-width="1.2"/>`);
  }
  layout.shortcuts.forEach((sc, i) => {
    const a = pos.get(sc.fromBox),
      b = pos.get(sc.toBox);
    if (!a || !b) return;
    const arc = shortcutArc(a, b, i);
    const proj = sc.kind === 'projection';
    const tip = `${sc.kind} shortcut ${sc.from} → ${sc.to}${sc.via.length ? ` via ${sc.via.join(', ')}` : ''}; skips ${sc.skips.length} layers`;
    out.push(
      `<path class="shortcut shortcut-${sc.kind}" data-kind="${sc.kind}" data-from="${esc(sc.from)}" data-to="${esc(sc.to)}" ` +
        `d="${arc.d}" fill="none" ` +
        `stroke="${proj ? t.series[1] : t.accent}" stroke-width="${proj ? 3 : 2}"${sc.kind === 'padding' ? ' stroke-dasharray="6 4"' : ''}><title>${esc(tip)}</title></path>`,
    );
    if (sc.kind !== 'identity') {
      out.push(text(arc.label.x + 4, arc.label.y + 4, proj ? 'proj' : 'pad', { fill: t.muted, 'font-size': 10 }));
    }
    const { x, y } = arc.end;
    out.push(
      `<path d="M${n2(x + 7)},${n2(y - 4)} L${n2(x)},${n2(y)} L${n2(x + 7)},${n2(y + 4)}" fill="none" stroke="${proj ? t.series[1] : t.accent}" stroke-width="1.5"/>`,
    );
  });
  for (const n of layout.nodes) out.push(box(n, pos.get(n.id)!, t));
  return svgDocument(width, height, t, out.join('\n') + '\n', {
    class: 'diagram',
    'data-shortcuts': layout.shortcuts.length,
  });
}

function box(n: LayoutNode, p: { x: number; y: number }, t: ChartTheme): string {
  const isAdd = n.detail === 'Add';
  const stroke = isAdd ? t.accent : n.group ? t.series[2] : t.muted;
  const label = `${n.group ? '▸ ' : ''}${n.label}`.slice(0, 34);
  const detail = `${n.detail} · ${n.shape}${n.params ? ` · ${n.params.toLocaleString('en-US')} p` : ''}`.slice(0, 42);
  const tip = n.group ? `${n.group}: ${n.members.join(', ')}` : `${n.id} (${n.detail})`;
  return (
    `<g class="node${n.group ? ' block' : ''}" data-id="${esc(n.id)}" transform="translate(${p.x},${p.y})"><title>${esc(tip)}</title>` +
    `<rect width="${BOX_W}" height="${BOX_H}" rx="${n.group ? 8 : 4}" fill="${t.background}" stroke="${stroke}" stroke-width="${isAdd || n.group ? 2 : 1}"/>` +
    text(8, 14, label, { fill: t.foreground, 'font-size': 11, 'font-weight': n.group ? 600 : 400 }) +
    text(8, 28, detail, { fill: t.muted, 'font-size': 10 }) +
    '</g>'
  );
}
