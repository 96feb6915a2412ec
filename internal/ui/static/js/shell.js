// Page furniture shared by the pages: headings, panels, tables, badges.

import { h } from './util.js';
import { t } from './i18n.js';

export function pageHead(title, sub, ...actions) {
  return h('div', { class: 'page-head' },
    h('div', null, h('h1', null, title), sub ? h('div', { class: 'sub' }, sub) : null),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export function panel(title, body, { right, flush, id, cls } = {}) {
  return h('section', { class: ['panel', cls], id },
    title ? h('div', { class: 'ph' }, h('h2', null, title), right ? h('div', { class: 'right' }, right) : null) : null,
    h('div', { class: ['pb', flush && 'flush'] }, body));
}

// grid is a table: head is a list of labels or [label, class]; rows are
// tr elements (see row).
export function grid(head, rows, { empty, cls } = {}) {
  if (!rows.length && empty !== undefined) return h('div', { class: 'empty' }, empty);
  return h('table', { class: ['grid', cls] },
    h('thead', null, h('tr', null, head.map((c) => (Array.isArray(c) ? h('th', { class: c[1] }, c[0]) : h('th', null, c))))),
    h('tbody', null, rows));
}

// row is a table row: each cell is a td (see td) or the content of one.
export function row(cells, attrs) {
  return h('tr', attrs, cells.map((c) => (c instanceof HTMLTableCellElement ? c : h('td', null, c))));
}

export function td(content, cls, attrs) { return h('td', { class: cls, ...(attrs || {}) }, content); }

export function badge(text, cls) { return h('span', { class: ['badge', cls] }, text); }

export function statusBadge(status) { return badge(t('status.' + status), status); }

export function memberLink(id, name) {
  return h('a', { href: `#/member/${id}`, class: 'nowrap', 'data-member-link': id }, name || t('member.noName'));
}

export function loading() { return h('div', { class: 'empty' }, t('loading')); }

export function errorBox(msg) { return h('div', { class: 'error-box', role: 'alert' }, msg); }

let toastTimer;

export function toast(msg, isErr = false) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = msg;
  el.className = 'toast' + (isErr ? ' err' : '');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, isErr ? 7000 : 3500);
}

// printLink opens a printable form in a new tab; short links fit in tables.
export function printLink(form, id, extra = '', short = false) {
  return h('a', { class: 'btn small', href: `print.html#${form}/${id}${extra}`, target: '_blank', rel: 'noopener', 'data-print': form, title: t('print.' + form) },
    t((short ? 'print.short.' : 'print.') + form));
}
