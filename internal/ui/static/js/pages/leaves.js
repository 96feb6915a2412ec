// Away-work leaves (đi làm ăn xa): periods, extensions, reviews owed.

import { h, fmtDate, daysBetween, sortByName } from '../util.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { st, cname, inScope, leaveUntil } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink } from '../shell.js';

const WARN_DAYS = 30;

function leaveState(v) {
  const until = leaveUntil(v);
  if (v.ended) return badge(t('lv.endedOn', fmtDate(v.ended)), 'neutral');
  const left = daysBetween(st.today, until);
  if (left < 0) return badge(t('lv.expired', -left), 'overdue');
  if (left <= WARN_DAYS) return badge(t('lv.expiring', left), 'due');
  return badge(t('lv.away', left), 'info');
}

export async function show(ctx) {
  const all = ctx.query.get('all') === '1';
  const members = sortByName(await api('/api/members?has=leaves'));
  const list = [];
  for (const m of members) {
    for (const v of m.leaves || []) {
      if (!(inScope(m.home) || inScope(v.destination))) continue;
      if (all || !v.ended || (!(v.self_reviews || []).length)) list.push({ m, v });
    }
  }
  const toggle = h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: all, onchange: (ev) => ctx.go('leaves', { all: ev.target.checked ? '1' : '' }) }), t('lv.showAll'));
  return h('div', null,
    pageHead(t('lv.title'), t('lv.sub'), toggle),
    panel(t('lv.list', list.length), grid(
      [t('field.name'), t('ex.unit'), t('lv.period'), t('sf.destination'), t('sf.reason'), t('lv.selfReview'), t('lv.destComment'), t('tr.state')],
      list.map(({ m, v }) => row([
        memberLink(m.id, m.fields.name), cname(m.home),
        td([`${fmtDate(v.from)} – ${fmtDate(leaveUntil(v))}`, v.extensions?.length ? h('span', { class: 'sub' }, t('lv.extended', v.extensions.length)) : null], 'nowrap'),
        v.destination ? [cname(v.destination), v.place ? h('span', { class: 'sub' }, v.place) : null] : v.itinerant ? t('lv.itinerant') : (v.place || '—'),
        v.reason || '',
        (v.self_reviews || []).length ? badge(fmtDate(v.self_reviews[v.self_reviews.length - 1].date), 'ok') : h('span', { class: 'muted' }, '—'),
        !v.destination ? h('span', { class: 'muted' }, t('lv.noDest')) : (v.comments || []).length ? badge(fmtDate(v.comments[v.comments.length - 1].date), 'ok') : h('span', { class: 'muted' }, '—'),
        leaveState(v),
      ], { 'data-member': m.id })), { empty: t('lv.none') }), { flush: true }));
}
