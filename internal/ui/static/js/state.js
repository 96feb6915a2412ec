// What every page needs: this node's committee, the directory, field
// labels, and the rules that decide which workflow items a committee sees
// and may act on (the policy of DESIGN.md section 4, as the UI reads it).

import { api } from './api.js';
import { t, lang } from './i18n.js';
import { shortID, compareText } from './util.js';

export const st = {
  status: null,
  me: '',
  today: '',
  labels: {},
  committees: [],
  byId: new Map(),
};

// Record fields in register order (schema.Fields).
export const FIELDS = ['name', 'sex', 'born', 'birthplace', 'hometown', 'ethnicity', 'religion', 'citizen_id', 'address',
  'temp_address', 'phone', 'occupation', 'workplace', 'education', 'theory', 'card', 'profile', 'register_line',
  'admitted', 'full', 'badge'];
export const DATE_FIELDS = new Set(['born', 'admitted', 'full']);

export async function loadBase() {
  const [status, committees] = await Promise.all([api('/api/status'), api('/api/committees')]);
  setStatus(status);
  setCommittees(committees);
}

export function setStatus(status) {
  st.status = status;
  st.me = status.id;
  st.today = status.today;
  st.labels = status.labels || {};
}

export function setCommittees(list) {
  st.committees = list || [];
  st.byId = new Map(st.committees.map((c) => [c.id, c]));
}

export async function reloadCommittees() {
  setCommittees(await api('/api/committees'));
}

export function committee(id) { return st.byId.get(id); }

export function cname(id) {
  if (!id) return '';
  const c = st.byId.get(id);
  return c ? c.name : t('committee.unknown', shortID(id));
}

export function fieldLabel(name) {
  if (lang() === 'vi' && st.labels[name]) return st.labels[name];
  return t('field.' + name);
}

// isUnder reports whether committee c is anc or below it.
export function isUnder(c, anc) {
  for (let x = c, i = 0; x && i < 64; i++) {
    if (x === anc) return true;
    x = st.byId.get(x)?.parent;
  }
  return false;
}

export const inScope = (c) => !!c && isUnder(c, st.me);

// subtree lists root and the committees below it, in directory order.
export function subtree(root = st.me) {
  return st.committees.filter((c) => isUnder(c.id, root));
}

export function children(id) {
  return st.committees.filter((c) => c.parent === id).sort((a, b) => compareText(a.name, b.name));
}

// cellsUnder lists the cells at or below a committee, for a clerk to pick
// one: cells first, else every committee below.
export function cellsUnder(root) {
  const below = st.committees.filter((c) => c.id !== root && isUnder(c.id, root) && !c.revoked);
  const cells = below.filter((c) => c.level === 'cell');
  const out = cells.length ? cells : below;
  if (!out.length && st.byId.has(root)) return [st.byId.get(root)];
  return out;
}

// Workflow state, as the member JSON carries it.

export const activeResidence = (m) => (m.residence || []).find((r) => !r.ended) || null;

export const openTransfer = (m) => (m.transfers || []).find((x) => !x.ended && (x.type === 'temporary' || !x.accepted)) || null;

export const openLeave = (m) => (m.leaves || []).find((v) => !v.ended) || null;

export const leaveUntil = (v) => (v.extensions?.length ? v.extensions[v.extensions.length - 1].until : v.until);

export const transferUntil = (x) => (x.extensions?.length ? x.extensions[x.extensions.length - 1].until : x.until);

export function exemptionCovers(e, date) {
  if (date < e.from) return false;
  if (e.ended && date >= e.ended) return false;
  return e.type === 'permanent' || date <= e.until;
}

export const exemptionInForce = (m) => (m.exemptions || []).find((e) => !e.ended && (e.type === 'permanent' || e.until >= st.today)) || null;

export function ratingFor(m, year) {
  const rs = (m.ratings || []).filter((r) => r.year === year);
  return rs.length ? rs[rs.length - 1] : null;
}

export function levelForScore(score) {
  if (score >= 90) return 'excellent';
  if (score >= 70) return 'good';
  if (score >= 50) return 'fulfilled';
  return 'not_fulfilled';
}

export const LEVEL_CODES = { excellent: 'HTXSNV', good: 'HTTNV', fulfilled: 'HTNV', not_fulfilled: 'KHTNV' };

// homes lists every value of the member's home (more than one in a conflict).
export function homes(m) {
  const alts = m.conflicts?.home;
  return alts?.length ? alts.map((a) => a.value) : [m.home];
}

// roles says in which capacities this committee may write on a member's
// ledger: as home (or its superior), as the residence side, as a
// transfer's destination, as a leave's destination.
export function roles(m) {
  const r = new Set();
  if (homes(m).some(inScope)) r.add('home');
  const res = activeResidence(m);
  if (res && [res.residence, res.cell].some(inScope)) r.add('residence');
  const tr = openTransfer(m);
  if (tr && [tr.destination, tr.cell].some(inScope)) r.add('transferDest');
  const lv = openLeave(m) || (m.leaves?.length ? m.leaves[m.leaves.length - 1] : null);
  if (lv && lv.destination && inScope(lv.destination)) r.add('leaveDest');
  return r;
}
