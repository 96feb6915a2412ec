// Inline SVG charts: stacked horizontal bars, vertical bars, a ring.

import { h, s, fmtNumber } from './util.js';

// scale picks round ticks for counts: a step of 1, 2 or 5 times a power
// of ten, about four of them up to v.
function scale(v) {
  v = Math.max(4, v);
  const raw = v / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw));
  const max = Math.ceil(v / step) * step;
  const ticks = [];
  for (let x = 0; x <= max; x += step) ticks.push(x);
  return { max, ticks };
}

export function legend(series) {
  return h('div', { class: 'legend' }, series.map((x) => h('span', null, h('i', { style: `background:${x.color}` }), x.label)));
}

// hbars draws one stacked bar per row: rows [{label, values: [..]}],
// series [{label, color}].
export function hbars(rows, series, { labelWidth = 230, width = 720, bar = 16, gap = 7 } = {}) {
  const { max, ticks } = scale(Math.max(...rows.map((r) => r.values.reduce((a, b) => a + b, 0))));
  const plot = width - labelWidth - 50;
  const height = rows.length * (bar + gap) + 26;
  const x = (v) => labelWidth + (v / max) * plot;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img' },
    ticks.map((v) => [
      s('line', { class: 'grid', x1: x(v), x2: x(v), y1: 0, y2: height - 20 }),
      s('text', { x: x(v), y: height - 6, 'text-anchor': 'middle' }, fmtNumber(v)),
    ]),
    rows.map((r, i) => {
      const y = i * (bar + gap) + 4;
      let acc = 0;
      const total = r.values.reduce((a, b) => a + b, 0);
      return [
        s('text', { x: labelWidth - 8, y: y + bar - 4, 'text-anchor': 'end' }, r.label.length > 34 ? r.label.slice(0, 33) + '…' : r.label),
        r.values.map((v, j) => {
          const el = s('rect', { x: x(acc), y, width: Math.max(0, x(acc + v) - x(acc)), height: bar, fill: series[j].color },
            s('title', null, `${r.label} — ${series[j].label}: ${fmtNumber(v)}`));
          acc += v;
          return el;
        }),
        s('text', { x: x(total) + 5, y: y + bar - 4 }, fmtNumber(total)),
      ];
    }),
    s('line', { class: 'axis', x1: labelWidth, x2: labelWidth, y1: 0, y2: height - 20 }));
  return h('div', null, legend(series), svg);
}

// vbars draws one bar per item: [{label, value, color}].
export function vbars(items, { width = 520, height = 220 } = {}) {
  const { max, ticks } = scale(Math.max(...items.map((i) => i.value)));
  const left = 34, bottom = 46, top = 14;
  const plotH = height - bottom - top;
  const step = (width - left - 10) / Math.max(1, items.length);
  const bw = Math.min(44, step * 0.62);
  const y = (v) => top + plotH - (v / max) * plotH;
  return s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img' },
    ticks.map((v) => [
      s('line', { class: 'grid', x1: left, x2: width - 6, y1: y(v), y2: y(v) }),
      s('text', { x: left - 5, y: y(v) + 4, 'text-anchor': 'end' }, fmtNumber(v)),
    ]),
    items.map((it, i) => {
      const cx = left + step * i + step / 2;
      return [
        s('rect', { x: cx - bw / 2, y: y(it.value), width: bw, height: Math.max(0, y(0) - y(it.value)), fill: it.color },
          s('title', null, `${it.label}: ${fmtNumber(it.value)}`)),
        s('text', { x: cx, y: y(it.value) - 4, 'text-anchor': 'middle' }, fmtNumber(it.value)),
        wrapLabel(it.label, cx, height - bottom + 14),
      ];
    }),
    s('line', { class: 'axis', x1: left, x2: width - 6, y1: y(0), y2: y(0) }));
}

function wrapLabel(label, x, y) {
  const words = label.split(' ');
  const lines = [];
  let cur = '';
  for (const w of words) {
    if ((cur + ' ' + w).trim().length > 12 && cur) { lines.push(cur); cur = w; } else cur = (cur + ' ' + w).trim();
  }
  if (cur) lines.push(cur);
  return s('text', { x, y, 'text-anchor': 'middle' }, lines.slice(0, 3).map((l, i) => s('tspan', { x, dy: i ? 13 : 0 }, l)));
}

// ring draws parts of a whole: [{label, value, color}].
export function ring(parts, { size = 200, title = '' } = {}) {
  const total = parts.reduce((a, p) => a + p.value, 0);
  const r = size / 2 - 14, c = size / 2, w = 26;
  let a0 = -Math.PI / 2;
  const arcs = [];
  for (const p of parts) {
    if (!p.value) continue;
    const a1 = a0 + (p.value / total) * Math.PI * 2;
    if (p.value === total) {
      arcs.push(s('circle', { cx: c, cy: c, r, fill: 'none', stroke: p.color, 'stroke-width': w }, s('title', null, `${p.label}: ${fmtNumber(p.value)}`)));
    } else {
      const large = a1 - a0 > Math.PI ? 1 : 0;
      const d = `M ${c + r * Math.cos(a0)} ${c + r * Math.sin(a0)} A ${r} ${r} 0 ${large} 1 ${c + r * Math.cos(a1)} ${c + r * Math.sin(a1)}`;
      arcs.push(s('path', { d, fill: 'none', stroke: p.color, 'stroke-width': w }, s('title', null, `${p.label}: ${fmtNumber(p.value)}`)));
    }
    a0 = a1;
  }
  if (!total) arcs.push(s('circle', { cx: c, cy: c, r, fill: 'none', stroke: '#e3e6ea', 'stroke-width': w }));
  return h('div', { style: 'display:flex; gap:16px; align-items:center; flex-wrap:wrap' },
    s('svg', { class: 'chart', viewBox: `0 0 ${size} ${size}`, style: `width:${size}px`, role: 'img' },
      arcs,
      s('text', { x: c, y: c + 2, 'text-anchor': 'middle', style: 'font-size:22px;font-weight:600' }, fmtNumber(total)),
      s('text', { x: c, y: c + 20, 'text-anchor': 'middle' }, title)),
    h('div', { class: 'legend', style: 'flex-direction:column' },
      parts.map((p) => h('span', null, h('i', { style: `background:${p.color}` }), `${p.label}: ${fmtNumber(p.value)}`))));
}
