// The member list (search, filters, pages) and the form adding a member.

import { h, fill, fmtDate, fmtNumber } from '../util.js';
import { t } from '../i18n.js';
import { api, post } from '../api.js';
import { st, cname, subtree, fieldLabel, FIELDS, DATE_FIELDS } from '../state.js';
import { pageHead, panel, grid, row, td, statusBadge, memberLink, loading, errorBox } from '../shell.js';
import { formGrid, readForm, submitting, errorText } from '../forms.js';

const PAGE = 100;
export const STATUSES = ['probationary', 'full', 'exempt', 'temporarily_exempt', 'left'];

export function sexText(v) { return v === 'M' ? t('sex.M') : v === 'F' ? t('sex.F') : (v || ''); }

export async function list(ctx) {
  const q = {
    q: ctx.query.get('q') || '',
    status: ctx.query.get('status') || '',
    home: ctx.query.get('home') || '',
    page: Math.max(0, +(ctx.query.get('page') || 0)),
  };
  const search = h('input', { type: 'search', name: 'q', value: q.q, placeholder: t('members.searchHint'), autocomplete: 'off' });
  const status = h('select', { name: 'status' }, h('option', { value: '' }, t('all')),
    STATUSES.map((s) => h('option', { value: s, selected: s === q.status }, t('status.' + s))));
  const home = h('select', { name: 'home' }, h('option', { value: '' }, t('all')),
    subtree().map((c) => h('option', { value: c.id, selected: c.id === q.home }, '\u00a0'.repeat(2 * Math.max(0, c.depth - (st.status.committee?.depth || 0))) + c.name)));
  const body = h('div', { 'data-list': '' }, loading());
  const count = h('span', { class: 'muted small' });

  let timer;
  let seq = 0;
  const load = async () => {
    const my = ++seq;
    const params = new URLSearchParams();
    for (const k of ['q', 'status', 'home']) if (q[k]) params.set(k, q[k]);
    const hashQ = new URLSearchParams(params);
    if (q.page) hashQ.set('page', q.page);
    history.replaceState(null, '', '#/members' + (hashQ.toString() ? '?' + hashQ : ''));
    params.set('offset', q.page * PAGE);
    params.set('limit', PAGE + 1);
    try {
      const ms = await api('/api/members?' + params);
      if (my !== seq || !ctx.alive()) return;
      const more = ms.length > PAGE;
      const shown = ms.slice(0, PAGE);
      count.textContent = shown.length
        ? t('members.range', fmtNumber(q.page * PAGE + 1), fmtNumber(q.page * PAGE + shown.length))
        : '';
      fill(body,
        grid([['#', 'num'], fieldLabel('name'), fieldLabel('sex'), fieldLabel('born'), fieldLabel('card'), t('members.home'), fieldLabel('admitted'), t('members.status')],
          shown.map((m, i) => row([
            td(fmtNumber(q.page * PAGE + i + 1), 'num'),
            td([memberLink(m.id, m.fields.name), m.conflicts ? h('span', { class: 'badge warn', title: t('member.conflicts') }, '≠') : null]),
            sexText(m.fields.sex),
            td(fmtDate(m.fields.born), 'nowrap'),
            td(m.fields.card || '', 'mono'),
            m.home_name || cname(m.home),
            td(fmtDate(m.fields.admitted), 'nowrap'),
            statusBadge(m.status),
          ], { 'data-id': m.id })),
          { empty: q.q || q.status || q.home ? t('members.noneFound') : t('members.none') }),
        h('div', { class: 'pager' },
          h('button', { class: 'btn small', type: 'button', disabled: q.page === 0, onclick: () => { q.page--; load(); } }, '‹ ', t('prev')),
          h('span', null, t('page', q.page + 1)),
          h('button', { class: 'btn small', type: 'button', disabled: !more, onclick: () => { q.page++; load(); } }, t('next'), ' ›')));
    } catch (e) {
      if (my === seq) fill(body, errorBox(errorText(e)));
    }
  };
  const changed = () => { q.q = search.value.trim(); q.status = status.value; q.home = home.value; q.page = 0; load(); };
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(changed, 250); });
  status.addEventListener('change', changed);
  home.addEventListener('change', changed);
  ctx.onLeave(() => clearTimeout(timer));
  load();

  return h('div', null,
    pageHead(t('members.title'), t('members.sub', st.status.name, fmtNumber(st.status.members)),
      h('a', { class: 'btn primary', href: '#/members/new', 'data-action': 'new-member' }, '+ ', t('members.add')),
      h('a', { class: 'btn', href: '/api/export?format=xlsx' }, t('io.exportXlsx'))),
    panel(null, [
      h('form', { class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); changed(); } },
        h('label', { class: 'grow' }, t('members.search'), search),
        h('label', null, t('members.status'), status),
        h('label', null, t('members.home'), home),
        count),
      body,
    ], { flush: true }));
}

// recordFields describes the member record fields as form fields.
export function recordFields(names = FIELDS) {
  return names.map((n) => {
    const f = { name: n, label: fieldLabel(n), type: DATE_FIELDS.has(n) ? 'date' : 'text' };
    if (n === 'sex') Object.assign(f, { type: 'select', empty: '—', options: [['M', t('sex.M')], ['F', t('sex.F')]] });
    if (n === 'name') f.required = true;
    if (n === 'address' || n === 'temp_address' || n === 'workplace') f.wide = true;
    if (n === 'card') f.hint = t('hint.card');
    if (n === 'profile') f.hint = t('hint.profile');
    if (n === 'citizen_id') f.hint = t('hint.citizen');
    return f;
  });
}

export const GROUPS = [
  ['group.identity', ['name', 'sex', 'born', 'birthplace', 'hometown', 'ethnicity', 'religion', 'citizen_id', 'address', 'temp_address', 'phone']],
  ['group.work', ['occupation', 'workplace', 'education', 'theory']],
  ['group.party', ['card', 'profile', 'register_line', 'admitted', 'full', 'badge']],
];

export async function create(ctx) {
  ctx.setTitle(t('members.add'));
  const homes = subtree().filter((c) => !c.revoked);
  const homeField = { name: 'home', label: t('members.home'), type: 'select', options: homes.map((c) => [c.id, c.name]) };
  const all = GROUPS.flatMap(([, names]) => recordFields(names));
  const form = h('form', { 'data-form': 'new-member', novalidate: true },
    GROUPS.map(([g, names]) => h('fieldset', null, h('legend', null, t(g)), formGrid(recordFields(names)))),
    h('fieldset', null, h('legend', null, t('group.home')), formGrid([homeField], { home: st.me })),
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn primary', type: 'submit' }, t('members.create')),
      h('a', { class: 'btn', href: '#/members' }, t('cancel'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const fields = readForm(form, all);
      const { home } = readForm(form, [homeField]);
      for (const k of Object.keys(fields)) fields[k] = String(fields[k]);
      const res = await post('/api/members', { home, fields });
      ctx.go('member/' + res.id);
    });
  });
  return h('div', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/members' }, t('members.title')), ' › ', t('members.add')),
    pageHead(t('members.add'), t('members.addSub', st.status.name)),
    panel(null, form));
}
