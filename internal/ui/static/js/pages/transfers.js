// Transfers of party activity in and out, with their deadlines.

import { h, fmtDate, fmtMonth, addDays, sortByName, parseDate } from '../util.js';
import { t } from '../i18n.js';
import { api, step } from '../api.js';
import { st, cname, inScope, cellsUnder, transferUntil } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink, toast, printLink } from '../shell.js';
import { submitting, control } from '../forms.js';

const isOpen = (x) => !x.ended && (x.type === 'temporary' || !x.accepted);

function stateOf(x, due) {
  if (x.ended) return badge(t('tr.ended', fmtDate(x.ended)), 'neutral');
  if (x.accepted) {
    if (x.type === 'temporary') {
      const until = transferUntil(x);
      return badge(t('tr.runningUntil', fmtDate(until)), until < st.today ? 'overdue' : 'info');
    }
    return badge(t('tr.done'), 'ok');
  }
  if (!x.presented && due && due < st.today) return badge(t('tr.overdue'), 'overdue');
  if (x.presented) return badge(t('tr.presentedWaiting'), 'warn');
  return badge(t('tr.waiting'), 'info');
}

export async function show(ctx) {
  const all = ctx.query.get('all') === '1';
  const [members, future, now] = await Promise.all([
    api('/api/members?has=transfers'),
    api('/api/alerts?rule=transfer.presentation_overdue&at=' + addDays(st.today, 120)).catch(() => []),
    api('/api/alerts?rule=transfer.').catch(() => []),
  ]);
  sortByName(members);
  const due = new Map(future.filter((a) => a.rule === 'transfer.presentation_overdue').map((a) => [a.ref, a.due]));
  const flags = new Map();
  for (const a of now) if (a.ref && a.rule.startsWith('transfer.')) flags.set(a.ref, [...(flags.get(a.ref) || []), a]);
  const out = [];
  const inc = [];
  for (const m of members) {
    for (const x of m.transfers || []) {
      if (!all && !isOpen(x)) continue;
      if (inScope(x.from)) out.push({ m, x });
      if (inScope(x.destination) || inScope(x.cell)) inc.push({ m, x });
    }
  }
  const done = async (msg) => { toast(msg); await ctx.rerender(); };
  const toggle = h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: all, onchange: (ev) => ctx.go('transfers', { all: ev.target.checked ? '1' : '' }) }), t('tr.showAll'));
  const flagCell = (x) => (flags.get(x.issue) || []).map((a) => h('div', { class: 'small', style: 'color:#a11b1b' }, a.detail));

  return h('div', null,
    pageHead(t('tr.title'), t('tr.sub'), toggle),
    panel(t('tr.out', out.length), grid(
      [t('field.name'), t('sf.type'), t('sf.destination'), t('tr.issued'), t('sf.letter_line'), t('sf.dues_through'), t('tr.deadline'), t('tr.presented'), t('tr.accepted'), t('tr.state'), ''],
      out.map(({ m, x }) => row([
        memberLink(m.id, m.fields.name), td(t('ttype.' + x.type), 'nowrap'),
        [cname(x.destination), x.cell ? h('span', { class: 'sub' }, cname(x.cell)) : null],
        td(fmtDate(x.date), 'nowrap'), x.letter_line || '', fmtMonth(x.dues_through),
        td(fmtDate(due.get(x.issue) || ''), 'nowrap'),
        td(fmtDate(x.presented), 'nowrap'), td(fmtDate(x.accepted), 'nowrap'),
        [stateOf(x, due.get(x.issue)), flagCell(x)],
        printLink('transfer', m.id, '?issue=' + x.issue, true),
      ], { 'data-member': m.id })), { empty: t('tr.noneOut') }), { flush: true, id: 'tr-out' }),
    panel(t('tr.in', inc.length), grid(
      [t('field.name'), t('tr.fromCol'), t('sf.type'), t('tr.issued'), t('tr.deadline'), t('tr.presented'), t('tr.accepted'), t('tr.state'), t('tr.actions')],
      inc.map(({ m, x }) => row([
        memberLink(m.id, m.fields.name), cname(x.from), td(t('ttype.' + x.type), 'nowrap'), td(fmtDate(x.date), 'nowrap'),
        td(fmtDate(due.get(x.issue) || ''), 'nowrap'), td(fmtDate(x.presented), 'nowrap'), td(fmtDate(x.accepted), 'nowrap'),
        [stateOf(x, due.get(x.issue)), flagCell(x)],
        !x.ended && !x.accepted ? incomingActions(m, x, done) : '',
      ], { 'data-member': m.id })), { empty: t('tr.noneIn') }), { flush: true, id: 'tr-in' }));
}

function incomingActions(m, x, done) {
  const cells = cellsUnder(x.destination);
  const cell = h('select', { name: 'cell' }, h('option', { value: '' }, '—'), cells.map((c) => h('option', { value: c.id, selected: c.id === st.me }, c.name)));
  const date = control({ name: 'date', type: 'date' }, st.today);
  const form = h('form', { style: 'display:flex;gap:6px;align-items:center;flex-wrap:wrap', 'data-transfer': m.id }, cell, date,
    x.presented ? null : h('button', { class: 'btn small', type: 'button', onclick: () => run('transfer.present') }, t('tr.present')),
    h('button', { class: 'btn small primary', type: 'submit' }, t('tr.accept')));
  const run = (kind) => submitting(form, async () => {
    const when = parseDate(date.value);
    if (!when) throw new Error(t('err.date', t('sf.date')));
    const body = { ref: x.issue, date: when };
    if (kind === 'transfer.accept' && cell.value) body.cell = cell.value;
    await step(m.id, kind, body);
    await done(t('saved', t('kind.' + kind)));
  });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); run('transfer.accept'); });
  return form;
}
