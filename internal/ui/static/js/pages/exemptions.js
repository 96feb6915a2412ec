// Exemptions from party work and activity, with each unit's rate.

import { h, fmtDate, fmtNumber, fmtPercent, sortByName } from '../util.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { st, cname, inScope, isUnder, subtree, exemptionCovers } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink } from '../shell.js';

export const RATE_LIMIT = 0.10;

function exemptState(e) {
  if (e.ended) return badge(t('ex.endedOn', fmtDate(e.ended)), 'neutral');
  if (exemptionCovers(e, st.today)) return badge(t('ex.inForce'), 'exempt');
  if (e.from > st.today) return badge(t('ex.future'), 'info');
  return badge(t('ex.expired'), 'overdue');
}

// unitRates counts, for each committee of the subtree, the members homed
// at it or below who have not left (from the node's statistics, which
// count them by home) and those of them exempt today (from the members
// with exemptions).
export function unitRates(exempted, stats) {
  const live = exempted.filter((m) => m.status !== 'left');
  const units = (stats?.units || []).filter((u) => u.committee);
  const base = st.status.committee?.depth || 0;
  return subtree().map((c) => {
    const official = units.filter((u) => isUnder(u.committee, c.id)).reduce((n, u) => n + (u.official || 0), 0);
    const ms = live.filter((m) => isUnder(m.home, c.id));
    const perm = ms.filter((m) => m.status === 'exempt').length;
    const temp = ms.filter((m) => m.status === 'temporarily_exempt').length;
    return { c, depth: c.depth - base, official, perm, temp, rate: official ? (perm + temp) / official : 0 };
  });
}

export async function show(ctx) {
  const all = ctx.query.get('all') === '1';
  const [members, stats] = await Promise.all([api('/api/members?has=exemptions'), api('/api/stats')]);
  sortByName(members);
  const rates = unitRates(members, stats);
  const list = [];
  for (const m of members) {
    if (!inScope(m.home)) continue;
    for (const e of m.exemptions || []) {
      if (all || (!e.ended && (e.type === 'permanent' || e.until >= st.today))) list.push({ m, e });
    }
  }
  const toggle = h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: all, onchange: (ev) => ctx.go('exemptions', { all: ev.target.checked ? '1' : '' }) }), t('ex.showAll'));
  const high = rates.filter((r) => r.rate > RATE_LIMIT);

  return h('div', null,
    pageHead(t('ex.title'), t('ex.sub'), toggle),
    high.length ? h('div', { class: 'warn-box' }, t('ex.highUnits', high.map((r) => `${r.c.name} (${fmtPercent(r.rate)})`).join('; '))) : null,
    panel(t('ex.rates'), grid(
      [t('ex.unit'), [t('ex.official'), 'num'], [t('etype.permanent'), 'num'], [t('etype.temporary'), 'num'], [t('ex.rate'), 'num'], ''],
      rates.map((r) => row([
        h('span', { style: `padding-left:${r.depth * 16}px` }, r.c.name),
        td(fmtNumber(r.official), 'num'), td(fmtNumber(r.perm), 'num'), td(fmtNumber(r.temp), 'num'),
        td(fmtPercent(r.rate), 'num'),
        td(h('div', { class: 'progress', title: fmtPercent(r.rate) }, h('span', { style: `width:${Math.min(100, r.rate * 100 * 4)}%;background:${r.rate > RATE_LIMIT ? '#c62828' : '#b07000'}` })), null, { style: 'width:160px' }),
      ], { class: r.rate > RATE_LIMIT ? 'hot' : '' }))), { flush: true }),
    panel(t('ex.list', list.length), grid(
      [t('field.name'), t('ex.unit'), t('sf.type'), t('sf.category'), t('sf.from'), t('sf.until'), t('sf.decider'), t('sf.reason'), t('tr.state')],
      list.map(({ m, e }) => row([memberLink(m.id, m.fields.name), cname(m.home), t('etype.' + e.type), t('ecat.' + e.category),
        td(fmtDate(e.from), 'nowrap'), td(fmtDate(e.until), 'nowrap'), e.decider || '', e.reason || '', exemptState(e)], { 'data-member': m.id })),
      { empty: t('ex.none') }), { flush: true }));
}
