// The web UI: header, navigation and hash routes (#/members, #/member/ID, ...).

import { h, fill, fmtDate } from './util.js';
import { t, lang, setLang } from './i18n.js';
import { api, ApiError } from './api.js';
import { st, loadBase, cname } from './state.js';
import { errorBox, loading } from './shell.js';
import { errorText } from './forms.js';

import * as members from './pages/members.js';
import * as member from './pages/member.js';
import * as residence from './pages/residence.js';
import * as transfers from './pages/transfers.js';
import * as exemptions from './pages/exemptions.js';
import * as leaves from './pages/leaves.js';
import * as ratings from './pages/ratings.js';
import * as alerts from './pages/alerts.js';
import * as reconcile from './pages/reconcile.js';
import * as stats from './pages/stats.js';
import * as committees from './pages/committees.js';
import * as peers from './pages/peers.js';
import * as io from './pages/io.js';

const ROUTES = [
  { path: 'members', page: members.list, nav: 'members' },
  { path: 'members/new', page: members.create, nav: 'members' },
  { path: 'member/:id', page: member.show, nav: 'members' },
  { path: 'residence', page: residence.show, nav: 'residence' },
  { path: 'transfers', page: transfers.show, nav: 'transfers' },
  { path: 'exemptions', page: exemptions.show, nav: 'exemptions' },
  { path: 'leaves', page: leaves.show, nav: 'leaves' },
  { path: 'ratings', page: ratings.show, nav: 'ratings' },
  { path: 'alerts', page: alerts.show, nav: 'alerts' },
  { path: 'reconcile', page: reconcile.show, nav: 'reconcile' },
  { path: 'stats', page: stats.show, nav: 'stats' },
  { path: 'committees', page: committees.show, nav: 'committees' },
  { path: 'peers', page: peers.show, nav: 'peers' },
  { path: 'io', page: io.show, nav: 'io' },
];

const NAV = [
  ['nav.group.registry', ['members']],
  ['nav.group.work', ['residence', 'transfers', 'exemptions', 'leaves', 'ratings']],
  ['nav.group.oversight', ['alerts', 'reconcile', 'stats']],
  ['nav.group.network', ['committees', 'peers', 'io']],
];

let current = { leave: [] };
let renderSeq = 0;
let alertCount = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  return { path: path || 'members', query: new URLSearchParams(qs || '') };
}

function match(path) {
  const segs = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    const rs = r.path.split('/');
    if (rs.length !== segs.length) continue;
    const params = {};
    if (rs.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(segs[i])), true) : p === segs[i]))) {
      return { route: r, params };
    }
  }
  return null;
}

// go navigates to a hash route with an optional query.
export function go(path, query) {
  const qs = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString() : '';
  const next = '#/' + path + (qs ? '?' + qs : '');
  if (location.hash === next) render();
  else location.hash = next;
}

function header() {
  document.documentElement.lang = lang();
  document.getElementById('brand-name').textContent = t('app.name');
  const org = document.getElementById('org');
  if (st.status) {
    const c = st.status.committee;
    fill(org,
      h('span', { class: 'name', title: st.me }, st.status.name || t('committee.unchartered')),
      h('span', { class: 'sub' }, [c ? t('level.' + c.level) : '', c?.parent ? ' · ' + t('under', cname(c.parent)) : ''].join('')));
    document.getElementById('today').textContent = t('today', fmtDate(st.today));
  }
  for (const b of document.querySelectorAll('.lang button')) b.classList.toggle('on', b.dataset.lang === lang());
}

function nav(active) {
  const el = document.getElementById('nav');
  fill(el, NAV.map(([group, items]) => [
    h('div', { class: 'group' }, t(group)),
    items.map((id) => h('a', { href: '#/' + id, class: id === active ? 'on' : '', 'data-nav': id },
      h('span', null, t('nav.' + id)),
      id === 'alerts' && alertCount !== null ? h('span', { class: ['count', alertCount === 0 && 'zero'] }, String(alertCount)) : null)),
  ]));
}

async function refreshAlertCount() {
  try {
    alertCount = (await api('/api/alerts/summary')).total;
  } catch {
    alertCount = null;
  }
  nav(match(parseHash().path)?.route.nav);
}

function leavePage() {
  for (const fn of current.leave) {
    try { fn(); } catch { /* a page's cleanup must not stop the next page */ }
  }
  current = { leave: [] };
}

export async function render() {
  const seq = ++renderSeq;
  leavePage();
  const main = document.getElementById('main');
  const { path, query } = parseHash();
  const m = match(path);
  header();
  nav(m?.route.nav);
  if (!m) {
    fill(main, errorBox(t('err.noPage')));
    return;
  }
  const ctx = {
    params: m.params,
    query,
    alive: () => seq === renderSeq,
    onLeave: (fn) => current.leave.push(fn),
    go,
    rerender: render,
    alertsChanged,
    setTitle: (s) => { document.title = `${s} — ${st.status?.name || t('app.name')}`; },
  };
  ctx.setTitle(t('nav.' + m.route.nav));
  fill(main, loading());
  try {
    const node = await m.route.page(ctx);
    if (seq !== renderSeq) return;
    fill(main, node);
    main.dataset.page = m.route.path;
    main.dataset.ready = String(seq);
  } catch (e) {
    if (seq !== renderSeq) return;
    if (e instanceof ApiError && e.status === 401) return showLogin();
    fill(main, errorBox(errorText(e)));
  }
}

function showLogin() {
  const main = document.getElementById('main');
  document.getElementById('nav').replaceChildren();
  const input = h('input', { type: 'text', name: 'token', autocomplete: 'off', style: 'width:100%' });
  fill(main, h('div', { class: 'panel login' },
    h('div', { class: 'ph' }, h('h2', null, t('login.title'))),
    h('div', { class: 'pb' },
      h('p', null, t('login.text')),
      h('p', { class: 'mono' }, 'lienthong token --dir …'),
      h('form', { onsubmit: (ev) => { ev.preventDefault(); if (input.value.trim()) location.href = '/?token=' + encodeURIComponent(input.value.trim()); } },
        h('label', { class: 'field' }, t('login.token'), input),
        h('div', { class: 'form-actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('login.open')))))));
}

async function start() {
  for (const b of document.querySelectorAll('.lang button')) {
    b.addEventListener('click', () => { setLang(b.dataset.lang); render(); });
  }
  header();
  try {
    await loadBase();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showLogin();
    fill(document.getElementById('main'), errorBox(errorText(e)));
    return;
  }
  window.addEventListener('hashchange', render);
  await render();
  refreshAlertCount();
  setInterval(refreshAlertCount, 60000);
}

export function alertsChanged(n) {
  alertCount = n;
  nav(match(parseHash().path)?.route.nav);
}

start();
