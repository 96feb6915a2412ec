// Residence (Regulation 213): members registered here, members this
// committee introduced elsewhere, meeting attendance, annual comments.

import { h, fmtDate, addDays, yearOf, sortByName, parseDate } from '../util.js';
import { t } from '../i18n.js';
import { api, step } from '../api.js';
import { st, cname, inScope, cellsUnder } from '../state.js';
import { pageHead, panel, grid, row, td, badge, memberLink, toast, printLink } from '../shell.js';
import { submitting, errorText, control } from '../forms.js';

// yearSummary counts a link's attendance in a year.
export function yearSummary(r, year) {
  const in_ = (r.attendance || []).filter((a) => yearOf(a.meeting) === year);
  const present = in_.filter((a) => a.status === 'present').length;
  const absent = in_.filter((a) => a.status === 'absent').length;
  const last = [...(r.attendance || [])].sort((a, b) => (a.meeting < b.meeting ? 1 : -1))[0];
  return { meetings: in_.length, present, absent, last };
}

export const commentFor = (r, year) => (r.comments || []).filter((c) => c.year === year).pop() || null;
export const requestFor = (r, year) => (r.requests || []).filter((q) => q.year === year).pop() || null;

function yearPicker(ctx, year, path) {
  const cur = yearOf(st.today);
  const sel = h('select', { name: 'year', onchange: () => ctx.go(path, { year: sel.value }) },
    [cur + 1, cur, cur - 1, cur - 2, cur - 3].map((y) => h('option', { value: y, selected: y === year }, String(y))));
  return h('label', { class: 'field' }, t('sf.year'), sel);
}

export async function show(ctx) {
  const year = +(ctx.query.get('year') || yearOf(st.today));
  const [members, future] = await Promise.all([
    api('/api/members?has=residence'),
    api('/api/alerts?rule=residence.not_accepted&at=' + addDays(st.today, 120)).catch(() => []),
  ]);
  const due = new Map(future.filter((a) => a.rule === 'residence.not_accepted').map((a) => [a.ref, a.due]));
  sortByName(members);

  const here = [];
  const mine = [];
  for (const m of members) {
    for (const r of m.residence || []) {
      if (!r.ended && (inScope(r.residence) || inScope(r.cell))) here.push({ m, r });
      if (inScope(r.home)) mine.push({ m, r });
    }
  }
  const pending = here.filter((x) => !x.r.accepted);
  const registered = here.filter((x) => x.r.accepted);
  const toWrite = registered.filter(({ r }) => !commentFor(r, year) &&
    (requestFor(r, year) || (!r.exempt_activity && (year < yearOf(st.today) || st.today >= `${year}-11-01`))));
  const done = async (msg) => { toast(msg); await ctx.rerender(); };

  const showHere = here.length > 0 || st.status.kind !== 'workplace';
  const showMine = mine.length > 0 || st.status.kind !== 'residential';
  return h('div', null,
    pageHead(t('res.title'), t('res.sub'), yearPicker(ctx, year, 'residence')),
    showHere ? [
      h('h2', { class: 'section' }, t('res.hereTitle', st.status.name)),
      panel(t('res.pending', pending.length), pendingTable(pending, due, done), { flush: true, id: 'res-pending' }),
      panel(t('res.registered', registered.length), registeredTable(registered, year), { flush: true, id: 'res-registered' }),
      registered.length ? panel(t('res.sheet'), attendanceSheet(registered, done), { id: 'res-sheet' }) : null,
      panel(t('res.toWrite', year, toWrite.length), commentsToWrite(toWrite, year, done), { flush: true, id: 'res-to-write' }),
    ] : null,
    showMine ? [
      h('h2', { class: 'section' }, t('res.mineTitle')),
      panel(t('res.introduced', mine.filter((x) => !x.r.ended).length), introducedTable(mine.filter((x) => !x.r.ended), year, done), { flush: true, id: 'res-introduced' }),
      panel(t('res.received', year), receivedList(mine, year), { flush: true, id: 'res-received' }),
    ] : null,
    !showHere ? h('p', { class: 'hint' }, t('res.noneHere', st.status.name)) : null);
}

function pendingTable(list, due, done) {
  return grid([t('field.name'), t('res.workplace'), t('sf.address'), t('res.introducedCol'), t('res.deadline'), t('res.acceptAs'), ''],
    list.map(({ m, r }) => {
      const cells = cellsUnder(r.residence);
      const cell = h('select', { name: 'cell' }, cells.map((c) => h('option', { value: c.id, selected: c.id === st.me }, c.name)));
      const date = control({ name: 'date', type: 'date' }, st.today);
      const d = due.get(r.intro);
      const form = h('form', { class: 'inline', 'data-accept': m.id, style: 'display:flex; gap:6px; align-items:center' },
        cell, date, h('button', { class: 'btn small primary', type: 'submit' }, t('res.accept')));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        submitting(form, async () => {
          const when = parseDate(date.value);
          if (!when) throw new Error(t('err.date', t('sf.date')));
          await step(m.id, 'residence.accept', { ref: r.intro, cell: cell.value, date: when });
          await done(t('res.acceptedToast', m.fields.name, cname(cell.value)));
        });
      });
      return row([
        memberLink(m.id, m.fields.name),
        cname(r.home),
        r.address,
        td(fmtDate(r.date), 'nowrap'),
        d ? td([fmtDate(d), ' ', d < st.today ? badge(t('sev.overdue'), 'overdue') : null], 'nowrap') : '',
        td(form),
        printLink('intro', m.id, '', true),
      ], { 'data-member': m.id });
    }), { empty: t('res.noPending') });
}

function registeredTable(list, year) {
  return grid([t('field.name'), t('res.workplace'), t('sf.address'), t('res.cell'), t('res.accepted'), [t('res.meetings', year), 'num'], [t('res.absences'), 'num'], t('res.lastMeeting'), t('res.commentCol', year)],
    list.map(({ m, r }) => {
      const s = yearSummary(r, year);
      const c = commentFor(r, year);
      return row([
        [memberLink(m.id, m.fields.name), r.exempt_activity ? h('span', { class: 'sub' }, t('res.exemptActivity', t('ecat.' + r.exempt_category))) : null],
        cname(r.home), r.address, cname(r.cell), td(fmtDate(r.accepted), 'nowrap'),
        td(`${s.present}/${s.meetings}`, 'num'),
        td(String(s.absent), 'num', s.absent >= 3 ? { style: 'color:#a11b1b;font-weight:600' } : null),
        s.last ? td([fmtDate(s.last.meeting), ' ', badge(t('attend.' + s.last.status), s.last.status === 'present' ? 'ok' : s.last.status === 'excused' ? 'warn' : 'bad')], 'nowrap') : '—',
        c ? badge(c.fulfilled ? t('comment.fulfilled') : t('comment.notFulfilled'), c.fulfilled ? 'ok' : 'bad') : h('span', { class: 'muted' }, t('res.noComment')),
      ], { 'data-member': m.id });
    }), { empty: t('res.noRegistered') });
}

function attendanceSheet(list, done) {
  const meeting = control({ name: 'meeting', type: 'date' }, st.today);
  const rows = list.map(({ m, r }) => {
    const name = `att-${m.id}`;
    const radio = (v, checked) => h('label', { class: 'check', style: 'display:inline-flex;margin-right:10px' },
      h('input', { type: 'radio', name, value: v, checked }), t(v ? 'attend.' + v : 'attend.none'));
    const reason = h('input', { type: 'text', name: 'reason', style: 'width:100%' });
    return { m, r, reason, tr: row([memberLink(m.id, m.fields.name), cname(r.cell),
      td([radio('present', !r.exempt_activity), radio('excused', false), radio('absent', false), radio('', !!r.exempt_activity)], 'nowrap'), reason],
    { 'data-member': m.id }) };
  });
  const status = h('span', { class: 'hint' });
  const form = h('form', { 'data-form': 'attendance', novalidate: true },
    h('div', { class: 'form-grid', style: 'margin-bottom:8px' }, h('label', null, h('span', { class: 'req' }, t('sf.meeting')), meeting)),
    grid([t('field.name'), t('res.cell'), t('sf.status'), t('sf.reason')], rows.map((x) => x.tr)),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('res.saveSheet')), status));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const when = parseDate(meeting.value);
      if (!when) throw Object.assign(new Error(t('err.date', t('sf.meeting'))), { field: 'meeting' });
      let n = 0;
      const failed = [];
      for (const x of rows) {
        const v = form.querySelector(`input[name="att-${x.m.id}"]:checked`)?.value;
        if (!v) continue;
        status.textContent = t('res.saving', n + 1);
        try {
          await step(x.m.id, 'residence.attendance', { ref: x.r.intro, meeting: when, status: v, reason: x.reason.value.trim() });
          n++;
        } catch (e) {
          failed.push(`${x.m.fields.name}: ${errorText(e)}`);
        }
      }
      if (failed.length) throw new Error(failed.join('; '));
      await done(t('res.sheetSaved', n, fmtDate(when)));
    });
  });
  return form;
}

function commentsToWrite(list, year, done) {
  return grid([t('field.name'), t('res.workplace'), t('res.requested'), t('res.meetings', year), t('res.comment')],
    list.map(({ m, r }) => {
      const s = yearSummary(r, year);
      const q = requestFor(r, year);
      const verdict = h('select', { name: 'fulfilled' },
        h('option', { value: '1' }, t('comment.fulfilled')), h('option', { value: '' }, t('comment.notFulfilled')));
      const text = h('textarea', { name: 'text', rows: 2 });
      const form = h('form', { 'data-comment-form': m.id, novalidate: true }, verdict, text,
        h('div', { class: 'form-actions', style: 'margin-top:4px' }, h('button', { class: 'btn small primary', type: 'submit' }, t('res.sendComment'))));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        submitting(form, async () => {
          if (!text.value.trim()) { text.classList.add('invalid'); throw new Error(t('err.required', t('res.comment'))); }
          await step(m.id, 'residence.comment', { ref: r.intro, year, date: st.today, fulfilled: verdict.value === '1', text: text.value.trim() });
          await done(t('res.commentSent', m.fields.name));
        });
      });
      return row([memberLink(m.id, m.fields.name), cname(r.home), q ? fmtDate(q.date) : h('span', { class: 'muted' }, t('res.notRequested')),
        `${s.present}/${s.meetings}`, td(form, null, { style: 'min-width:320px' })], { 'data-member': m.id });
    }), { empty: t('res.noneToWrite') });
}

function introducedTable(list, year, done) {
  return grid([t('field.name'), t('res.committee'), t('res.introducedCol'), t('res.accepted'), [t('res.meetings', year), 'num'], [t('res.absences'), 'num'], t('res.requestCol', year), t('res.commentCol', year), t('print.forms')],
    list.map(({ m, r }) => {
      const s = yearSummary(r, year);
      const q = requestFor(r, year);
      const c = commentFor(r, year);
      const ask = h('button', { class: 'btn small', type: 'button', 'data-request': m.id, onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          await step(m.id, 'residence.comment_request', { ref: r.intro, year, date: st.today });
          await done(t('res.requestSent', m.fields.name));
        } catch (e) { ev.target.disabled = false; toast(errorText(e), true); }
      } }, t('res.ask'));
      return row([
        memberLink(m.id, m.fields.name),
        td([cname(r.residence), r.cell ? h('span', { class: 'sub' }, cname(r.cell)) : null], 'nowrap'),
        td(fmtDate(r.date), 'nowrap'),
        r.accepted ? td(fmtDate(r.accepted), 'nowrap') : badge(t('res.notAccepted'), 'warn'),
        td(`${s.present}/${s.meetings}`, 'num'),
        td(String(s.absent), 'num', s.absent >= 3 ? { style: 'color:#a11b1b;font-weight:600' } : null),
        q ? fmtDate(q.date) : (r.exempt_activity ? h('span', { class: 'muted' }, t('res.exemptShort')) : ask),
        c ? badge(c.fulfilled ? t('comment.fulfilled') : t('comment.notFulfilled'), c.fulfilled ? 'ok' : 'bad') : h('span', { class: 'muted' }, t('res.noComment')),
        td(h('div', { style: 'display:flex;flex-direction:column;gap:3px;align-items:flex-start' },
          printLink('intro', m.id, '', true), printLink('comment-request', m.id, '?year=' + year, true))),
      ], { 'data-member': m.id });
    }), { empty: t('res.noneIntroduced') });
}

function receivedList(list, year) {
  const items = [];
  for (const { m, r } of list) {
    for (const c of r.comments || []) if (c.year === year) items.push({ m, r, c });
  }
  return grid([t('field.name'), t('res.from'), t('sf.date'), t('res.verdict'), t('res.comment')],
    items.map(({ m, c }) => row([memberLink(m.id, m.fields.name), cname(c.author), td(fmtDate(c.date), 'nowrap'),
      badge(c.fulfilled ? t('comment.fulfilled') : t('comment.notFulfilled'), c.fulfilled ? 'ok' : 'bad'), c.text], { 'data-member': m.id })),
  { empty: t('res.noneReceived', year) });
}
