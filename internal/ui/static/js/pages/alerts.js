// Alerts: what this committee and its subtree must act on, by due date.

import { h, fmtDate, parseDate } from '../util.js';
import { t, has } from '../i18n.js';
import { api } from '../api.js';
import { st, cname } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink } from '../shell.js';
import { control } from '../forms.js';

export const ruleLabel = (r) => (has('rule.' + r) ? t('rule.' + r) : r);

export async function show(ctx) {
  const at = ctx.query.get('at') || st.today;
  const sev = ctx.query.get('severity') || '';
  const rule = ctx.query.get('rule') || '';
  const list = await api('/api/alerts?at=' + encodeURIComponent(at));
  if (at === st.today) ctx.alertsChanged(list.length);
  const rules = [...new Set(list.map((a) => a.rule))].sort();
  const shown = list.filter((a) => (!sev || a.severity === sev) && (!rule || a.rule === rule));

  const date = control({ name: 'at', type: 'date' }, at);
  const sevSel = h('select', { name: 'severity' }, h('option', { value: '' }, t('all')),
    ['overdue', 'due'].map((s) => h('option', { value: s, selected: s === sev }, t('sev.' + s))));
  const ruleSel = h('select', { name: 'rule' }, h('option', { value: '' }, t('all')),
    rules.map((r) => h('option', { value: r, selected: r === rule }, ruleLabel(r))));
  const apply = () => ctx.go('alerts', { at: parseDate(date.value) || st.today, severity: sevSel.value, rule: ruleSel.value });
  sevSel.addEventListener('change', apply);
  ruleSel.addEventListener('change', apply);
  const overdue = list.filter((a) => a.severity === 'overdue').length;

  return h('div', null,
    pageHead(t('al.title'), t('al.sub', st.status.name, fmtDate(at), list.length, overdue),
      h('a', { class: 'btn', href: `print.html#alerts?at=${at}`, target: '_blank', rel: 'noopener', 'data-print': 'alerts' }, t('print.alerts'))),
    panel(null, [
      h('form', { class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); apply(); } },
        h('label', null, t('al.at'), date), h('label', null, t('al.severity'), sevSel), h('label', null, t('al.rule'), ruleSel),
        h('button', { class: 'btn', type: 'submit' }, t('show'))),
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
    ], { flush: true }));
}
