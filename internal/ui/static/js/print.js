// Printable forms, filled from the record, laid out like the official ones:
//   print.html#intro/ID[?intro=OP]          Mẫu 1-213, introduction to the residence committee
//   print.html#comment-request/ID[?year=Y]  Mẫu 3-213, residence comment request
//   print.html#transfer/ID[?issue=OP]       giấy giới thiệu sinh hoạt đảng
//   print.html#register/ID                  register page (Mẫu 7-HSĐV)
//   print.html#alerts[?at=YYYY-MM-DD]       the alerts list
// The forms are official documents and always print in Vietnamese.

import { h, fill, fmtDate, addDays, yearOf } from './util.js';
import { t, tl } from './i18n.js';
import { api } from './api.js';
import { st, loadBase, cname, committee, activeResidence, LEVEL_CODES, transferUntil, leaveUntil } from './state.js';

const SEX = { M: 'Nam', F: 'Nữ' };
const ECAT = { age: 'Tuổi cao', health: 'Sức khỏe yếu', treatment: 'Điều trị bệnh', abroad: 'Ở nước ngoài', maternity: 'Thai sản', mobile_work: 'Công việc lưu động', other: 'Lý do khác' };
const LEVEL_VI = { excellent: 'Hoàn thành xuất sắc nhiệm vụ', good: 'Hoàn thành tốt nhiệm vụ', fulfilled: 'Hoàn thành nhiệm vụ', not_fulfilled: 'Không hoàn thành nhiệm vụ' };
const MOVE_VI = { admitted: 'Kết nạp vào Đảng', full: 'Công nhận đảng viên chính thức', died: 'Từ trần', removed: 'Xóa tên', expelled: 'Khai trừ', resigned: 'Xin ra khỏi Đảng' };
const SEV_VI = { due: 'Đến hạn', overdue: 'Quá hạn' };

const upper = (s) => (s || '').toLocaleUpperCase('vi');
const val = (v, f) => (v ? h('span', { class: 'v', 'data-f': f }, v) : h('span', { class: 'blank', 'data-f': f }));
const check = (on) => h('span', { class: 'box' }, on ? '☒' : '☐');

// place is where documents are dated: the network root's area.
function place() {
  const root = committee(st.status.root);
  const name = root ? root.name : '';
  return name.replace(/^(Thành ủy|Tỉnh ủy|Huyện ủy|Quận ủy|Thị ủy|Thành ủy thành phố|Đảng ủy|Đảng bộ)\s+/i, '').replace(/^(tỉnh|thành phố)\s+/i, '') || '..........';
}

// dateLine writes "Hà Nội, ngày 05 tháng 01 năm 2026": days under 10 and
// months under 3 take a leading zero.
function dateLine(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return `${place()}, ngày ..... tháng ..... năm ${yearOf(st.today)}`;
  const d = +m[3], mo = +m[2];
  return `${place()}, ngày ${d < 10 ? '0' + d : d} tháng ${mo < 3 ? '0' + mo : mo} năm ${m[1]}`;
}

function header(issuer, no, iso) {
  const c = committee(issuer);
  return h('div', { class: 'head' },
    h('div', { class: 'l' },
      c?.parent ? h('div', { class: 'up' }, upper(cname(c.parent))) : null,
      h('div', { class: 'org', 'data-f': 'issuer' }, upper(cname(issuer))),
      h('div', { class: 'star' }, '*'),
      h('div', { class: 'no' }, 'Số: ', no ? h('span', { 'data-f': 'number' }, no) : '........')),
    h('div', { class: 'r' },
      h('div', { class: 'party' }, 'ĐẢNG CỘNG SẢN VIỆT NAM'),
      h('div', { class: 'when', 'data-f': 'dateline' }, dateLine(iso))));
}

function signature(issuer, recipients = ['Như trên', 'Lưu.']) {
  const c = committee(issuer);
  const role = c?.level === 'cell' ? 'T/M CHI ỦY' : ['province', 'district'].includes(c?.level) ? 'T/M BAN THƯỜNG VỤ' : 'T/M ĐẢNG ỦY';
  return h('div', { class: 'sign' },
    h('div', { class: 'recv' }, h('div', { class: 'lbl' }, 'Nơi nhận:'), recipients.map((r) => h('div', null, '- ' + r))),
    h('div', { class: 'r' }, h('div', { class: 'role' }, role), h('div', { class: 'role' }, 'BÍ THƯ'),
      h('div', { class: 'note' }, '(Ký, ghi rõ họ tên và đóng dấu)'), h('div', { class: 'space' })));
}

const line = (...kids) => h('div', { class: 'line' }, kids);

function sheet(code, ...kids) {
  return h('div', { class: 'sheet' }, code ? h('div', { class: 'form-code' }, code) : null, kids);
}

function pickLink(m, q) {
  const want = q.get('intro');
  const links = m.residence || [];
  return (want && links.find((r) => r.intro === want)) || activeResidence(m) || links[links.length - 1] || null;
}

function introForm(m, q) {
  const r = pickLink(m, q);
  if (!r) throw new Error('Đảng viên này chưa được giới thiệu về sinh hoạt nơi cư trú.');
  const f = m.fields;
  const homeParent = committee(r.home)?.parent;
  return [sheet('Mẫu 1-213',
    header(r.home, '', r.date),
    h('h1', { class: 'title' }, 'Giấy giới thiệu'),
    h('div', { class: 'subtitle' }, 'Đảng viên đang công tác giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú'),
    h('div', { class: 'dash' }, '-----'),
    h('div', { class: 'to' }, 'Kính gửi: ', h('b', { 'data-f': 'residence' }, cname(r.residence))),
    h('p', null, cname(r.home), ' trân trọng giới thiệu:'),
    h('div', { class: 'two' },
      line('Đồng chí: ', val(f.name, 'name')),
      line('Giới tính: ', val(SEX[f.sex], 'sex'))),
    line('Sinh ngày: ', val(fmtDate(f.born), 'born')),
    h('div', { class: 'two' },
      line('Ngày vào Đảng: ', val(fmtDate(f.admitted), 'admitted')),
      line('Ngày chính thức: ', val(fmtDate(f.full), 'full'))),
    line('Hiện sinh hoạt tại: ', val(cname(r.home), 'cell'), homeParent ? [', thuộc ', cname(homeParent)] : null),
    line('Chức vụ, nơi công tác: ', val([f.occupation, f.workplace].filter(Boolean).join(', '), 'workplace')),
    line('Nơi cư trú: ', val(r.address, 'address')),
    line('Thuộc diện miễn sinh hoạt nơi cư trú: ', h('span', { 'data-f': 'exempt' },
      check(!r.exempt_activity), ' Không    ', check(r.exempt_activity), ' Có',
      r.exempt_activity ? [' — lý do: ', h('span', { class: 'v' }, ECAT[r.exempt_category] || r.exempt_category)] : null)),
    r.note ? line('Ghi chú: ', val(r.note, 'note')) : null,
    h('p', null, 'Đến liên hệ để giữ mối liên hệ và thực hiện nhiệm vụ của người đảng viên ở nơi cư trú theo Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị.'),
    h('p', null, 'Đề nghị ', cname(r.residence), ' giới thiệu đồng chí về chi bộ nơi cư trú, phân công nhiệm vụ và báo lại kết quả tiếp nhận cho ', cname(r.home), ' theo phiếu dưới đây.'),
    signature(r.home, [cname(r.residence), 'Lưu hồ sơ đảng viên.']),
    h('div', { class: 'cut' }, h('span', null, 'cắt theo đường này, gửi lại đơn vị giới thiệu')),
    h('h1', { class: 'title', style: 'font-size:13.5pt' }, 'Phiếu báo tiếp nhận đảng viên về sinh hoạt nơi cư trú'),
    h('div', { class: 'to' }, 'Kính gửi: ', h('b', null, cname(r.home))),
    h('p', null, cname(r.residence), ' đã tiếp nhận đồng chí ', h('b', null, f.name), ' ngày ', val(fmtDate(r.accepted), 'accepted'),
      ' và giới thiệu về sinh hoạt, giữ mối liên hệ tại ', val(r.cell ? cname(r.cell) : '', 'res-cell'), '.'),
    h('div', { class: 'sign' }, h('div'), h('div', { class: 'r' },
      h('div', { class: 'when', style: 'font-style:italic' }, dateLine(r.accepted)),
      h('div', { class: 'role' }, 'T/M ĐẢNG ỦY'), h('div', { class: 'note' }, '(Ký, ghi rõ họ tên và đóng dấu)'), h('div', { class: 'space', style: 'height:18mm' }))))];
}

function commentRequestForm(m, q) {
  const r = pickLink(m, q);
  if (!r) throw new Error('Đảng viên này chưa được giới thiệu về sinh hoạt nơi cư trú.');
  const year = +(q.get('year') || yearOf(st.today));
  const req = (r.requests || []).filter((x) => x.year === year).pop();
  const c = (r.comments || []).filter((x) => x.year === year).pop();
  const att = (r.attendance || []).filter((a) => yearOf(a.meeting) === year);
  const n = (s) => att.filter((a) => a.status === s).length;
  const f = m.fields;
  const to = r.cell ? `Chi ủy ${cname(r.cell)}; ${cname(r.residence)}` : cname(r.residence);
  return [sheet('Mẫu 3-213',
    header(r.home, '', req ? req.date : st.today),
    h('h1', { class: 'title' }, 'Phiếu xin ý kiến nhận xét'),
    h('div', { class: 'subtitle' }, 'đối với đảng viên đang công tác giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú'),
    h('div', { class: 'subtitle2' }, `(Năm ${year})`),
    h('div', { class: 'dash' }, '-----'),
    h('div', { class: 'to' }, 'Kính gửi: ', h('b', { 'data-f': 'to' }, to)),
    h('p', null, 'Thực hiện Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị, ', cname(r.home),
      ' đề nghị chi ủy chi bộ nơi cư trú cho ý kiến nhận xét đối với đồng chí:'),
    h('div', { class: 'two' }, line('Họ và tên: ', val(f.name, 'name')), line('Sinh ngày: ', val(fmtDate(f.born), 'born'))),
    line('Hiện cư trú tại: ', val(r.address, 'address')),
    line('Đang sinh hoạt đảng tại: ', val(cname(r.home), 'cell')),
    h('p', null, `về việc thực hiện trách nhiệm, nhiệm vụ của người đảng viên ở nơi cư trú năm ${year}.`),
    signature(r.home, [to, 'Lưu hồ sơ đảng viên.']),
    h('div', { class: 'section' }, 'Ý kiến nhận xét của chi ủy chi bộ nơi cư trú'),
    line('1. Giữ mối liên hệ và tham gia sinh hoạt với chi bộ nơi cư trú: dự ',
      h('span', { class: 'v', 'data-f': 'present' }, String(n('present'))), ` / ${att.length} buổi sinh hoạt trong năm; vắng có lý do: ${n('excused')}; vắng không có lý do: ${n('absent')}.`),
    line('2. Nhận xét việc thực hiện nghĩa vụ công dân và nhiệm vụ đảng viên nơi cư trú:'),
    c ? h('p', { 'data-f': 'comment' }, c.text) : [h('div', { class: 'dots' }), h('div', { class: 'dots' }), h('div', { class: 'dots' })],
    line('3. Kết luận: ', h('span', { 'data-f': 'verdict' }, check(c && c.fulfilled), ' Hoàn thành    ', check(c && !c.fulfilled), ' Không hoàn thành'), ' nhiệm vụ đảng viên nơi cư trú.'),
    h('div', { class: 'sign' },
      h('div', { class: 'r' }, h('div', { class: 'role' }, 'XÁC NHẬN CỦA ĐẢNG ỦY'), h('div', null, cname(r.residence)), h('div', { class: 'space' })),
      h('div', { class: 'r' }, h('div', { class: 'when', style: 'font-style:italic' }, dateLine(c ? c.date : '')),
        h('div', { class: 'role' }, 'T/M CHI ỦY'), h('div', null, r.cell ? cname(r.cell) : ''), h('div', { class: 'note' }, '(Ký, ghi rõ họ tên)'), h('div', { class: 'space' }))))];
}

async function transferForm(m, q) {
  const ts = m.transfers || [];
  const want = q.get('issue');
  const x = (want && ts.find((y) => y.issue === want)) || ts[ts.length - 1];
  if (!x) throw new Error('Đảng viên này chưa có giấy giới thiệu sinh hoạt đảng.');
  const future = await api('/api/alerts?rule=transfer.presentation_overdue&at=' + addDays(x.date, 120)).catch(() => []);
  const due = future.find((a) => a.rule === 'transfer.presentation_overdue' && a.ref === x.issue)?.due;
  const f = m.fields;
  const temp = x.type === 'temporary';
  const dues = /^(\d{4})-(\d{2})$/.exec(x.dues_through || '');
  return [sheet(null,
    header(x.from, x.letter_line, x.date),
    h('h1', { class: 'title' }, 'Giấy giới thiệu sinh hoạt đảng'),
    h('div', { class: 'subtitle' }, temp ? '(Tạm thời)' : '(Chính thức)'),
    h('div', { class: 'dash' }, '-----'),
    h('div', { class: 'to' }, 'Kính gửi: ', h('b', { 'data-f': 'destination' }, cname(x.destination))),
    h('p', null, cname(x.from), ' trân trọng giới thiệu:'),
    h('div', { class: 'two' }, line('Đồng chí: ', val(f.name, 'name')), line('Giới tính: ', val(SEX[f.sex], 'sex'))),
    h('div', { class: 'two' }, line('Sinh ngày: ', val(fmtDate(f.born), 'born')), line('Quê quán: ', val(f.hometown, 'hometown'))),
    h('div', { class: 'two' }, line('Ngày vào Đảng: ', val(fmtDate(f.admitted), 'admitted')), line('Ngày chính thức: ', val(fmtDate(f.full), 'full'))),
    h('div', { class: 'two' }, line('Số thẻ đảng viên: ', val(x.card || f.card, 'card')), line('Số lý lịch: ', val(x.profile || f.profile, 'profile'))),
    h('div', { class: 'two' }, line('Số đăng ký đảng viên: ', val(x.register_line || f.register_line, 'register_line')), line('Số sổ giới thiệu: ', val(x.letter_line, 'letter_line'))),
    line('Đã đóng đảng phí đến hết tháng ', dues ? h('span', { class: 'v', 'data-f': 'dues' }, `${+dues[2]} năm ${dues[1]}`) : h('span', { class: 'blank', 'data-f': 'dues' })),
    line('Được chuyển sinh hoạt đảng ', h('b', null, temp ? 'tạm thời' : 'chính thức'),
      temp ? [' từ ngày ', val(fmtDate(x.date), 'from'), ' đến ngày ', val(fmtDate(transferUntil(x)), 'until')] : null,
      ' đến: ', val(cname(x.destination), 'dest')),
    h('p', null, 'Đề nghị ', cname(x.destination), ' tiếp nhận và giới thiệu đồng chí về sinh hoạt tại chi bộ; báo lại cho ', cname(x.from), ' khi đã tiếp nhận.'),
    line('Giấy giới thiệu có giá trị đến hết ngày: ', val(fmtDate(due), 'valid')),
    signature(x.from, [cname(x.destination), 'Lưu hồ sơ đảng viên.']),
    h('div', { class: 'cut' }, h('span', null, 'phần báo lại của đơn vị tiếp nhận')),
    h('p', null, cname(x.destination), ' đã tiếp nhận đồng chí ', h('b', null, f.name), ' ngày ', val(fmtDate(x.accepted), 'accepted'),
      ' về sinh hoạt tại ', val(x.cell ? cname(x.cell) : (x.accepted ? cname(x.destination) : ''), 'to-cell'), '.'))];
}

function registerForm(m) {
  const f = m.fields;
  const kv = (a, b, c, d) => h('tr', null, h('td', { class: 'k' }, a), h('td', null, b || ''), c ? h('td', { class: 'k' }, c) : null, c ? h('td', null, d || '') : null);
  const events = [];
  for (const e of m.history || []) {
    if (e.movement) events.push([e.movement.date, MOVE_VI[e.movement.type] || e.movement.type, [e.movement.decision, e.movement.reason].filter(Boolean).join('; ')]);
  }
  for (const x of m.transfers || []) {
    events.push([x.date, `Cấp giấy giới thiệu sinh hoạt đảng ${x.type === 'temporary' ? 'tạm thời' : 'chính thức'} đến ${cname(x.destination)}`, x.letter_line ? `Số ${x.letter_line}` : '']);
    if (x.accepted) events.push([x.accepted, `${cname(x.destination)} tiếp nhận${x.cell ? ' về ' + cname(x.cell) : ''}`, '']);
    if (x.ended) events.push([x.ended, 'Kết thúc chuyển sinh hoạt tạm thời', x.end_reason || '']);
  }
  for (const r of m.residence || []) {
    events.push([r.date, `Giới thiệu về sinh hoạt nơi cư trú tại ${cname(r.residence)} (Quy định 213)`, r.address]);
    if (r.accepted) events.push([r.accepted, `Nơi cư trú tiếp nhận, sinh hoạt tại ${cname(r.cell)}`, '']);
    if (r.ended) events.push([r.ended, 'Kết thúc giữ mối liên hệ nơi cư trú', r.end_reason || '']);
  }
  for (const e of m.exemptions || []) {
    events.push([e.from, `Miễn công tác và sinh hoạt đảng ${e.type === 'temporary' ? 'tạm thời đến ' + fmtDate(e.until) : 'vĩnh viễn'} (${ECAT[e.category] || e.category})`, e.decider || '']);
    if (e.ended) events.push([e.ended, 'Trở lại sinh hoạt đảng', e.end_reason || '']);
  }
  for (const v of m.leaves || []) {
    events.push([v.from, `Đi làm ăn xa đến ${fmtDate(leaveUntil(v))}${v.destination ? ', sinh hoạt tại ' + cname(v.destination) : v.place ? ', ' + v.place : ''}`, v.reason || '']);
  }
  events.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const comments = new Map();
  for (const r of m.residence || []) for (const c of r.comments || []) comments.set(c.year, c);
  const ratings = [...(m.ratings || [])].sort((a, b) => a.year - b.year);
  const rows = (n) => Array.from({ length: n }, () => h('tr', null, h('td', null, '\u00a0'), h('td', null), h('td', null)));
  return [sheet('Mẫu 7-HSĐV',
    header(m.home, f.register_line ? `${f.register_line}` : '', st.today),
    h('h1', { class: 'title' }, 'Sổ đảng viên'),
    h('div', { class: 'subtitle2' }, 'Trang ghi đảng viên — số đăng ký: ', val(f.register_line, 'register_line')),
    h('div', { class: 'dash' }, '-----'),
    h('table', { class: 'reg' },
      h('colgroup', null, h('col', { style: 'width:19%' }), h('col', { style: 'width:31%' }), h('col', { style: 'width:19%' }), h('col', { style: 'width:31%' })),
      h('tbody', null,
      kv('Họ và tên', val(f.name, 'name'), 'Giới tính', SEX[f.sex]),
      kv('Ngày sinh', fmtDate(f.born), 'Nơi sinh', f.birthplace),
      kv('Quê quán', f.hometown, 'Dân tộc / Tôn giáo', [f.ethnicity, f.religion].filter(Boolean).join(' / ')),
      kv('Số CCCD', f.citizen_id, 'Số điện thoại', f.phone),
      kv('Nơi thường trú', f.address, 'Nơi tạm trú', f.temp_address),
      kv('Nghề nghiệp', f.occupation, 'Nơi làm việc', f.workplace),
      kv('Trình độ học vấn', f.education, 'Lý luận chính trị', f.theory),
      kv('Ngày vào Đảng', fmtDate(f.admitted), 'Ngày chính thức', fmtDate(f.full)),
      kv('Số thẻ đảng viên', f.card, 'Số lý lịch', f.profile),
      kv('Huy hiệu Đảng', f.badge, 'Đơn vị sinh hoạt', cname(m.home)))),
    h('div', { class: 'section' }, 'Quá trình sinh hoạt đảng và biến động'),
    h('table', { class: 'reg' }, h('thead', null, h('tr', null, h('th', { style: 'width:22%' }, 'Ngày'), h('th', null, 'Nội dung'), h('th', { style: 'width:28%' }, 'Quyết định, ghi chú'))),
      h('tbody', null, events.map(([d, what, note]) => h('tr', null, h('td', { class: 'c' }, fmtDate(d)), h('td', null, what), h('td', null, note))), rows(Math.max(0, 4 - events.length)))),
    h('div', { class: 'section' }, 'Kết quả đánh giá, xếp loại chất lượng hằng năm'),
    h('table', { class: 'reg' }, h('thead', null, h('tr', null, h('th', { style: 'width:14%' }, 'Năm'), h('th', { style: 'width:12%' }, 'Điểm'), h('th', null, 'Mức xếp loại'), h('th', { style: 'width:30%' }, 'Nhận xét nơi cư trú'))),
      h('tbody', null, ratings.map((r) => h('tr', null, h('td', { class: 'c' }, String(r.year)), h('td', { class: 'c' }, String(r.score)),
        h('td', null, `${LEVEL_VI[r.level]} (${LEVEL_CODES[r.level]})`),
        h('td', null, comments.has(r.year) ? (comments.get(r.year).fulfilled ? 'Hoàn thành' : 'Không hoàn thành') : ''))),
      Array.from({ length: Math.max(0, 3 - ratings.length) }, () => h('tr', null, h('td', null, '\u00a0'), h('td'), h('td'), h('td'))))),
    h('div', { class: 'section' }, 'Khen thưởng, kỷ luật'),
    h('table', { class: 'reg' }, h('thead', null, h('tr', null, h('th', { style: 'width:22%' }, 'Ngày'), h('th', null, 'Hình thức'), h('th', { style: 'width:28%' }, 'Cấp quyết định'))), h('tbody', null, rows(2))),
    h('div', { class: 'sign' },
      h('div', { class: 'r' }, h('div', { class: 'role' }, 'NGƯỜI GHI SỔ'), h('div', { class: 'note' }, '(Ký, ghi rõ họ tên)')),
      h('div', { class: 'r' }, h('div', { class: 'role' }, committee(m.home)?.level === 'cell' ? 'T/M CHI ỦY' : 'T/M ĐẢNG ỦY'), h('div', { class: 'note' }, '(Ký, ghi rõ họ tên và đóng dấu)'), h('div', { class: 'space' }))))];
}

async function alertsForm(q) {
  const at = q.get('at') || st.today;
  const params = new URLSearchParams({ at });
  for (const k of ['severity', 'rule']) if (q.get(k)) params.set(k, q.get(k));
  const list = await api('/api/alerts?' + params);
  const s = h('div', { class: 'sheet wide' },
    header(st.me, '', st.today),
    h('h1', { class: 'title' }, 'Danh sách việc đến hạn và quá hạn'),
    h('div', { class: 'subtitle2' }, `Đơn vị: ${st.status.name} và các tổ chức đảng trực thuộc — tính đến ngày ${fmtDate(at)}`),
    h('div', { class: 'dash' }, '-----'),
    h('table', { class: 'list' },
      h('thead', null, h('tr', null, ['STT', 'Hạn', 'Mức', 'Nội dung', 'Đảng viên', 'Đơn vị', 'Đơn vị xử lý', 'Chi tiết'].map((x) => h('th', null, x)))),
      h('tbody', null, list.length ? list.map((a, i) => h('tr', null,
        h('td', { class: 'c' }, String(i + 1)), h('td', { class: 'c' }, fmtDate(a.due)), h('td', { class: 'c' }, SEV_VI[a.severity] || a.severity),
        h('td', null, ruleLabelVi(a.rule)), h('td', null, a.member_name || '—'), h('td', null, a.home_name), h('td', null, a.acting_name), h('td', null, a.detail)))
        : h('tr', null, h('td', { colspan: 8, class: 'c' }, 'Không có việc đến hạn hoặc quá hạn.')))),
    h('div', { class: 'sign' }, h('div'), h('div', { class: 'r' }, h('div', { class: 'role' }, 'NGƯỜI LẬP DANH SÁCH'), h('div', { class: 'note' }, '(Ký, ghi rõ họ tên)'), h('div', { class: 'space' }))));
  return [s];
}

function ruleLabelVi(rule) {
  const s = tl('vi', 'rule.' + rule);
  return s === 'rule.' + rule ? rule : s;
}

function bar(title) {
  fill(document.getElementById('bar'),
    h('button', { class: 'primary', type: 'button', onclick: () => window.print() }, t('print.print')),
    h('button', { type: 'button', onclick: () => (history.length > 1 ? history.back() : window.close()) }, t('print.back')),
    h('span', null, title),
    h('span', { class: 'hint' }, t('print.hint')));
}

async function main() {
  const doc = document.getElementById('doc');
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const [form, id] = path.split('/');
  const q = new URLSearchParams(qs || '');
  bar(t(form === 'alerts' ? 'print.doc.alerts' : 'print.' + (form || 'register')));
  try {
    await loadBase();
    let pages;
    if (form === 'alerts') {
      pages = await alertsForm(q);
    } else {
      const m = await api(`/api/members/${encodeURIComponent(id || '')}`);
      document.title = `${t('print.' + form)} — ${m.fields.name || ''}`;
      switch (form) {
        case 'intro': pages = introForm(m, q); break;
        case 'comment-request': pages = commentRequestForm(m, q); break;
        case 'transfer': pages = await transferForm(m, q); break;
        case 'register': pages = registerForm(m); break;
        default: throw new Error(t('err.noPage'));
      }
    }
    fill(doc, pages);
    doc.dataset.ready = form;
  } catch (e) {
    fill(doc, h('div', { class: 'err', role: 'alert' }, e.message || String(e)));
    doc.dataset.ready = 'error';
  }
}

window.addEventListener('hashchange', main);
main();
