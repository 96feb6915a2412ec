package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/schema"
)

// Discrepancy kinds: the reconciliation list of DOMAIN.md.
const (
	// Members in two units at once.
	KindHomeConflict    = "home.conflict"    // concurrent values in the home register
	KindMemberDuplicate = "member.duplicate" // one citizen ID on several ledgers not left
	KindCardDuplicate   = "card.duplicate"   // one card number on several ledgers
	// Homes the directory does not support.
	KindHomeNotChartered = "home.not_chartered"
	KindHomeRevoked      = "home.revoked"
	// Status mismatches.
	KindLeftResidenceActive  = "status.left_residence_active"
	KindLeftTransferOpen     = "status.left_transfer_open"
	KindLeftLeaveOpen        = "status.left_leave_open"
	KindProbationaryWithFull = "status.probationary_with_full_date"
	KindRatedWhileExempt     = "status.rated_while_exempt"
	KindResidenceHomeChanged = "residence.home_changed"
	// Workflows stuck.
	KindTransferStuck        = "transfer.stuck"
	KindLeaveExpired         = "leave.expired"
	KindResidenceNotAccepted = "residence.not_accepted"
)

// Discrepancy is one item of a list reconciliation.
type Discrepancy struct {
	Kind    string            `json:"kind"`
	Members []schema.LedgerID `json:"-"`
	// Committee is where the discrepancy sits: the member's home, the
	// workflow's other side, or for duplicates the lowest committee above
	// every home involved.
	Committee     schema.CommitteeID `json:"committee,omitempty"`
	CommitteeName string             `json:"committee_name,omitempty"`
	Detail        string             `json:"detail"`
}

// MarshalJSON writes Members as hex IDs.
func (d Discrepancy) MarshalJSON() ([]byte, error) {
	type plain Discrepancy
	ids := make([]string, len(d.Members))
	for i, m := range d.Members {
		ids[i] = m.String()
	}
	return json.Marshal(struct {
		plain
		Members []string `json:"members"`
	}{plain(d), ids})
}

func compareDiscrepancies(a, b Discrepancy) int {
	c := cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(string(a.Committee), string(b.Committee)))
	if c != 0 {
		return c
	}
	if c := slices.CompareFunc(a.Members, b.Members, func(x, y schema.LedgerID) int {
		return strings.Compare(x.String(), y.String())
	}); c != 0 {
		return c
	}
	return strings.Compare(a.Detail, b.Detail)
}

// Reconcile lists, as the ledgers are held on this node, the discrepancies a
// superior looks for when it compares member lists with the levels above
// and below on day at: members in two units at once, duplicate card
// numbers, homes not chartered or revoked, status mismatches, transfers
// stuck in flight, leaves expired and not ended, and residence links not
// accepted in time.
//
// with chooses the part of the list compared: empty for scope's whole
// subtree; a subordinate of scope for that subordinate's subtree; a superior
// of scope for scope's own subtree (what the superior compares with). Any
// other committee shares no list with scope, and the result is empty.
func Reconcile(dir *crdt.Directory, ledgers iter.Seq[*crdt.Ledger], scope, with schema.CommitteeID, at calendar.Date, cfg Config) []Discrepancy {
	return fill(NewReconcileBook(dir, scope, with, at, cfg), ledgers).Discrepancies()
}

// ReconcileBook keeps what Reconcile finds, ledger by ledger, for one
// directory, scope, comparison, day and rules: each ledger's own
// discrepancies, and the members holding each card number and citizen ID.
// After a change to a few ledgers, putting those again gives the
// discrepancies of the whole set without reading the others.
type ReconcileBook struct {
	r               *reconciler // nil: with is neither scope, above it nor below it
	per             map[schema.LedgerID]reconciled
	citizens, cards map[string]map[schema.LedgerID]holder
}

// reconciled is what one ledger contributes.
type reconciled struct {
	out           []Discrepancy
	citizen, card string // the numbers it holds ("" for none)
}

// NewReconcileBook returns an empty book (see Reconcile).
func NewReconcileBook(dir *crdt.Directory, scope, with schema.CommitteeID, at calendar.Date, cfg Config) *ReconcileBook {
	b := &ReconcileBook{per: map[schema.LedgerID]reconciled{},
		citizens: map[string]map[schema.LedgerID]holder{}, cards: map[string]map[schema.LedgerID]holder{}}
	root := scope
	switch {
	case with == "" || with == scope:
	case dir.IsAncestorAt(scope, with, crdt.Now):
		root = with
	case dir.IsAncestorAt(with, scope, crdt.Now):
	default:
		return b
	}
	b.r = &reconciler{dir: dir, cal: cfg.calendar(), cfg: cfg, at: at, in: newView(dir, root), whole: root == dir.Root}
	return b
}

// Put takes l's current state in place of what the book had for it.
func (b *ReconcileBook) Put(l *crdt.Ledger) {
	b.Remove(l.ID)
	if b.r == nil || !l.Created() {
		return
	}
	var e reconciled
	if b.r.holds(l) {
		b.r.out = nil
		b.r.ledger(l)
		e.out, b.r.out = b.r.out, nil
	}
	if v := l.Field("citizen_id"); v != "" && l.Status != schema.StatusLeft {
		e.citizen = v
		group(b.citizens, v)[l.ID] = b.r.holder(l)
	}
	if v := l.Field("card"); v != "" {
		e.card = v
		group(b.cards, v)[l.ID] = b.r.holder(l)
	}
	if len(e.out) > 0 || e.citizen != "" || e.card != "" {
		b.per[l.ID] = e
	}
}

func group(groups map[string]map[schema.LedgerID]holder, v string) map[schema.LedgerID]holder {
	g, ok := groups[v]
	if !ok {
		g = map[schema.LedgerID]holder{}
		groups[v] = g
	}
	return g
}

// Remove forgets ledger id (one no longer held).
func (b *ReconcileBook) Remove(id schema.LedgerID) {
	e, ok := b.per[id]
	if !ok {
		return
	}
	delete(b.per, id)
	for _, x := range []struct {
		groups map[string]map[schema.LedgerID]holder
		v      string
	}{{b.citizens, e.citizen}, {b.cards, e.card}} {
		if g := x.groups[x.v]; g != nil {
			delete(g, id)
			if len(g) == 0 {
				delete(x.groups, x.v)
			}
		}
	}
}

// Discrepancies returns the discrepancies of every ledger in the book,
// sorted by kind, committee and members. The caller owns the slice.
func (b *ReconcileBook) Discrepancies() []Discrepancy {
	if b.r == nil {
		return nil
	}
	var out []Discrepancy
	for _, e := range b.per {
		out = append(out, e.out...)
	}
	r := b.r
	r.out = out
	r.duplicates(b.citizens, KindMemberDuplicate)
	r.duplicates(b.cards, KindCardDuplicate)
	out, r.out = r.out, nil
	slices.SortFunc(out, compareDiscrepancies)
	return out
}

type reconciler struct {
	dir   *crdt.Directory
	cal   *calendar.Calendar
	cfg   Config
	at    calendar.Date
	in    *view
	whole bool // the view is the whole network
	out   []Discrepancy
}

// holds reports whether a ledger belongs to the compared list: it names a
// committee of the view, or, when the whole network is compared, its home
// has no charter.
func (r *reconciler) holds(l *crdt.Ledger) bool {
	if r.in.holds(l) {
		return true
	}
	if !r.whole {
		return false
	}
	_, ok := r.dir.Current(l.HomeCommittee())
	return !ok
}

func (r *reconciler) add(kind string, c schema.CommitteeID, detail string, members ...schema.LedgerID) {
	r.out = append(r.out, Discrepancy{Kind: kind, Members: members, Committee: c, CommitteeName: nameOf(r.dir, c), Detail: detail})
}

func who(l *crdt.Ledger) string {
	if n := l.Field("name"); n != "" {
		return n
	}
	id := l.ID.String()
	return "Đảng viên …" + id[len(id)-8:] // the random end: an ID begins with its time
}

func (r *reconciler) ledger(l *crdt.Ledger) {
	home := l.HomeCommittee()
	left := l.Status == schema.StatusLeft
	if l.Home.Conflict() {
		var names []string
		for _, v := range l.Home {
			names = append(names, label(r.dir, schema.CommitteeID(v.V)))
		}
		r.add(KindHomeConflict, home, fmt.Sprintf("%s có nhiều nơi sinh hoạt cùng lúc: %s", who(l), strings.Join(names, "; ")), l.ID)
	}
	if !left {
		if _, ok := r.dir.Current(home); !ok {
			r.add(KindHomeNotChartered, home, fmt.Sprintf("%s thuộc %s, đơn vị không có trong danh mục tổ chức đảng", who(l), label(r.dir, home)), l.ID)
		} else if err := r.dir.ActiveAt(home, crdt.Now); err != nil {
			r.add(KindHomeRevoked, home, fmt.Sprintf("%s thuộc %s, đơn vị đã bị giải thể hoặc thu hồi quyết định thành lập", who(l), label(r.dir, home)), l.ID)
		}
	}
	if left {
		if res := l.ActiveResidence(); res != nil {
			r.add(KindLeftResidenceActive, home, fmt.Sprintf("%s đã ra khỏi Đảng nhưng còn đăng ký sinh hoạt nơi cư trú tại %s", who(l), label(r.dir, res.Residence)), l.ID)
		}
		if t := l.OpenTransfer(); t != nil {
			r.add(KindLeftTransferOpen, home, fmt.Sprintf("%s đã ra khỏi Đảng nhưng còn giấy giới thiệu chuyển sinh hoạt đảng đến %s (cấp ngày %s) chưa kết thúc",
				who(l), label(r.dir, t.Destination), isoToDMY(t.Date)), l.ID)
		}
		if v := l.OpenLeave(); v != nil {
			r.add(KindLeftLeaveOpen, home, fmt.Sprintf("%s đã ra khỏi Đảng nhưng còn đợt đi làm ăn xa (đến %s) chưa kết thúc", who(l), isoToDMY(v.CurrentUntil())), l.ID)
		}
		// The open workflows of a member who left are reported above,
		// not as stuck.
	} else {
		r.stuck(l)
	}
	if l.Status == schema.StatusProbationary && l.Field("full") != "" {
		r.add(KindProbationaryWithFull, home, fmt.Sprintf("%s có ngày chính thức %s nhưng trạng thái vẫn là dự bị (chưa ghi biến động chính thức)", who(l), isoToDMY(l.Field("full"))), l.ID)
	}
	for i := range l.Ratings {
		rt := &l.Ratings[i]
		if l.RatingFor(rt.Year) != rt {
			continue
		}
		if e := exemptOn(l, calendar.NewDate(rt.Year, 12, 31)); e != nil {
			r.add(KindRatedWhileExempt, home, fmt.Sprintf("%s được xếp loại năm %d nhưng được miễn công tác và sinh hoạt đảng từ %s (%s)",
				who(l), rt.Year, isoToDMY(e.From), categoryVI(e.Category)), l.ID)
		}
	}
	if res := l.ActiveResidence(); res != nil && !left && res.Home != home && !l.Home.Conflict() {
		r.add(KindResidenceHomeChanged, home, fmt.Sprintf("%s đã chuyển từ %s sang %s nhưng đăng ký sinh hoạt nơi cư trú tại %s vẫn còn hiệu lực",
			who(l), label(r.dir, res.Home), label(r.dir, home), label(r.dir, res.Residence)), l.ID)
	}
}

// stuck reports the workflows of a member that are past their deadline on
// day at.
func (r *reconciler) stuck(l *crdt.Ledger) {
	for i := range l.Transfers {
		t := &l.Transfers[i]
		issued, ok := date(t.Date)
		if !ok || t.Ended != "" || t.Accepted != "" {
			continue
		}
		due := r.cal.AddWorkingDays(issued, r.cfg.TransferPresentDays)
		if !r.at.After(due) {
			continue
		}
		step := "chưa được xuất trình"
		if t.Presented != "" {
			step = "đã xuất trình ngày " + isoToDMY(t.Presented) + " nhưng chưa được tiếp nhận"
		}
		r.add(KindTransferStuck, t.From, fmt.Sprintf("%s: giấy giới thiệu chuyển sinh hoạt đảng từ %s đến %s cấp ngày %s %s; hạn xuất trình %s",
			who(l), label(r.dir, t.From), label(r.dir, t.Destination), dmy(issued), step, dmy(due)), l.ID)
	}
	for i := range l.Leaves {
		v := &l.Leaves[i]
		end, ok := date(v.CurrentUntil())
		if ok && v.Ended == "" && r.at.After(end) {
			r.add(KindLeaveExpired, l.HomeCommittee(), fmt.Sprintf("%s: đợt đi làm ăn xa hết hạn ngày %s nhưng chưa kết thúc hoặc gia hạn", who(l), dmy(end)), l.ID)
		}
	}
	if res := l.ActiveResidence(); res != nil && res.Accepted == "" {
		if d, ok := date(res.Date); ok {
			due := r.cal.AddWorkingDays(d, r.cfg.ResidenceAcceptDays)
			if r.at.After(due) {
				r.add(KindResidenceNotAccepted, res.Residence, fmt.Sprintf("%s: giấy giới thiệu về nơi cư trú ngày %s chưa được %s tiếp nhận; hạn %s",
					who(l), dmy(d), label(r.dir, res.Residence), dmy(due)), l.ID)
			}
		}
	}
}

// holder is what a duplicate number's report says of a member holding it.
type holder struct {
	id    schema.LedgerID
	home  schema.CommitteeID
	who   string
	holds bool // in the reconciliation's view
}

func (r *reconciler) holder(l *crdt.Ledger) holder {
	return holder{l.ID, l.HomeCommittee(), who(l), r.holds(l)}
}

// duplicates reports each number (a card or a citizen ID: groups maps it
// to the members holding it) held by several members, one of them in the
// view.
func (r *reconciler) duplicates(groups map[string]map[schema.LedgerID]holder, kind string) {
	for v, g := range groups {
		if len(g) < 2 {
			continue
		}
		hs := slices.Collect(maps.Values(g))
		if !slices.ContainsFunc(hs, func(h holder) bool { return h.holds }) {
			continue
		}
		slices.SortFunc(hs, func(a, b holder) int { return strings.Compare(a.id.String(), b.id.String()) })
		ids := make([]schema.LedgerID, len(hs))
		var homes []schema.CommitteeID
		var parts []string
		for i, h := range hs {
			ids[i] = h.id
			homes = append(homes, h.home)
			parts = append(parts, fmt.Sprintf("%s (%s)", h.who, label(r.dir, h.home)))
		}
		what := "Số thẻ đảng viên " + v
		if kind == KindMemberDuplicate {
			what = "Số CCCD " + v
		}
		r.add(kind, commonSuperior(r.dir, homes), fmt.Sprintf("%s có ở %d hồ sơ: %s", what, len(hs), strings.Join(parts, "; ")), ids...)
	}
}

// commonSuperior is the lowest committee that is or is above every one of
// cs, "" if they share none.
func commonSuperior(dir *crdt.Directory, cs []schema.CommitteeID) schema.CommitteeID {
	if len(cs) == 0 {
		return ""
	}
	first, _ := dir.Chain(cs[0], crdt.Now)
	for _, a := range first {
		if !slices.ContainsFunc(cs[1:], func(c schema.CommitteeID) bool { return !dir.IsAncestorAt(a, c, crdt.Now) }) {
			return a
		}
	}
	return ""
}

func isoToDMY(s string) string {
	if d, ok := date(s); ok {
		return dmy(d)
	}
	return s
}
