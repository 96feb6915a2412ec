// A member: record, conflicts, workflow items, history, and the steps this
// committee may take.

import { h, fill, fmtDate, fmtMonth, fmtTime, shortID } from '../util.js';
import { t, has } from '../i18n.js';
import { api, post } from '../api.js';
import { st, cname, fieldLabel, roles, activeResidence, transferUntil, leaveUntil, LEVEL_CODES, DATE_FIELDS, FIELDS } from '../state.js';
import { pageHead, panel, grid, row, td, badge, statusBadge, toast, printLink } from '../shell.js';
import { formGrid, readForm, submitting } from '../forms.js';
import { allowedSteps, stepForm, stepLabel } from '../steps.js';
import { GROUPS, recordFields, sexText } from './members.js';

export function fieldValue(name, v) {
  if (name === 'sex') return sexText(v);
  if (DATE_FIELDS.has(name)) return fmtDate(v);
  if (name === 'home') return cname(v);
  return v ?? '';
}

const COMMITTEE_KEYS = new Set(['residence', 'cell', 'destination', 'home', 'from_committee']);
const DATE_KEYS = new Set(['date', 'meeting', 'from', 'until', 'moved_on']);
const MONTH_KEYS = new Set(['dues_through', 'month']);
const HIDDEN_KEYS = new Set(['ref', 'comment']);
const KEY_ORDER = ['type', 'year', 'month', 'date', 'meeting', 'from', 'until', 'residence', 'destination', 'cell', 'address', 'status',
  'score', 'level', 'category', 'exempt_activity', 'exempt_category', 'fulfilled', 'valid', 'card', 'profile', 'register_line',
  'letter_line', 'dues_through', 'moved_on', 'study', 'place', 'itinerant', 'decider', 'decision', 'reason', 'late_reason', 'note',
  'self_assessment', 'text'];
const keyRank = (k) => { const i = KEY_ORDER.indexOf(k); return i < 0 ? KEY_ORDER.length : i; };

function typeLabel(kind, v) {
  if (kind === 'movement' && has('move.' + v)) return t('move.' + v);
  if (kind.startsWith('transfer') && has('ttype.' + v)) return t('ttype.' + v);
  if (kind.startsWith('exemption') && has('etype.' + v)) return t('etype.' + v);
  return v;
}

// detailText renders a workflow op's body summary for the history.
export function detailText(kind, detail) {
  const parts = [];
  for (const [k, v] of Object.entries(detail || {}).sort((a, b) => keyRank(a[0]) - keyRank(b[0]))) {
    if (HIDDEN_KEYS.has(k)) continue;
    let val = v;
    if (COMMITTEE_KEYS.has(k)) val = cname(v);
    else if (DATE_KEYS.has(k)) val = fmtDate(v);
    else if (MONTH_KEYS.has(k)) val = fmtMonth(v);
    else if (v === 'true') val = '✓';
    else if (k === 'status' && has('attend.' + v)) val = t('attend.' + v);
    else if (k === 'type') val = typeLabel(kind, v);
    else if ((k === 'category' || k === 'exempt_category') && has('ecat.' + v)) val = t('ecat.' + v);
    else if (k === 'level' && has('level.' + v)) val = `${t('level.' + v)} (${LEVEL_CODES[v] || v})`;
    parts.push([stepLabel(kind, k), val]);
  }
  return parts;
}

const kindClass = (kind) => 'k-' + kind.split(/[._]/)[0];

function kv(rows) {
  return h('table', { class: 'kv' }, h('tbody', null, rows.filter(Boolean).map(([k, v, attrs]) => h('tr', attrs, h('th', null, k), h('td', null, v)))));
}

function yes(b) { return b ? t('yes') : t('no'); }

export async function show(ctx) {
  const id = ctx.params.id;
  const m = await api(`/api/members/${id}`);
  ctx.setTitle(m.fields.name || t('member.noName'));
  const my = roles(m);
  const done = async (res, kind) => {
    toast(t('saved', t('kind.' + kind)));
    await ctx.rerender();
  };

  // The page follows the ledger: another committee's step shows up here
  // without reloading, unless the clerk is in the middle of a form.
  const note = h('div', { class: 'refresh-note' });
  const heads = JSON.stringify(m.heads || []);
  const poll = setInterval(async () => {
    if (!ctx.alive()) return;
    let fresh;
    try { fresh = await api(`/api/members/${id}`); } catch { return; }
    if (!ctx.alive() || JSON.stringify(fresh.heads || []) === heads) return;
    const busy = document.querySelector('main details[open]') || document.activeElement?.closest?.('main form');
    if (!busy) { ctx.rerender(); return; }
    fill(note, h('div', { class: 'note-box' }, t('member.changed'), ' ',
      h('button', { class: 'btn small', type: 'button', onclick: () => ctx.rerender() }, t('reload'))));
  }, 3000);
  ctx.onLeave(() => clearInterval(poll));

  const res = activeResidence(m);
  const printButtons = [
    res || (m.residence || []).length ? printLink('intro', id) : null,
    res ? printLink('comment-request', id) : null,
    (m.transfers || []).length ? printLink('transfer', id) : null,
    printLink('register', id),
  ];

  const head = h('div', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/members' }, t('members.title')), ' › ', m.fields.name || ''),
    pageHead(h('span', { class: 'member-head' }, h('span', { 'data-member-name': '' }, m.fields.name || t('member.noName')), statusBadge(m.status)),
      [m.home_name || cname(m.home), m.fields.card ? `${fieldLabel('card')}: ${m.fields.card}` : '', `ID ${m.id}`].filter(Boolean).join(' · '),
      ...printButtons));

  return h('div', { 'data-member': id },
    head, note,
    m.conflicts ? conflictsPanel(m, my, ctx) : null,
    h('div', { class: 'cols' },
      h('div', null,
        recordPanel(m),
        residencePanel(m),
        transfersPanel(m),
        exemptionsPanel(m),
        leavesPanel(m),
        ratingsPanel(m)),
      h('div', null,
        actionsPanel(m, my, done),
        historyPanel(m))));
}

function conflictsPanel(m, my, ctx) {
  const items = Object.entries(m.conflicts).map(([field, alts]) => {
    const reason = h('input', { type: 'text', name: 'reason', value: t('conflict.defaultReason'), style: 'width: 320px' });
    const box = h('div', { class: 'conflict', 'data-conflict': field },
      h('div', null, h('b', null, field === 'home' ? t('members.home') : fieldLabel(field)), ' — ', t('conflict.explain', alts.length)),
      alts.map((a, i) => h('div', { class: 'alt', 'data-alt': i },
        h('span', { class: 'val' }, fieldValue(field, a.value) || t('conflict.empty')),
        h('span', { class: 'muted small' }, t('conflict.by', cname(a.author), fmtTime(a.time))),
        field !== 'home' && my.has('home')
          ? h('button', { class: 'btn small', type: 'button', 'data-choose': i, onclick: (ev) => choose(ev.target, m, field, alts, i, reason, ctx) }, t('conflict.choose'))
          : null)),
      field === 'home'
        ? h('div', { class: 'hint' }, t('conflict.home'))
        : my.has('home') ? h('label', { class: 'field', style: 'margin-top:6px' }, t('sf.reason'), reason) : h('div', { class: 'hint' }, t('conflict.notHome')));
    return box;
  });
  return panel(t('member.conflicts'), items, { cls: 'conflicts' });
}

async function choose(btn, m, field, alts, i, reason, ctx) {
  const other = alts.find((_, j) => j !== i);
  const text = reason.value.trim();
  if (!text) { reason.classList.add('invalid'); reason.focus(); return; }
  btn.disabled = true;
  try {
    await post(`/api/members/${m.id}/correct`, { op: other.op, fields: { [field]: alts[i].value }, reason: text });
    toast(t('conflict.resolved', fieldLabel(field)));
    await ctx.rerender();
  } catch (e) {
    btn.disabled = false;
    toast(e.message, true);
  }
}

function recordPanel(m) {
  return panel(t('member.record'), GROUPS.map(([g, names]) => [
    h('h3', null, t(g)),
    kv(names.map((n) => [fieldLabel(n),
      m.conflicts?.[n] ? [fieldValue(n, m.fields[n]), ' ', badge('≠ ' + t('member.inConflict'), 'warn')] : fieldValue(n, m.fields[n]),
      { 'data-field': n }])),
  ]).concat([h('h3', null, t('group.home')), kv([[t('members.home'), m.home_name || cname(m.home)], [t('members.status'), statusBadge(m.status)]])]));
}

function residencePanel(m) {
  const links = [...(m.residence || [])].reverse();
  if (!links.length) return null;
  return panel(t('member.residence'), links.map((r) => h('div', { 'data-residence': r.intro },
    kv([
      [t('res.committee'), cname(r.residence)],
      [t('res.cell'), r.cell ? cname(r.cell) : h('span', { class: 'muted' }, t('res.notAccepted'))],
      [t('sf.address'), r.address],
      [t('res.introducedCol'), `${fmtDate(r.date)} — ${cname(r.home)}`],
      [t('res.accepted'), fmtDate(r.accepted) || '—'],
      [t('sf.exempt_activity'), r.exempt_activity ? `${t('yes')} (${t('ecat.' + r.exempt_category)})` : t('no')],
      r.ended ? [t('res.ended'), `${fmtDate(r.ended)}${r.end_reason ? ' — ' + r.end_reason : ''}`] : null,
    ]),
    (r.attendance || []).length ? [h('h3', null, t('res.attendance')),
      grid([t('sf.meeting'), t('sf.status'), t('sf.reason')],
        [...r.attendance].sort((a, b) => (a.meeting < b.meeting ? 1 : -1)).map((a) => row([fmtDate(a.meeting), badge(t('attend.' + a.status), a.status === 'present' ? 'ok' : a.status === 'excused' ? 'warn' : 'bad'), a.reason || '']))),
    ] : null,
    (r.requests || []).length ? [h('h3', null, t('res.requests')),
      h('ul', null, r.requests.map((q) => h('li', null, t('res.requestLine', q.year, fmtDate(q.date)))))] : null,
    (r.comments || []).length ? [h('h3', null, t('res.comments')),
      r.comments.map((c) => h('div', { class: 'note-box', 'data-comment': c.year },
        h('div', null, h('b', null, t('res.commentYear', c.year)), ' · ', fmtDate(c.date), ' · ', cname(c.author), ' · ',
          badge(c.fulfilled ? t('comment.fulfilled') : t('comment.notFulfilled'), c.fulfilled ? 'ok' : 'bad')),
        h('div', { class: 'comment-text' }, c.text)))] : null)),
  { right: [printLink('intro', m.id, '', true), activeResidence(m) ? printLink('comment-request', m.id, '', true) : null] });
}

function transfersPanel(m) {
  const ts = m.transfers || [];
  if (!ts.length) return null;
  return panel(t('member.transfers'), grid(
    [t('sf.type'), t('sf.destination'), t('tr.issued'), t('sf.letter_line'), t('tr.presented'), t('tr.accepted'), t('tr.until'), t('tr.state'), ''],
    [...ts].reverse().map((x) => row([
      t('ttype.' + x.type),
      [cname(x.destination), x.cell ? h('span', { class: 'sub' }, cname(x.cell)) : null],
      fmtDate(x.date), x.letter_line || '', fmtDate(x.presented), fmtDate(x.accepted),
      x.type === 'temporary' ? fmtDate(transferUntil(x)) : '',
      x.ended ? t('tr.ended', fmtDate(x.ended)) : x.accepted ? (x.type === 'temporary' ? t('tr.running') : t('tr.done')) : t('tr.inFlight'),
      printLink('transfer', m.id, '?issue=' + x.issue, true),
    ]))), { flush: true });
}

function exemptionsPanel(m) {
  const es = m.exemptions || [];
  if (!es.length) return null;
  return panel(t('member.exemptions'), grid(
    [t('sf.type'), t('sf.category'), t('sf.from'), t('sf.until'), t('sf.decider'), t('sf.reason'), t('ex.ended')],
    [...es].reverse().map((e) => row([t('etype.' + e.type), t('ecat.' + e.category), fmtDate(e.from), fmtDate(e.until), e.decider || '', e.reason || '',
      e.ended ? `${fmtDate(e.ended)}${e.end_reason ? ' — ' + e.end_reason : ''}` : '']))), { flush: true });
}

function leavesPanel(m) {
  const ls = m.leaves || [];
  if (!ls.length) return null;
  return panel(t('member.leaves'), [...ls].reverse().map((v) => h('div', { style: 'padding-bottom:6px' },
    kv([
      [t('lv.period'), `${fmtDate(v.from)} – ${fmtDate(leaveUntil(v))}${v.extensions?.length ? ' ' + t('lv.extended', v.extensions.length) : ''}`],
      [t('sf.destination'), v.destination ? cname(v.destination) : v.itinerant ? t('lv.itinerant') : (v.place || '—')],
      v.place && v.destination ? [t('sf.place'), v.place] : null,
      v.reason ? [t('sf.reason'), v.reason] : null,
      [t('lv.selfReview'), (v.self_reviews || []).map((r) => h('div', null, fmtDate(r.date), ': ', r.text)).concat(v.self_reviews?.length ? [] : ['—'])],
      [t('lv.destComment'), (v.comments || []).map((r) => h('div', null, fmtDate(r.date), ' · ', cname(r.author), ': ', r.text)).concat(v.comments?.length ? [] : ['—'])],
      v.ended ? [t('lv.ended'), fmtDate(v.ended)] : null,
    ]))));
}

function ratingsPanel(m) {
  const rs = m.ratings || [];
  const ia = m.inactive || [];
  if (!rs.length && !ia.length) return null;
  return panel(t('member.ratings'), [
    rs.length ? grid([t('sf.year'), t('sf.score'), t('rating.level'), t('sf.decision'), t('sf.date')],
      [...rs].sort((a, b) => b.year - a.year).map((r) => row([String(r.year), td(String(r.score), 'num'),
        badge(`${t('level.' + r.level)} (${LEVEL_CODES[r.level]})`, r.level), r.decision || '', fmtDate(r.date)]))) : null,
    ia.length ? [h('h3', null, t('member.inactive')), grid([t('sf.month'), t('sf.valid'), t('sf.reason')],
      ia.map((x) => row([fmtMonth(x.month), yes(x.valid), x.reason || ''])))] : null,
  ]);
}

function actionsPanel(m, my, done) {
  const steps = allowedSteps(m, my);
  const items = [];
  if (my.has('home')) items.push(editAction(m, done));
  for (const s of steps) {
    const d = h('details', { class: 'action', 'data-action': s.kind }, h('summary', null, t('kind.' + s.kind)));
    d.addEventListener('toggle', () => {
      if (d.open && !d.querySelector('form')) d.append(stepForm(s, m, done));
    });
    items.push(d);
  }
  const capacity = [...my].map((r) => t('role.' + r)).join(', ');
  return panel(t('member.actions'), items.length
    ? [h('p', { class: 'hint' }, t('member.actingAs', st.status.name, capacity)), h('div', { class: 'actions-list' }, items)]
    : h('div', { class: 'empty' }, t('member.noActions')));
}

function editAction(m, done) {
  const d = h('details', { class: 'action', 'data-action': 'member.set' }, h('summary', null, t('kind.member.set')));
  d.addEventListener('toggle', () => {
    if (!d.open || d.querySelector('form')) return;
    const fields = recordFields();
    const form = h('form', { novalidate: true, 'data-kind': 'member.set' }, formGrid(fields, m.fields),
      h('div', { class: 'form-actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('save'))));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submitting(form, async () => {
        const vals = readForm(form, fields);
        const changed = {};
        for (const f of fields) {
          const v = vals[f.name] === undefined ? '' : String(vals[f.name]);
          if (v !== (m.fields[f.name] || '') && v !== '') changed[f.name] = v;
        }
        if (!Object.keys(changed).length) { toast(t('nothingChanged')); return; }
        await post(`/api/members/${m.id}/fields`, { fields: changed });
        await done(null, 'member.set');
      });
    });
    d.append(form);
  });
  return d;
}

function historyPanel(m) {
  const hs = [...(m.history || [])].reverse();
  return panel(t('member.history'), h('ul', { class: 'timeline' }, hs.map((e) => {
    const lines = [];
    if (e.changes) {
      const rank = (k) => (FIELDS.includes(k) ? FIELDS.indexOf(k) : FIELDS.length);
      for (const [k, v] of Object.entries(e.changes).sort((a, b) => rank(a[0]) - rank(b[0]))) lines.push([k === 'home' ? t('members.home') : fieldLabel(k), fieldValue(k, v)]);
    }
    if (e.movement) {
      lines.push([t('sf.type'), t('move.' + e.movement.type)], [t('sf.date'), fmtDate(e.movement.date)]);
      if (e.movement.decision) lines.push([t('sf.decision'), e.movement.decision]);
      if (e.movement.reason) lines.push([t('sf.reason'), e.movement.reason]);
    }
    if (e.corrects) lines.push([t('hist.corrects'), shortID(e.corrects)]);
    if (e.reason && !e.movement) lines.push([t('sf.reason'), e.reason]);
    lines.push(...detailText(e.kind, e.detail));
    return h('li', { class: kindClass(e.kind), 'data-kind': e.kind },
      h('div', null, h('span', { class: 'what' }, has('kind.' + e.kind) ? t('kind.' + e.kind) : e.kind), ' ',
        h('span', { class: 'when' }, '· ', fmtTime(e.time), ' · ', e.author_name || cname(e.author))),
      lines.length ? h('div', { class: 'det' }, lines.map(([k, v], i) => [i ? '; ' : '', h('span', { class: 'muted' }, k + ': '), v])) : null);
  })), { flush: true });
}
