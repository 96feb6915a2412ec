// Year-end ratings (366-QĐ/TW): score → level, per member, for a year.

import { h, fmtNumber, yearOf, sortByName } from '../util.js';
import { t } from '../i18n.js';
import { api, step } from '../api.js';
import { st, cname, subtree, ratingFor, levelForScore, exemptionCovers, LEVEL_CODES } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink, toast } from '../shell.js';
import { submitting, errorText } from '../forms.js';
import { ratingYear } from '../steps.js';
import { commentFor } from './residence.js';

export const LEVELS = ['excellent', 'good', 'fulfilled', 'not_fulfilled'];
const QUOTA = 0.20;
// MAX_ROWS members at most are listed for entry: above that, a unit below
// is chosen (a province's members are a hundred thousand).
const MAX_ROWS = 2000;

function yearComment(m, year) {
  for (const r of m.residence || []) {
    const c = commentFor(r, year);
    if (c) return c;
  }
  return null;
}

export async function show(ctx) {
  const year = +(ctx.query.get('year') || ratingYear());
  const units = subtree();
  const unit = units.some((c) => c.id === ctx.query.get('unit')) ? ctx.query.get('unit') : st.me;
  const members = await api('/api/members?under=' + encodeURIComponent(unit) + '&limit=' + (MAX_ROWS + 1));
  const tooMany = members.length > MAX_ROWS;
  sortByName(members);
  const end = `${year}-12-31`;
  const rows = tooMany ? [] : members.filter((m) => m.status !== 'left' && !(m.fields.admitted && m.fields.admitted > end));
  const exempt = (m) => (m.exemptions || []).some((e) => exemptionCovers(e, end));
  const counts = { excellent: 0, good: 0, fulfilled: 0, not_fulfilled: 0, unrated: 0, exempt: 0 };
  for (const m of rows) {
    const r = ratingFor(m, year);
    if (r) counts[r.level]++;
    else if (exempt(m)) counts.exempt++;
    else counts.unrated++;
  }
  const decision = h('input', { type: 'text', name: 'decision', style: 'width:260px' });
  const cur = yearOf(st.today);
  const sel = h('select', { onchange: () => ctx.go('ratings', { year: sel.value, unit: unit === st.me ? '' : unit }) },
    [cur, cur - 1, cur - 2, cur - 3].map((y) => h('option', { value: y, selected: y === year }, String(y))));
  const base = st.status.committee?.depth || 0;
  const unitSel = h('select', { name: 'unit', onchange: () => ctx.go('ratings', { year, unit: unitSel.value === st.me ? '' : unitSel.value }) },
    units.map((c) => h('option', { value: c.id, selected: c.id === unit }, '\u00a0'.repeat(2 * Math.max(0, c.depth - base)) + c.name)));

  const entries = [];
  const body = rows.map((m, i) => {
    const r = ratingFor(m, year);
    const c = yearComment(m, year);
    if (exempt(m) && !r) {
      return row([td(String(i + 1), 'num'), memberLink(m.id, m.fields.name), cname(m.home), '', '', td(badge(t('rt.exempt'), 'exempt'), null, { colspan: 3 })], { 'data-member': m.id });
    }
    const score = h('input', { type: 'number', class: 'score', min: 0, max: 100, name: 'score', value: r ? r.score : '' });
    const level = h('span');
    const showLevel = () => {
      const v = score.value === '' ? null : levelForScore(Number(score.value));
      level.replaceChildren(v ? badge(`${t('level.' + v)} (${LEVEL_CODES[v]})`, v) : '');
    };
    score.addEventListener('input', showLevel);
    showLevel();
    entries.push({ m, score, r, c });
    return row([td(String(i + 1), 'num'), memberLink(m.id, m.fields.name), cname(m.home),
      c ? badge(c.fulfilled ? t('comment.fulfilled') : t('comment.notFulfilled'), c.fulfilled ? 'ok' : 'bad') : h('span', { class: 'muted' }, '—'),
      r ? `${r.score} — ${LEVEL_CODES[r.level]}` : h('span', { class: 'muted' }, t('rt.none')),
      score, level, r?.decision || ''], { 'data-member': m.id });
  });
  const status = h('span', { class: 'hint' });
  const form = h('form', { 'data-form': 'ratings', novalidate: true },
    h('div', { class: 'toolbar' }, h('label', null, t('ex.unit'), unitSel), h('label', null, t('sf.year'), sel), h('label', null, t('sf.decision'), decision),
      h('span', { class: 'hint' }, t('rating.scale'))),
    tooMany ? h('div', { class: 'warn-box', style: 'margin:0 10px 10px', 'data-too-many': '' }, t('rt.tooMany', fmtNumber(MAX_ROWS))) : null,
    grid([['#', 'num'], t('field.name'), t('ex.unit'), t('rt.residenceComment'), t('rt.current'), t('sf.score'), t('rating.level'), t('sf.decision')], body, { empty: t('rt.noMembers') }),
    h('div', { class: 'form-actions', style: 'padding:0 10px 10px' }, h('button', { class: 'btn primary', type: 'submit' }, t('rt.save')), status));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const todo = entries.filter((e) => e.score.value !== '' && (!e.r || e.r.score !== Number(e.score.value)));
      const failed = [];
      let n = 0;
      for (const e of todo) {
        const score = Number(e.score.value);
        if (!Number.isInteger(score) || score < 0 || score > 100) { e.score.classList.add('invalid'); failed.push(`${e.m.fields.name}: ${t('rt.badScore')}`); continue; }
        const body = { year, score, level: levelForScore(score), date: st.today };
        if (decision.value.trim()) body.decision = decision.value.trim();
        if (e.c) body.comment = e.c.op;
        status.textContent = t('res.saving', n + 1);
        try { await step(e.m.id, 'rating', body); n++; } catch (err) { failed.push(`${e.m.fields.name}: ${errorText(err)}`); }
      }
      if (failed.length) throw new Error(failed.join('; '));
      toast(t('rt.saved', n, year));
      await ctx.rerender();
    });
  });

  const over = counts.excellent > QUOTA * counts.good;
  return h('div', null,
    pageHead(t('rt.title', year), t('rt.sub')),
    h('div', { class: 'cols3', style: 'margin-bottom:14px' },
      panel(t('rt.summary'), h('table', { class: 'kv' }, h('tbody', null,
        LEVELS.map((l) => h('tr', null, h('th', null, `${t('level.' + l)} (${LEVEL_CODES[l]})`), h('td', null, fmtNumber(counts[l])))),
        h('tr', null, h('th', null, t('rt.unrated')), h('td', null, fmtNumber(counts.unrated))),
        h('tr', null, h('th', null, t('rt.exempt')), h('td', null, fmtNumber(counts.exempt)))))),
      panel(t('rt.quota'), [
        h('p', null, t('rt.quotaRule')),
        h('div', { class: over ? 'warn-box' : 'note-box' }, over ? t('rt.quotaOver', counts.excellent, counts.good) : t('rt.quotaOk', counts.excellent, counts.good)),
      ]),
      panel(t('rt.scaleTitle'), h('table', { class: 'kv' }, h('tbody', null,
        [['≥ 90', 'excellent'], ['70 – 89', 'good'], ['50 – 69', 'fulfilled'], ['< 50', 'not_fulfilled']].map(([r, l]) =>
          h('tr', null, h('th', null, r), h('td', null, badge(`${t('level.' + l)} (${LEVEL_CODES[l]})`, l)))))))),
    panel(t('rt.list', rows.length), form, { flush: true }));
}
