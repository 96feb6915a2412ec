// Statistics of the subtree: headcounts, exemption rates, movements of a
// period, ratings of a year, with charts.

import { h, fmtDate, fmtNumber, fmtPercent, parseDate, yearOf } from '../util.js';
import { t } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { st } from '../state.js';
import { pageHead, panel, grid, row, td } from '../shell.js';
import { control } from '../forms.js';
import { hbars, vbars, ring } from '../charts.js';
import { LEVEL_CODES } from '../state.js';

const C = { ok: '#2f6fb3', exempt: '#d08a1c', excellent: '#1d7a3a', good: '#5aa469', fulfilled: '#2f6fb3', not_fulfilled: '#c62828', unrated: '#b6bcc3' };
const MOVES = ['admitted', 'full', 'transferred_in', 'transferred_out', 'temporary_in', 'temporary_out', 'died', 'removed', 'expelled', 'resigned'];
const MOVE_COLORS = ['#1d7a3a', '#5aa469', '#2f6fb3', '#7aa6d6', '#6b5fb5', '#a99fe0', '#555d65', '#c62828', '#8e1a1a', '#d08a1c'];

function kpi(label, value, sub) {
  return h('div', { class: 'panel', style: 'margin:0' }, h('div', { class: 'pb' },
    h('div', { class: 'muted small' }, label), h('div', { style: 'font-size:24px;font-weight:600' }, value), sub ? h('div', { class: 'small muted' }, sub) : null));
}

export async function show(ctx) {
  const from = ctx.query.get('from') || `${yearOf(st.today)}-01-01`;
  const to = ctx.query.get('to') || st.today;
  const f = control({ name: 'from', type: 'date' }, from);
  const tt = control({ name: 'to', type: 'date' }, to);
  const toolbar = h('form', { class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); ctx.go('stats', { from: parseDate(f.value) || from, to: parseDate(tt.value) || to }); } },
    h('label', null, t('sf.from'), f), h('label', null, t('st.to'), tt), h('button', { class: 'btn', type: 'submit' }, t('show')));

  let data;
  try {
    data = await api(`/api/stats?from=${from}&to=${to}`);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
      return h('div', null, pageHead(t('st.title'), t('st.sub')), panel(null, [toolbar, h('div', { class: 'note-box', style: 'margin:10px' }, t('st.unavailable'))], { flush: true }));
    }
    throw e;
  }
  const T = data.total || {};
  const units = data.units || [];
  const shown = units.filter((u) => u.official || u.temporary || u.exempt);
  const y = data.rating_year;
  const R = T.ratings || {};
  const M = T.movements || {};

  return h('div', null,
    pageHead(t('st.title'), t('st.period', fmtDate(data.from), fmtDate(data.to))),
    panel(null, toolbar, { flush: true }),
    h('div', { class: 'cols3', style: 'grid-template-columns: repeat(4, minmax(0,1fr)); margin-bottom:14px' },
      kpi(t('st.official'), fmtNumber(T.official), t('st.probationary', fmtNumber(T.probationary))),
      kpi(t('st.exempt'), fmtNumber(T.exempt), t('st.rate', fmtPercent(T.exemption_rate))),
      kpi(t('st.temporary'), fmtNumber(T.temporary), t('st.temporaryNote')),
      kpi(t('st.rated', y), fmtNumber((R.excellent || 0) + (R.good || 0) + (R.fulfilled || 0) + (R.not_fulfilled || 0)), t('st.unrated', fmtNumber(R.unrated)))),
    h('div', { class: 'cols' },
      panel(t('st.byUnit'), shown.length ? hbars(shown.map((u) => ({ label: u.name, values: [Math.max(0, u.official - u.exempt), u.exempt] })),
        [{ label: t('st.active'), color: C.ok }, { label: t('st.exempt'), color: C.exempt }]) : h('div', { class: 'empty' }, t('st.noMembers')), { id: 'chart-units' }),
      panel(t('st.ratings', y), ring(['excellent', 'good', 'fulfilled', 'not_fulfilled', 'unrated'].map((l) => ({
        label: l === 'unrated' ? t('rt.unrated') : `${t('level.' + l)} (${LEVEL_CODES[l]})`, value: R[l] || 0, color: C[l] })), { title: t('st.members') }), { id: 'chart-ratings' })),
    panel(t('st.movements', fmtDate(data.from), fmtDate(data.to)), vbars(MOVES.map((k, i) => ({ label: t('mv.' + k), value: M[k] || 0, color: MOVE_COLORS[i] })), { width: 1100, height: 220 }), { id: 'chart-moves' }),
    panel(t('st.table'), h('div', { class: 'scroll' }, grid(
      [t('ex.unit'), [t('st.official'), 'num'], [t('status.probationary'), 'num'], [t('st.temporary'), 'num'], [t('st.exempt'), 'num'], [t('ex.rate'), 'num'],
        ...MOVES.map((k) => [t('mv.' + k), 'num']),
        ...['excellent', 'good', 'fulfilled', 'not_fulfilled'].map((l) => [LEVEL_CODES[l], 'num']), [t('rt.unrated'), 'num']],
      [...units, { ...T, name: t('st.total'), total: true }].map((u) => row([
        td(h('span', { style: `padding-left:${(u.depth || 0) * 14}px` }, u.name), 'nowrap'),
        td(fmtNumber(u.official), 'num'), td(fmtNumber(u.probationary), 'num'), td(fmtNumber(u.temporary), 'num'), td(fmtNumber(u.exempt), 'num'),
        td(fmtPercent(u.exemption_rate), 'num'),
        ...MOVES.map((k) => td(fmtNumber(u.movements?.[k]), 'num')),
        ...['excellent', 'good', 'fulfilled', 'not_fulfilled', 'unrated'].map((l) => td(fmtNumber(u.ratings?.[l]), 'num')),
      ], { class: [u.total && 'total', u.exemption_rate > 0.1 && !u.total && 'hot'].filter(Boolean).join(' ') })))), { flush: true }));
}
