// Peers and sync status, refreshed every two seconds; sync once with a peer.

import { h, fill, fmtTime, fmtNumber, shortID } from '../util.js';
import { t } from '../i18n.js';
import { api, post } from '../api.js';
import { st, setStatus, cname } from '../state.js';
import { pageHead, panel, grid, row, td } from '../shell.js';
import { submitting, errorText } from '../forms.js';

function progress(p) {
  const total = p.received + p.pending;
  const frac = total ? p.received / total : 1;
  const done = !p.syncing && p.pending === 0;
  return h('div', { style: 'display:flex;align-items:center;gap:8px' },
    h('div', { class: ['progress', done && 'done'], title: `${fmtNumber(p.received)} / ${fmtNumber(total)}` },
      h('span', { style: `width:${Math.round(frac * 100)}%` })),
    h('span', { class: 'small muted nowrap' }, p.pending ? t('pe.pending', fmtNumber(p.pending)) : t('pe.upToDate')));
}

export async function show(ctx) {
  const table = h('div', { 'data-peers': '' });
  const info = h('div');
  const updated = h('span', { class: 'small muted' });

  const refresh = async () => {
    try {
      const [peers, status] = await Promise.all([api('/api/peers'), api('/api/status')]);
      if (!ctx.alive()) return;
      setStatus(status);
      fill(info, h('table', { class: 'kv' }, h('tbody', null,
        h('tr', null, h('th', null, t('cm.id')), h('td', { class: 'mono' }, st.me)),
        h('tr', null, h('th', null, t('pe.addrs')), h('td', { class: 'mono' }, (status.addrs || []).map((a) => h('div', null, a)))),
        h('tr', null, h('th', null, t('pe.members')), h('td', null, fmtNumber(status.members))),
        h('tr', null, h('th', null, t('cm.stateHash')), h('td', { class: 'mono', 'data-state-hash': '' }, status.state_hash)))));
      const sorted = [...peers].sort((a, b) => (b.connected - a.connected) || (a.name || '').localeCompare(b.name || '', 'vi'));
      fill(table, grid([t('pe.peer'), t('pe.state'), t('pe.progress'), [t('pe.received'), 'num'], [t('pe.sent'), 'num'], t('pe.lastSync'), t('pe.error')],
        sorted.map((p) => row([
          [p.name || cname(p.peer), h('span', { class: 'sub mono', title: p.peer }, '…' + shortID(p.peer))],
          td([h('span', { class: ['dot', p.syncing ? 'busy' : p.connected ? 'on' : ''] }),
            p.syncing ? t('pe.syncing') : p.connected ? t('pe.connected') : t('pe.offline')], 'nowrap'),
          progress(p),
          td(fmtNumber(p.received), 'num'), td(fmtNumber(p.sent), 'num'),
          td(fmtTime(p.last_sync), 'nowrap'),
          p.last_error ? td(p.last_error, 'small', { style: 'color:#a11b1b' }) : '',
        ], { 'data-peer': p.peer })), { empty: t('pe.none') }));
      updated.textContent = t('pe.updated', fmtTime(new Date().toISOString()));
    } catch (e) {
      if (ctx.alive()) fill(table, h('div', { class: 'error-box' }, errorText(e)));
    }
  };
  await refresh();
  const timer = setInterval(refresh, 2000);
  ctx.onLeave(() => clearInterval(timer));

  const addr = h('input', { type: 'text', name: 'peer', style: 'width:100%', autocomplete: 'off' });
  const result = h('div');
  const form = h('form', { 'data-form': 'sync', novalidate: true },
    h('label', { class: 'field' }, h('span', { class: 'req' }, t('pe.addr')), addr, h('span', { class: 'hint' }, t('pe.addrHint'))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('pe.syncNow'))), result);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      if (!addr.value.trim()) { addr.classList.add('invalid'); throw new Error(t('err.required', t('pe.addr'))); }
      fill(result, h('div', { class: 'note-box' }, t('pe.syncing')));
      try {
        const r = await post('/api/sync', { peer: addr.value.trim() });
        fill(result, h('div', { class: 'note-box' }, t('pe.syncDone', fmtNumber(r.received), fmtNumber(r.applied), fmtNumber(r.rejected), fmtNumber(r.sent))));
        refresh();
      } catch (e) {
        fill(result, h('div', { class: 'error-box' }, errorText(e)));
      }
    });
  });

  return h('div', null,
    pageHead(t('pe.title'), t('pe.sub'), updated),
    panel(t('pe.peers'), table, { flush: true }),
    h('div', { class: 'cols' },
      panel(t('pe.thisNode'), info),
      panel(t('pe.syncTitle'), form)));
}
