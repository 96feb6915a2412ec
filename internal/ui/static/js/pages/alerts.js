// Alerts: what this committee and its subtree must act on, by due date.

import { h, fmtDate, fmtNumber, parseDate } from '../util.js';
import { t, has } from '../i18n.js';
import { api } from '../api.js';
import { st, cname } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink } from '../shell.js';
import { control } from '../forms.js';

export const ruleLabel = (r) => (has('rule.' + r) ? t('rule.' + r) : r);

// PAGE alerts are shown at a time: a province's run to a hundred thousand.
const PAGE = 200;

export async function show(ctx) {
  const at = ctx.query.get('at') || st.today;
  const sev = ctx.query.get('severity') || '';
  const rule = ctx.query.get('rule') || '';
  const page = Math.max(0, +(ctx.query.get('page') || 0));
  const params = new URLSearchParams({ at });
  if (sev) params.set('severity', sev);
  if (rule) params.set('rule', rule);
  params.set('offset', page * PAGE);
  params.set('limit', PAGE + 1);
  const [sum, list] = await Promise.all([
    api('/api/alerts/summary?at=' + encodeURIComponent(at)),
    api('/api/alerts?' + params),
  ]);
  if (at === st.today) ctx.alertsChanged(sum.total);
  const rules = Object.keys(sum.rules);
  if (rule && !rules.includes(rule)) rules.push(rule);
  rules.sort();
  const more = list.length > PAGE;
  const shown = list.slice(0, PAGE);

  const date = control({ name: 'at', type: 'date' }, at);
  const sevSel = h('select', { name: 'severity' }, h('option', { value: '' }, t('all')),
    ['overdue', 'due'].map((s) => h('option', { value: s, selected: s === sev }, t('sev.' + s))));
  const ruleSel = h('select', { name: 'rule' }, h('option', { value: '' }, t('all')),
    rules.map((r) => h('option', { value: r, selected: r === rule }, ruleLabel(r) + ' (' + fmtNumber(sum.rules[r] || 0) + ')')));
  const go = (p) => ctx.go('alerts', { at: parseDate(date.value) || st.today, severity: sevSel.value, rule: ruleSel.value, page: p ? String(p) : '' });
  const apply = () => go(0);
  sevSel.addEventListener('change', apply);
  ruleSel.addEventListener('change', apply);

  return h('div', null,
    pageHead(t('al.title'), t('al.sub', st.status.name, fmtDate(at), fmtNumber(sum.total), fmtNumber(sum.overdue)),
      h('a', { class: 'btn', href: 'print.html#alerts?' + new URLSearchParams(Object.entries({ at, severity: sev, rule }).filter(([, v]) => v)), target: '_blank', rel: 'noopener', 'data-print': 'alerts' }, t('print.alerts'))),
    panel(null, [
      h('form', { class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); apply(); } },
        h('label', null, t('al.at'), date), h('label', null, t('al.severity'), sevSel), h('label', null, t('al.rule'), ruleSel),
        h('button', { class: 'btn', type: 'submit' }, t('show')),
        shown.length ? h('span', { class: 'muted small', 'data-range': '' }, t('al.range', fmtNumber(page * PAGE + 1), fmtNumber(page * PAGE + shown.length))) : null),
      grid([t('al.due'), t('al.severity'), t('al.rule'), t('field.name'), t('al.home'), t('al.acting'), t('al.detail')],
        shown.map((a) => row([
          td(fmtDate(a.due), 'nowrap'),
          badge(t('sev.' + a.severity), a.severity),
          ruleLabel(a.rule),
          a.member ? memberLink(a.member, a.member_name) : h('span', { class: 'muted' }, t('al.unit')),
          a.home_name || cname(a.home),
          a.acting_name || cname(a.acting),
          td(a.detail, 'small'),
        ], { 'data-rule': a.rule, 'data-member': a.member || '' })),
        { empty: t('al.none') }),
      page > 0 || more ? h('div', { class: 'pager' },
        h('button', { class: 'btn small', type: 'button', disabled: page === 0, 'data-page': 'prev', onclick: () => go(page - 1) }, '‹ ', t('prev')),
        h('span', null, t('page', page + 1)),
        h('button', { class: 'btn small', type: 'button', disabled: !more, 'data-page': 'next', onclick: () => go(page + 1) }, t('next'), ' ›')) : null,
    ], { flush: true }));
}
