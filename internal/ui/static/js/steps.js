// Workflow steps as small forms: which committee may take each one, when,
// and the fields of its body (schema/workflow.go).

import { h, yearOf } from './util.js';
import { t, has } from './i18n.js';
import { step } from './api.js';
import { formGrid, readForm, submitting } from './forms.js';
import {
  st, cname, cellsUnder, activeResidence, openTransfer, openLeave, exemptionInForce, levelForScore, LEVEL_CODES,
} from './state.js';

const opts = (values, prefix) => values.map((v) => [v, t(prefix + v)]);
const committeeOpts = (list) => list.map((c) => [c.id, c.name]);
const liveCommittees = (pred = () => true) => st.committees.filter((c) => !c.revoked && pred(c));

export const MOVEMENTS = ['admitted', 'full', 'died', 'removed', 'expelled', 'resigned'];
export const ATTEND = ['present', 'excused', 'absent'];
export const EXEMPT_CATEGORIES = ['age', 'health', 'treatment', 'abroad', 'maternity', 'mobile_work', 'other'];

const year = () => yearOf(st.today);

// The step table: kind, the capacity it needs (see state.roles), when it
// applies to a member, its fields and their first values.
export const STEPS = [
  {
    kind: 'residence.intro', role: ['home'], when: (m) => !activeResidence(m),
    fields: () => [
      { name: 'residence', type: 'select', required: true, empty: t('pick'),
        options: committeeOpts(liveCommittees((c) => c.kind !== 'workplace' && c.level !== 'cell')) },
      { name: 'address', type: 'text', required: true, wide: true },
      { name: 'date', type: 'date', required: true },
      { name: 'exempt_activity', type: 'bool' },
      { name: 'exempt_category', type: 'select', empty: '—', options: opts(EXEMPT_CATEGORIES, 'ecat.') },
      { name: 'note', type: 'text', wide: true },
    ],
    values: (m) => ({ address: m.fields.temp_address || m.fields.address || '', date: st.today }),
  },
  {
    kind: 'residence.accept', role: ['residence'], when: (m) => activeResidence(m) && !activeResidence(m).accepted,
    fields: (m) => [
      { name: 'cell', type: 'select', required: true, options: committeeOpts(cellsUnder(activeResidence(m).residence)) },
      { name: 'date', type: 'date', required: true },
    ],
    values: (m) => ({ date: st.today, cell: defaultCell(activeResidence(m).residence) }),
  },
  {
    kind: 'residence.attendance', role: ['residence'], when: (m) => activeResidence(m)?.accepted,
    fields: () => [
      { name: 'meeting', type: 'date', required: true },
      { name: 'status', type: 'select', required: true, options: opts(ATTEND, 'attend.') },
      { name: 'reason', type: 'text', wide: true },
    ],
    values: () => ({ meeting: st.today, status: 'present' }),
  },
  {
    kind: 'residence.comment_request', role: ['home'], when: (m) => activeResidence(m),
    fields: () => [{ name: 'year', type: 'year', required: true }, { name: 'date', type: 'date', required: true }],
    values: () => ({ year: year(), date: st.today }),
  },
  {
    kind: 'residence.comment', role: ['residence'], when: (m) => activeResidence(m)?.accepted,
    fields: () => [
      { name: 'year', type: 'year', required: true },
      { name: 'date', type: 'date', required: true },
      { name: 'fulfilled', type: 'bool' },
      { name: 'text', type: 'textarea', required: true, wide: true },
    ],
    values: () => ({ year: year(), date: st.today, fulfilled: true }),
  },
  {
    kind: 'residence.end', role: ['home', 'residence'], when: (m) => activeResidence(m),
    fields: () => [{ name: 'date', type: 'date', required: true }, { name: 'reason', type: 'text', wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'transfer.issue', role: ['home'], when: (m) => !openTransfer(m),
    fields: (m) => [
      { name: 'type', type: 'select', required: true, options: opts(['official', 'temporary'], 'ttype.') },
      { name: 'destination', type: 'select', required: true, empty: t('pick'), options: committeeOpts(liveCommittees((c) => c.id !== m.home)) },
      { name: 'date', type: 'date', required: true },
      { name: 'letter_line', type: 'text' },
      { name: 'card', type: 'text' },
      { name: 'profile', type: 'text' },
      { name: 'register_line', type: 'text' },
      { name: 'dues_through', type: 'month' },
      { name: 'until', type: 'date' },
      { name: 'study', type: 'bool' },
      { name: 'moved_on', type: 'date' },
      { name: 'late_reason', type: 'text', wide: true },
    ],
    values: (m) => ({ type: 'official', date: st.today, card: m.fields.card, profile: m.fields.profile, register_line: m.fields.register_line }),
  },
  {
    kind: 'transfer.present', role: ['transferDest'], when: (m) => openTransfer(m) && !openTransfer(m).presented && !openTransfer(m).accepted,
    fields: () => [{ name: 'date', type: 'date', required: true }, { name: 'late_reason', type: 'text', wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'transfer.accept', role: ['transferDest'], when: (m) => openTransfer(m) && !openTransfer(m).accepted,
    fields: (m) => [
      { name: 'cell', type: 'select', empty: '—', options: committeeOpts(cellsUnder(openTransfer(m).destination)) },
      { name: 'date', type: 'date', required: true },
      { name: 'late_reason', type: 'text', wide: true },
    ],
    values: (m) => ({ date: st.today, cell: defaultCell(openTransfer(m).destination) }),
  },
  {
    kind: 'transfer.extend', role: ['home'], when: (m) => openTransfer(m)?.type === 'temporary',
    fields: () => [{ name: 'until', type: 'date', required: true }, { name: 'date', type: 'date', required: true }, { name: 'reason', type: 'text', wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'transfer.end', role: ['home', 'transferDest'], when: (m) => openTransfer(m),
    fields: () => [{ name: 'date', type: 'date', required: true }, { name: 'reason', type: 'text', wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'exemption.grant', role: ['home'], when: (m) => !exemptionInForce(m),
    fields: () => [
      { name: 'type', type: 'select', required: true, options: opts(['temporary', 'permanent'], 'etype.') },
      { name: 'category', type: 'select', required: true, options: opts(EXEMPT_CATEGORIES, 'ecat.') },
      { name: 'from', type: 'date', required: true },
      { name: 'until', type: 'date' },
      { name: 'decider', type: 'text' },
      { name: 'reason', type: 'text', wide: true },
    ],
    values: () => ({ type: 'temporary', from: st.today }),
  },
  {
    kind: 'exemption.end', role: ['home'], when: (m) => (m.exemptions || []).some((e) => !e.ended),
    fields: () => [{ name: 'date', type: 'date', required: true }, { name: 'reason', type: 'text', wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'leave.grant', role: ['home'], when: (m) => !openLeave(m),
    fields: () => [
      { name: 'from', type: 'date', required: true },
      { name: 'until', type: 'date', required: true },
      { name: 'destination', type: 'select', empty: '—', options: committeeOpts(liveCommittees()) },
      { name: 'place', type: 'text' },
      { name: 'itinerant', type: 'bool' },
      { name: 'reason', type: 'text', wide: true },
    ],
    values: () => ({ from: st.today }),
  },
  {
    kind: 'leave.extend', role: ['home'], when: (m) => openLeave(m),
    fields: () => [{ name: 'until', type: 'date', required: true }, { name: 'date', type: 'date', required: true }, { name: 'reason', type: 'text', wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'leave.self_review', role: ['home'], when: (m) => (m.leaves || []).length > 0,
    fields: () => [{ name: 'date', type: 'date', required: true }, { name: 'text', type: 'textarea', required: true, wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'leave.comment', role: ['leaveDest'], when: () => true,
    fields: () => [{ name: 'date', type: 'date', required: true }, { name: 'text', type: 'textarea', required: true, wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'leave.end', role: ['home'], when: (m) => openLeave(m),
    fields: () => [{ name: 'date', type: 'date', required: true }, { name: 'reason', type: 'text', wide: true }],
    values: () => ({ date: st.today }),
  },
  {
    kind: 'rating', role: ['home'], when: () => true,
    fields: (m) => [
      { name: 'year', type: 'year', required: true },
      { name: 'score', type: 'score', required: true, max: 100, hint: t('rating.scale') },
      { name: 'comment', type: 'select', empty: '—', options: commentOpts(m) },
      { name: 'decision', type: 'text' },
      { name: 'date', type: 'date', required: true },
      { name: 'self_assessment', type: 'textarea', wide: true },
    ],
    values: () => ({ year: ratingYear(), date: st.today }),
  },
  {
    kind: 'inactive_month', role: ['home'], when: () => true,
    fields: () => [
      { name: 'month', type: 'month', required: true },
      { name: 'valid', type: 'bool' },
      { name: 'reason', type: 'text', wide: true },
    ],
    values: () => ({ month: st.today.slice(0, 7) }),
  },
  {
    kind: 'movement', role: ['home'], when: () => true,
    fields: () => [
      { name: 'type', type: 'select', required: true, options: opts(MOVEMENTS, 'move.') },
      { name: 'date', type: 'date', required: true },
      { name: 'decision', type: 'text' },
      { name: 'reason', type: 'text', wide: true },
    ],
    values: () => ({ date: st.today }),
  },
];

// The year being rated: the current one from November, else the last.
export function ratingYear() {
  const y = yearOf(st.today);
  return st.today.slice(5, 7) >= '11' ? y : y - 1;
}

function commentOpts(m) {
  const out = [];
  for (const r of m.residence || []) {
    for (const c of r.comments || []) {
      out.push([c.op, `${c.year} — ${cname(c.author)} — ${c.fulfilled ? t('comment.fulfilled') : t('comment.notFulfilled')}`]);
    }
  }
  return out;
}

// defaultCell is this committee when it is a cell under root, else the
// only cell under root, else none.
function defaultCell(root) {
  const cells = cellsUnder(root);
  const mine = cells.find((c) => c.id === st.me);
  if (mine) return mine.id;
  return cells.length === 1 ? cells[0].id : '';
}

export function stepLabel(kind, field) {
  const k = `sf.${kind}.${field}`;
  return has(k) ? t(k) : t('sf.' + field);
}

// allowedSteps lists the steps this committee may take on member m.
export function allowedSteps(m, roles) {
  return STEPS.filter((s) => s.role.some((r) => roles.has(r)) && s.when(m));
}

// stepForm is the form of one step; onDone runs after the node accepted it.
export function stepForm(spec, m, onDone) {
  const fields = spec.fields(m).map((f) => ({ ...f, label: f.label || stepLabel(spec.kind, f.name) }));
  const form = h('form', { class: 'step', 'data-kind': spec.kind, novalidate: true },
    formGrid(fields, spec.values(m)),
    spec.kind === 'rating' ? h('div', { class: 'hint', 'data-level': '' }) : null,
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('save')),
      h('span', { class: 'hint' }, t('step.signed'))));
  if (spec.kind === 'rating') {
    const score = form.querySelector('[name=score]');
    const out = form.querySelector('[data-level]');
    const show = () => {
      const v = Number(score.value);
      out.textContent = score.value === '' ? '' : `${t('rating.level')}: ${t('level.' + levelForScore(v))} (${LEVEL_CODES[levelForScore(v)]})`;
    };
    score.addEventListener('input', show);
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const body = readForm(form, fields);
      if (spec.kind === 'rating') body.level = levelForScore(body.score);
      const res = await step(m.id, spec.kind, body);
      await onDone(res, spec.kind);
    });
  });
  return form;
}
