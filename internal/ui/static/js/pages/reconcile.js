// List reconciliation (đối khớp danh sách) with the levels above and below.

import { h, fmtDate, shortID } from '../util.js';
import { t, has } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { st, cname, children } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink } from '../shell.js';

export const kindLabel = (k) => (has('disc.' + k) ? t('disc.' + k) : k);

// items reads the reconciliation answer: a list, or an object holding one.
export function items(res) {
  if (Array.isArray(res)) return res;
  if (res && typeof res === 'object') {
    for (const k of ['discrepancies', 'items', 'results']) if (Array.isArray(res[k])) return res[k];
  }
  return [];
}

// memberNames asks the node for the names of the members listed, a few
// hundred at a time (a name the node does not hold is left out).
async function memberNames(ids) {
  const names = new Map();
  for (let i = 0; i < ids.length; i += 500) {
    const ms = await api('/api/members?ids=' + ids.slice(i, i + 500).join(',')).catch(() => []);
    for (const m of ms) names.set(m.id, m.fields.name);
  }
  return names;
}

export async function show(ctx) {
  const withID = ctx.query.get('with') || '';
  const me = st.status.committee;
  const options = [['', t('rc.whole', st.status.name)]];
  if (me?.parent) options.push([me.parent, t('rc.above', cname(me.parent))]);
  for (const c of children(st.me)) options.push([c.id, t('rc.below', c.name)]);
  const sel = h('select', { name: 'with', onchange: () => ctx.go('reconcile', { with: sel.value }) },
    options.map(([v, l]) => h('option', { value: v, selected: v === withID }, l)));

  let body;
  try {
    const res = await api('/api/reconcile' + (withID ? '?with=' + encodeURIComponent(withID) : ''));
    const list = items(res);
    const names = await memberNames([...new Set(list.flatMap((d) => d.members || []))]);
    const byKind = new Map();
    for (const d of list) byKind.set(d.kind, (byKind.get(d.kind) || 0) + 1);
    body = [
      list.length ? h('div', { class: 'toolbar' }, [...byKind].map(([k, n]) => badge(`${kindLabel(k)}: ${n}`, 'warn'))) : null,
      grid([t('rc.kind'), t('rc.committee'), t('rc.members'), t('al.detail')],
        list.map((d) => row([
          kindLabel(d.kind),
          d.committee_name || cname(d.committee),
          (d.members || []).map((id, i) => [i ? ', ' : '', memberLink(id, names.get(id) || shortID(id))]),
          td(d.detail, 'small'),
        ], { 'data-kind': d.kind })),
        { empty: t('rc.none') }),
    ];
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) body = h('div', { class: 'note-box', style: 'margin:10px' }, t('rc.unavailable'));
    else throw e;
  }
  return h('div', null,
    pageHead(t('rc.title'), t('rc.sub', fmtDate(st.today))),
    panel(null, [h('div', { class: 'toolbar' }, h('label', null, t('rc.with'), sel)), body], { flush: true }));
}
