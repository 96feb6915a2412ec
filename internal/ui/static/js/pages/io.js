// Import a register (.csv or .xlsx) and export the member register.

import { h, fill, fmtNumber } from '../util.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { st, subtree } from '../state.js';
import { pageHead, panel, grid, row, td } from '../shell.js';
import { submitting } from '../forms.js';

export async function show() {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const home = h('select', { name: 'home' }, subtree().filter((c) => !c.revoked).map((c) => h('option', { value: c.id, selected: c.id === st.me }, c.name)));
  const result = h('div');
  const form = h('form', { 'data-form': 'import', novalidate: true },
    h('div', { class: 'form-grid' },
      h('label', { class: 'wide' }, h('span', { class: 'req' }, t('io.file')), file, h('span', { class: 'hint' }, t('io.fileHint'))),
      h('label', null, t('io.home'), home, h('span', { class: 'hint' }, t('io.homeHint')))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn primary', type: 'submit' }, t('io.import'))), result);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const f = file.files[0];
      if (!f) { file.classList.add('invalid'); throw new Error(t('err.required', t('io.file'))); }
      const ext = f.name.toLowerCase().split('.').pop();
      if (ext !== 'csv' && ext !== 'xlsx') throw new Error(t('io.badType'));
      fill(result, h('div', { class: 'note-box' }, t('io.importing', f.name)));
      const params = new URLSearchParams({ format: ext });
      if (home.value && home.value !== st.me) params.set('home', home.value);
      try {
        const rep = await api('/api/import?' + params, { method: 'POST', body: f, raw: true });
        fill(result, report(rep, f.name));
      } catch (e) {
        fill(result);
        throw e;
      }
    });
  });

  return h('div', null,
    pageHead(t('io.title'), t('io.sub')),
    h('div', { class: 'cols' },
      panel(t('io.importTitle'), [h('p', { class: 'hint' }, t('io.importHelp')), form]),
      panel(t('io.exportTitle'), [
        h('p', { class: 'hint' }, t('io.exportHelp')),
        h('div', { style: 'display:flex;gap:8px;flex-wrap:wrap' },
          h('a', { class: 'btn primary', href: '/api/export?format=xlsx', 'data-export': 'xlsx' }, t('io.exportXlsx')),
          h('a', { class: 'btn', href: '/api/export?format=csv', 'data-export': 'csv' }, t('io.exportCsv'))),
        h('h3', null, t('io.backupTitle')),
        h('p', { class: 'hint' }, t('io.backupHelp')),
        h('a', { class: 'btn', href: '/api/backup' }, t('io.backup')),
      ])));
}

function report(rep, name) {
  const rejected = rep.rejected || [];
  return h('div', null,
    h('div', { class: rejected.length ? 'warn-box' : 'note-box' },
      t('io.done', name, fmtNumber(rep.rows), fmtNumber(rep.created), fmtNumber(rep.updated), fmtNumber(rejected.length)),
      rep.foreign_ids ? h('div', null, t('io.foreign', fmtNumber(rep.foreign_ids))) : null),
    (rep.warnings || []).map((w) => h('div', { class: 'warn-box' }, w)),
    rejected.length ? grid([[t('io.line'), 'num'], t('io.column'), t('io.value'), t('io.reason')],
      rejected.map((r) => row([td(String(r.Line), 'num'), r.Label || r.Field || '', td(r.Value || '', 'mono'), r.Reason]))) : null);
}
