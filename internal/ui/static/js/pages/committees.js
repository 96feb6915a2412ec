// The directory: committees in tree order, admitting a child, the join
// file for a committee this one admitted, revocation.

import { h, fmtDate, download, shortID } from '../util.js';
import { t } from '../i18n.js';
import { api, post } from '../api.js';
import { st, reloadCommittees } from '../state.js';
import { pageHead, panel, grid, row, td, badge, toast } from '../shell.js';
import { formGrid, readForm, submitting, errorText } from '../forms.js';

const LEVELS = ['province', 'district', 'commune', 'grassroots', 'cell'];
const KINDS = ['workplace', 'residential', 'mixed'];

export async function show(ctx) {
  await reloadCommittees();
  const list = st.committees;
  const done = async (msg) => { toast(msg); await ctx.rerender(); };

  const invite = async (c, btn) => {
    btn.disabled = true;
    try {
      const jf = await api(`/api/committees/${c.id}/invite`);
      download(`${slug(c.name)}.join.json`, JSON.stringify(jf, null, 2) + '\n');
      toast(t('cm.inviteSaved', c.name));
    } catch (e) { toast(errorText(e), true); } finally { btn.disabled = false; }
  };
  const revoke = async (c, btn) => {
    const reason = prompt(t('cm.revokeReason', c.name));
    if (reason === null) return;
    btn.disabled = true;
    try { await post(`/api/committees/${c.id}/revoke`, { reason }); await done(t('cm.revoked', c.name)); } catch (e) { btn.disabled = false; toast(errorText(e), true); }
  };

  const fields = [
    { name: 'id', label: t('cm.id'), type: 'text', required: true, wide: true, hint: t('cm.idHint') },
    { name: 'name', label: t('cm.name'), type: 'text', required: true, wide: true },
    { name: 'level', label: t('cm.level'), type: 'select', required: true, options: LEVELS.map((l) => [l, t('level.' + l)]) },
    { name: 'kind', label: t('cm.kind'), type: 'select', required: true, options: KINDS.map((k) => [k, t('ckind.' + k)]) },
  ];
  const form = h('form', { 'data-form': 'admit', novalidate: true }, formGrid(fields, { level: 'cell', kind: 'workplace' }),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('cm.admit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const body = readForm(form, fields);
      await post('/api/committees', body);
      await done(t('cm.admitted', body.name));
    });
  });

  return h('div', null,
    pageHead(t('cm.title'), t('cm.sub', list.length)),
    panel(t('cm.tree'), grid([t('cm.name'), t('cm.level'), t('cm.kind'), t('cm.issued'), t('cm.id'), t('tr.state'), ''],
      list.map((c) => row([
        h('span', { style: `padding-left:${c.depth * 18}px` }, c.depth ? '└ ' : '', c.id === st.me ? h('b', null, c.name) : c.name,
          c.id === st.me ? h('span', { class: 'muted small' }, ' ', t('cm.thisNode')) : null),
        td(t('level.' + c.level), 'nowrap'), td(t('ckind.' + c.kind), 'nowrap'), td(fmtDate(c.issued_at), 'nowrap'),
        td('…' + shortID(c.id), 'mono nowrap', { title: c.id }),
        c.revoked ? badge(t('cm.revokedOn', fmtDate(c.revoked_on)), 'left') : badge(t('cm.active'), 'ok'),
        c.parent === st.me && !c.revoked ? td([
          h('button', { class: 'btn small', type: 'button', 'data-invite': c.id, onclick: (ev) => invite(c, ev.target) }, t('cm.invite')), ' ',
          h('button', { class: 'btn small danger', type: 'button', onclick: (ev) => revoke(c, ev.target) }, t('cm.revoke'))], 'nowrap') : '',
      ], { 'data-committee': c.id }))), { flush: true }),
    h('div', { class: 'cols' },
      panel(t('cm.admitTitle'), [h('p', { class: 'hint' }, t('cm.admitHelp')), form]),
      panel(t('cm.thisTitle'), h('table', { class: 'kv' }, h('tbody', null,
        h('tr', null, h('th', null, t('cm.id')), h('td', { class: 'mono' }, st.me)),
        h('tr', null, h('th', null, t('cm.root')), h('td', { class: 'mono' }, st.status.root)),
        h('tr', null, h('th', null, t('cm.stateHash')), h('td', { class: 'mono' }, st.status.state_hash)))))));
}

function slug(name) {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'committee';
}
