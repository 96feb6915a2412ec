// DOM building, dates and Vietnamese name order.

import { lang } from './i18n.js';

const BOOL_PROPS = new Set(['checked', 'disabled', 'selected', 'required', 'open', 'hidden', 'multiple', 'readOnly']);

// h builds an element: h('td', {class: 'num'}, 'text', child, [more]).
// Strings become text nodes, so nothing is ever parsed as HTML.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

// s builds an SVG element.
export function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
  }
  append(el, kids);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false && !BOOL_PROPS.has(k)) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class') {
      el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    } else if (k === 'value') {
      el.value = v;
    } else if (BOOL_PROPS.has(k)) {
      el[k] = !!v;
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false || k === '') continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
}

// clear empties an element and fills it with kids.
export function fill(el, ...kids) {
  el.replaceChildren();
  append(el, kids);
  return el;
}

// Dates: the API speaks YYYY-MM-DD; people read and type dd/mm/yyyy.

export function fmtDate(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

export function validYMD(y, m, d) {
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && y <= 2200 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// parseDate reads dd/mm/yyyy (or d/m/yyyy, with . or - too) and
// YYYY-MM-DD; it returns YYYY-MM-DD, '' for empty input, null when invalid.
export function parseDate(text) {
  const v = String(text ?? '').trim();
  if (!v) return '';
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (m) {
    const [d, mo, y] = [+m[1], +m[2], +m[3]];
    return validYMD(y, mo, d) ? `${y}-${pad(mo)}-${pad(d)}` : null;
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m && validYMD(+m[1], +m[2], +m[3])) return v;
  return null;
}

export function fmtMonth(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  return m ? `${m[2]}/${m[1]}` : (ym || '');
}

// parseMonth reads mm/yyyy or YYYY-MM into YYYY-MM.
export function parseMonth(text) {
  const v = String(text ?? '').trim();
  if (!v) return '';
  let m = /^(\d{1,2})[/.-](\d{4})$/.exec(v);
  if (m && +m[1] >= 1 && +m[1] <= 12) return `${m[2]}-${pad(+m[1])}`;
  m = /^(\d{4})-(\d{2})$/.exec(v);
  if (m && +m[2] >= 1 && +m[2] <= 12) return v;
  return null;
}

// fmtTime shows an RFC 3339 instant as dd/mm/yyyy HH:MM, local time.
export function fmtTime(rfc) {
  if (!rfc) return '';
  const t = new Date(rfc);
  if (isNaN(t)) return rfc;
  return `${pad(t.getDate())}/${pad(t.getMonth() + 1)}/${t.getFullYear()} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

// addDays adds n days to a YYYY-MM-DD date.
export function addDays(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

// daysBetween counts days from a to b (YYYY-MM-DD).
export function daysBetween(a, b) {
  const ms = (iso) => { const [y, m, d] = iso.split('-').map(Number); return Date.UTC(y, m - 1, d); };
  return Math.round((ms(b) - ms(a)) / 86400000);
}

export function yearOf(iso) { return +String(iso || '').slice(0, 4) || 0; }

// Vietnamese names are ordered by given name, then middle names, then
// family name (the API's order; see internal/vnname).

export function nameParts(full) {
  const f = String(full || '').trim().split(/\s+/).filter(Boolean);
  if (f.length === 0) return { family: '', middle: '', given: '' };
  if (f.length === 1) return { family: '', middle: '', given: f[0] };
  return { family: f[0], middle: f.slice(1, -1).join(' '), given: f[f.length - 1] };
}

const collator = new Intl.Collator('vi');

export function compareNames(a, b) {
  const x = nameParts(a), y = nameParts(b);
  return collator.compare(x.given, y.given) || collator.compare(x.middle, y.middle) || collator.compare(x.family, y.family);
}

// sortByName sorts items in place by the name get returns.
export function sortByName(items, get = (m) => m.fields?.name || '') {
  return items.sort((a, b) => compareNames(get(a), get(b)));
}

export function compareText(a, b) { return collator.compare(a || '', b || ''); }

export function shortID(id) { return id ? String(id).slice(-6) : ''; }

// download saves data as a file in the browser.
export function download(name, data, type = 'application/json') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const numLocale = () => (lang() === 'en' ? 'en-GB' : 'vi-VN');

export function fmtNumber(n) { return new Intl.NumberFormat(numLocale()).format(n || 0); }

export function fmtPercent(x, digits = 1) {
  return new Intl.NumberFormat(numLocale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format((x || 0) * 100) + '%';
}
