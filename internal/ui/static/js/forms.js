// Small forms: fields described as data, read back into API values.

import { h, fmtDate, fmtMonth, parseDate, parseMonth } from './util.js';
import { t } from './i18n.js';
import { ApiError } from './api.js';

// A field: {name, type, label, required, options: [[value, label]], hint,
// wide, empty (label of an empty first option), attrs}. Types: text,
// textarea, date, month, year, number, score, bool, select.

export function control(f, value) {
  const common = { name: f.name, 'data-type': f.type, id: f.id, ...(f.attrs || {}) };
  switch (f.type) {
    case 'textarea':
      return h('textarea', { ...common, rows: f.rows || 3, value: value ?? '' });
    case 'date':
      return h('input', { ...common, type: 'text', class: 'date', inputmode: 'numeric', autocomplete: 'off', placeholder: t('fmt.date'), value: fmtDate(value || '') });
    case 'month':
      return h('input', { ...common, type: 'text', class: 'month', inputmode: 'numeric', autocomplete: 'off', placeholder: t('fmt.month'), value: fmtMonth(value || '') });
    case 'year':
      return h('input', { ...common, type: 'number', class: 'year', min: 1930, max: 2200, value: value ?? '' });
    case 'number':
    case 'score':
      return h('input', { ...common, type: 'number', class: f.type === 'score' ? 'score' : '', min: f.min ?? 0, max: f.max ?? '', value: value ?? '' });
    case 'bool':
      return h('input', { ...common, type: 'checkbox', checked: !!value });
    case 'select': {
      const opts = [];
      if (f.empty !== undefined) opts.push(h('option', { value: '' }, f.empty));
      for (const [v, label] of f.options || []) opts.push(h('option', { value: v, selected: v === value }, label));
      return h('select', common, opts);
    }
    default:
      return h('input', { ...common, type: 'text', autocomplete: 'off', value: value ?? '' });
  }
}

export function fieldRow(f, value) {
  const c = control(f, value);
  if (f.type === 'bool') {
    return h('label', { class: ['check', f.wide && 'wide'] }, c, h('span', null, f.label));
  }
  return h('label', { class: f.wide ? 'wide' : '' },
    h('span', { class: f.required ? 'req' : '' }, f.label), c, f.hint ? h('span', { class: 'hint' }, f.hint) : null);
}

export function formGrid(fields, values = {}) {
  return h('div', { class: 'form-grid' }, fields.map((f) => fieldRow(f, values[f.name])));
}

export class FormError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

// readForm reads the fields of form into API values: dates as YYYY-MM-DD,
// months as YYYY-MM, numbers, booleans; empty values are left out.
export function readForm(form, fields) {
  const out = {};
  for (const f of fields) {
    const el = form.querySelector(`[name="${f.name}"]`);
    if (!el) continue;
    el.classList.remove('invalid');
    let v;
    switch (f.type) {
      case 'bool':
        if (el.checked) out[f.name] = true;
        continue;
      case 'date':
        v = parseDate(el.value);
        if (v === null) throw new FormError(f.name, t('err.date', f.label));
        break;
      case 'month':
        v = parseMonth(el.value);
        if (v === null) throw new FormError(f.name, t('err.month', f.label));
        break;
      case 'year':
      case 'number':
      case 'score':
        if (el.value.trim() === '') { v = ''; break; }
        v = Number(el.value);
        if (!Number.isInteger(v)) throw new FormError(f.name, t('err.number', f.label));
        break;
      default:
        v = el.value.trim();
    }
    if (v === '' || v === undefined) {
      if (f.required) throw new FormError(f.name, t('err.required', f.label));
      continue;
    }
    out[f.name] = v;
  }
  return out;
}

// showError puts an error under a form and marks the field it names.
export function showError(form, err) {
  let box = form.querySelector('.form-error');
  if (!box) {
    box = h('div', { class: 'form-error', role: 'alert' });
    (form.querySelector('.form-actions') || form).append(box);
  }
  box.textContent = errorText(err);
  const field = err && err.field;
  if (field) form.querySelector(`[name="${field}"]`)?.classList.add('invalid');
}

export function clearError(form) {
  form.querySelector('.form-error')?.remove();
  form.querySelectorAll('.invalid').forEach((el) => el.classList.remove('invalid'));
}

export function errorText(err) {
  if (err instanceof ApiError) {
    if (err.status === 403) return t('err.forbidden', err.message);
    if (err.status === 0) return t('err.network');
  }
  return err && err.message ? err.message : String(err);
}

// submitting runs fn while the form's buttons are disabled.
export async function submitting(form, fn) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  clearError(form);
  try {
    return await fn();
  } catch (e) {
    showError(form, e);
    return undefined;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}
