package report_test

import (
	"encoding/binary"
	"slices"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// network scripts a directory and member ledgers with one clock, the way
// committees would write them, and folds them with crdt.Rebuild.
type network struct {
	tb      testing.TB
	hlc     schema.HLC
	root    *schema.Signer
	signers map[schema.CommitteeID]*schema.Signer
	dirOps  []*schema.Decoded
	dir     *crdt.Directory
	members []*script
	seq     uint64
}

// newNetwork is testkit's tree (a province, a workplace grassroots
// committee with Cell1 and Cell2, a residential commune) with a residence
// cell under the commune.
func newNetwork(tb testing.TB) (*network, *testkit.Tree, *schema.Signer) {
	tree := testkit.NewTree(schema.MakeHLC(1_760_000_000_000, 0))
	n := &network{tb: tb, hlc: tree.LastHLC(), root: tree.Root, signers: map[schema.CommitteeID]*schema.Signer{}}
	for _, s := range []*schema.Signer{tree.Root, tree.Grassroots, tree.Cell1, tree.Cell2, tree.Commune} {
		n.signers[s.ID()] = s
	}
	n.dirOps = slices.Clone(tree.Charters)
	n.rebuildDir()
	resCell := n.charter(tree.Commune, "residence cell", "Chi bộ Tổ dân phố 3", "cell", schema.CommitteeResidential)
	return n, tree, resCell
}

func (n *network) tick() schema.HLC {
	n.hlc++
	return n.hlc
}

func (n *network) rebuildDir() {
	n.tb.Helper()
	dir, errs := crdt.RebuildDirectory(n.root.ID(), n.dirOps)
	if len(errs) > 0 {
		n.tb.Fatalf("directory: %v", errs)
	}
	n.dir = dir
}

// charter admits a new committee under parent; key names its key.
func (n *network) charter(parent *schema.Signer, key, name, level, kind string) *schema.Signer {
	n.tb.Helper()
	s := testkit.Signer(key)
	body := &schema.CharterBody{ID: s.ID(), Name: name, Level: level, Kind: kind, IssuedAt: "2025-07-01"}
	author := s
	if parent != nil {
		body.Parent, author = parent.ID(), parent
	}
	n.dirOps = append(n.dirOps, testkit.Sign(author, testkit.Op(author, schema.DirectoryLedger, n.tick(), slices.Clone(n.dir.DAG.Heads), body)))
	n.signers[s.ID()] = s
	n.rebuildDir()
	return s
}

func (n *network) revoke(by, c *schema.Signer, date string) {
	n.tb.Helper()
	body := &schema.RevocationBody{ID: c.ID(), Reason: "giải thể", Date: date}
	n.dirOps = append(n.dirOps, testkit.Sign(by, testkit.Op(by, schema.DirectoryLedger, n.tick(), slices.Clone(n.dir.DAG.Heads), body)))
	n.rebuildDir()
}

func (n *network) signer(c schema.CommitteeID) *schema.Signer {
	n.tb.Helper()
	s, ok := n.signers[c]
	if !ok {
		n.tb.Fatalf("no signer for committee %s", c)
	}
	return s
}

// ledgers folds every scripted member from its ops.
func (n *network) ledgers() []*crdt.Ledger {
	n.tb.Helper()
	out := make([]*crdt.Ledger, len(n.members))
	for i, m := range n.members {
		out[i] = m.ledger()
	}
	return out
}

// script is one member's ledger as it is written.
type script struct {
	n   *network
	id  schema.LedgerID
	ops []*schema.Decoded
	st  *crdt.Ledger
}

// member opens a ledger at home with fields. A name, and unless fields
// set "admitted" a full member's dates, are filled in; an empty value
// removes a field.
func (n *network) member(home *schema.Signer, fields map[string]string) *script {
	n.tb.Helper()
	n.seq++
	var id schema.LedgerID
	binary.BigEndian.PutUint64(id[:8], 0x5265706f7274) // "Report"
	binary.BigEndian.PutUint64(id[8:], n.seq)
	f := map[string]string{"name": "Nguyễn Văn An", "sex": "M"}
	if _, ok := fields["admitted"]; !ok {
		f["admitted"], f["full"] = "2010-03-26", "2011-03-26"
	}
	for k, v := range fields {
		if v == "" {
			delete(f, k)
		} else {
			f[k] = v
		}
	}
	m := &script{n: n, id: id, st: crdt.NewLedger(id)}
	m.write(home, &schema.MemberCreateBody{Home: home.ID(), Fields: f})
	n.members = append(n.members, m)
	return m
}

// write signs body by author after every op of the ledger and applies it;
// a rejection fails the test.
func (m *script) write(author *schema.Signer, body any) schema.OpID {
	m.n.tb.Helper()
	d := testkit.Sign(author, testkit.Op(author, m.id, m.n.tick(), slices.Clone(m.st.DAG.Heads), body))
	if err := crdt.Apply(m.n.dir, m.st, d); err != nil {
		m.n.tb.Fatalf("member %s: %s by %s: %v", m.st.Field("name"), d.Op.Kind, author.ID().Short(), err)
	}
	m.ops = append(m.ops, d)
	return d.ID
}

// ledger folds the member's ops from scratch.
func (m *script) ledger() *crdt.Ledger {
	m.n.tb.Helper()
	l, errs := crdt.Rebuild(m.n.dir, m.id, m.ops)
	if len(errs) > 0 {
		m.n.tb.Fatalf("rebuild of %s: %v", m.st.Field("name"), errs)
	}
	return l
}

func (m *script) home() *schema.Signer { return m.n.signer(m.st.HomeCommittee()) }

func (m *script) set(fields map[string]string) {
	m.write(m.home(), &schema.MemberSetBody{Fields: fields})
}

func (m *script) move(kind, date string) {
	m.write(m.home(), &schema.MovementBody{Type: kind, Date: date, Reason: "theo quyết định"})
}

// Residence link.

func (m *script) intro(residence *schema.Signer, date string, exempt bool) schema.OpID {
	b := &schema.ResidenceIntroBody{Residence: residence.ID(), Address: "Số 5, phố Hàng Bài", Date: date}
	if exempt {
		b.ExemptActivity, b.ExemptCategory = true, "health"
	}
	return m.write(m.home(), b)
}

func (m *script) link(intro schema.OpID) *crdt.ResidenceLink {
	for i := range m.st.Residence {
		if m.st.Residence[i].Intro == intro {
			return &m.st.Residence[i]
		}
	}
	m.n.tb.Fatalf("no residence link %s", intro.Short())
	return nil
}

func (m *script) acceptResidence(intro schema.OpID, date string, cell *schema.Signer) {
	m.write(m.n.signer(m.link(intro).Residence), &schema.ResidenceAcceptBody{Ref: intro, Date: date, Cell: cell.ID()})
}

func (m *script) attend(intro schema.OpID, meeting, status string) {
	b := &schema.AttendanceBody{Ref: intro, Meeting: meeting, Status: status}
	if status == schema.AttendExcused {
		b.Reason = "ốm"
	}
	m.write(m.n.signer(m.link(intro).Residence), b)
}

func (m *script) request(intro schema.OpID, year int, date string) {
	m.write(m.home(), &schema.CommentRequestBody{Ref: intro, Year: year, Date: date})
}

func (m *script) comment(intro schema.OpID, year int, date string) schema.OpID {
	return m.write(m.n.signer(m.link(intro).Residence), &schema.ResidenceCommentBody{Ref: intro, Year: year, Date: date, Fulfilled: true, Text: "Gương mẫu thực hiện nghĩa vụ công dân nơi cư trú"})
}

func (m *script) endResidence(intro schema.OpID, date string) {
	m.write(m.home(), schema.Tagged{Kind: schema.KindResidenceEnd, Body: &schema.EndBody{Ref: intro, Date: date, Reason: "chuyển nơi ở"}})
}

// Transfers.

func (m *script) issue(b schema.TransferIssueBody) schema.OpID { return m.write(m.home(), &b) }

func (m *script) transfer(issue schema.OpID) *crdt.Transfer {
	for i := range m.st.Transfers {
		if m.st.Transfers[i].Issue == issue {
			return &m.st.Transfers[i]
		}
	}
	m.n.tb.Fatalf("no transfer %s", issue.Short())
	return nil
}

func (m *script) present(issue schema.OpID, date string) {
	m.write(m.n.signer(m.transfer(issue).Destination), schema.Tagged{Kind: schema.KindTransferPresent, Body: &schema.TransferStepBody{Ref: issue, Date: date}})
}

func (m *script) acceptTransfer(issue schema.OpID, date string, cell *schema.Signer) {
	b := &schema.TransferStepBody{Ref: issue, Date: date}
	if cell != nil {
		b.Cell = cell.ID()
	}
	m.write(m.n.signer(m.transfer(issue).Destination), schema.Tagged{Kind: schema.KindTransferAccept, Body: b})
}

func (m *script) endTransfer(issue schema.OpID, date string) {
	m.write(m.home(), schema.Tagged{Kind: schema.KindTransferEnd, Body: &schema.EndBody{Ref: issue, Date: date, Reason: "hết thời hạn"}})
}

func (m *script) extendTransfer(issue schema.OpID, until, date string) {
	m.write(m.home(), schema.Tagged{Kind: schema.KindTransferExtend, Body: &schema.ExtendBody{Ref: issue, Until: until, Date: date}})
}

// Exemptions.

func (m *script) exempt(typ, category, from, until string) schema.OpID {
	return m.write(m.home(), &schema.ExemptionBody{Type: typ, Category: category, From: from, Until: until, Decider: "Chi ủy"})
}

func (m *script) endExemption(op schema.OpID, date string) {
	m.write(m.home(), schema.Tagged{Kind: schema.KindExemptionEnd, Body: &schema.EndBody{Ref: op, Date: date, Reason: "đã khỏi bệnh"}})
}

// Away-work leaves.

func (m *script) leave(from, until string, dest *schema.Signer) schema.OpID {
	b := &schema.LeaveBody{From: from, Until: until, Place: "TP. Hồ Chí Minh"}
	if dest != nil {
		b.Destination = dest.ID()
	} else {
		b.Itinerant = true
	}
	return m.write(m.home(), b)
}

func (m *script) extendLeave(op schema.OpID, until, date string) {
	m.write(m.home(), schema.Tagged{Kind: schema.KindLeaveExtend, Body: &schema.ExtendBody{Ref: op, Until: until, Date: date}})
}

func (m *script) selfReview(op schema.OpID, date string) {
	m.write(m.home(), schema.Tagged{Kind: schema.KindLeaveSelfReview, Body: &schema.ReviewBody{Ref: op, Date: date, Text: "Chấp hành tốt"}})
}

func (m *script) leaveComment(op schema.OpID, date string) {
	var dest schema.CommitteeID
	for _, v := range m.st.Leaves {
		if v.Op == op {
			dest = v.Destination
		}
	}
	m.write(m.n.signer(dest), schema.Tagged{Kind: schema.KindLeaveComment, Body: &schema.ReviewBody{Ref: op, Date: date, Text: "Tham gia sinh hoạt đầy đủ"}})
}

func (m *script) endLeave(op schema.OpID, date string) {
	m.write(m.home(), schema.Tagged{Kind: schema.KindLeaveEnd, Body: &schema.EndBody{Ref: op, Date: date}})
}

// Ratings and inactivity.

func (m *script) rate(year, score int, date string) schema.OpID {
	return m.write(m.home(), &schema.RatingBody{Year: year, Score: score, Level: schema.LevelForScore(score), Date: date, Decision: "Chi bộ"})
}

func (m *script) inactive(month string, valid bool) {
	b := &schema.InactiveBody{Month: month}
	if valid {
		b.Valid, b.Reason = true, "đi điều trị"
	}
	m.write(m.home(), b)
}
