package node_test

import (
	"errors"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// workNet is the test network of the workflow tests: the province, the
// workplace grassroots committee with two cells, the residential commune
// with its residence cell; each cell dials its superior.
type workNet struct {
	tree                                        *testkit.Tree
	root, grass, cell1, cell2, commune, resCell *site
}

func startWorkNet(t *testing.T) *workNet {
	t.Helper()
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	w := &workNet{tree: tree}
	w.root = startSite(t, tree, "province", tree.Root, "")
	w.grass = startSite(t, tree, "grassroots", tree.Grassroots, "", w.root)
	w.cell1 = startSite(t, tree, "workplace cell", tree.Cell1, "", w.grass)
	w.cell2 = startSite(t, tree, "other cell", tree.Cell2, "", w.grass)
	w.commune = startSite(t, tree, "ward", tree.Commune, "", w.root)
	w.resCell = startSite(t, tree, "residence cell", tree.ResCell, "", w.commune)
	return w
}

func ledgerOf(t *testing.T, s *site, id schema.LedgerID) *crdt.Ledger {
	t.Helper()
	l, err := s.st.Ledger(id)
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	return l
}

func mustWrite(t *testing.T, s *site, id schema.LedgerID, body any) schema.OpID {
	t.Helper()
	op, err := s.node.Write(id, body)
	if err != nil {
		t.Fatalf("%s writing %T: %v", s.name, schema.Unwrap(body), err)
	}
	return op
}

func refused(t *testing.T, s *site, id schema.LedgerID, body any) {
	t.Helper()
	// Background sync may change the store meanwhile, but only this node
	// writes its own ops: their count in the ledger must not move.
	own := func() int {
		n := 0
		for _, m := range ledgerOf(t, s, id).DAG.Ops {
			if m.Author == s.node.ID() {
				n++
			}
		}
		return n
	}
	before := own()
	_, err := s.node.Write(id, body)
	if !errors.Is(err, crdt.ErrUnauthorized) {
		t.Fatalf("%s writing %T: got %v, want a refusal", s.name, schema.Unwrap(body), err)
	}
	if own() != before {
		t.Fatal("a refused write left an op in the ledger")
	}
}

func TestResidenceLinkAcrossNodes(t *testing.T) {
	w := startWorkNet(t)
	id, err := w.cell1.node.CreateMember("", map[string]string{"name": "Đoàn Thị Thanh", "sex": "F", "born": "1982-04-30"})
	if err != nil {
		t.Fatal(err)
	}
	intro := mustWrite(t, w.cell1, id, &schema.ResidenceIntroBody{Residence: w.tree.Commune.ID(), Address: "Số 8, ngõ 12, phố Lê Hồng Phong", Date: "2026-01-05"})
	eventually(t, "the ward receives the introduction", func() bool { return has(w.commune, id) })
	// Only the residence side accepts; the workplace cannot accept for it.
	refused(t, w.cell1, id, &schema.ResidenceAcceptBody{Ref: intro, Date: "2026-01-10", Cell: w.tree.ResCell.ID()})
	mustWrite(t, w.commune, id, &schema.ResidenceAcceptBody{Ref: intro, Date: "2026-01-10", Cell: w.tree.ResCell.ID()})
	eventually(t, "the residence cell receives the member", func() bool { return has(w.resCell, id) })
	mustWrite(t, w.resCell, id, &schema.AttendanceBody{Ref: intro, Meeting: "2026-03-15", Status: schema.AttendPresent})
	mustWrite(t, w.resCell, id, &schema.AttendanceBody{Ref: intro, Meeting: "2026-06-15", Status: schema.AttendAbsent})
	refused(t, w.cell1, id, &schema.AttendanceBody{Ref: intro, Meeting: "2026-06-15", Status: schema.AttendPresent})
	mustWrite(t, w.cell1, id, &schema.CommentRequestBody{Ref: intro, Year: 2026, Date: "2026-10-01"})
	eventually(t, "the request reaches the residence cell", func() bool {
		return len(ledgerOf(t, w.resCell, id).ActiveResidence().Requests) == 1
	})
	refused(t, w.cell1, id, &schema.ResidenceCommentBody{Ref: intro, Year: 2026, Date: "2026-11-10", Fulfilled: true, Text: "Tự nhận xét hộ"})
	mustWrite(t, w.resCell, id, &schema.ResidenceCommentBody{Ref: intro, Year: 2026, Date: "2026-11-10", Fulfilled: true, Text: "Gương mẫu chấp hành chủ trương, chính sách tại nơi cư trú."})
	eventually(t, "the comment and attendance reach the workplace cell", func() bool {
		r := ledgerOf(t, w.cell1, id).ActiveResidence()
		return len(r.Comments) == 1 && len(r.Attendance) == 2 && r.Cell == w.tree.ResCell.ID()
	})
	// The other workplace cell never holds the member.
	if has(w.cell2, id) {
		t.Fatal("a cell with no stake received the member")
	}
}

func TestOfficialTransferMovesTheRecords(t *testing.T) {
	w := startWorkNet(t)
	id, err := w.cell1.node.CreateMember("", map[string]string{"name": "Quách Văn Lâm", "sex": "M", "card": "01234567"})
	if err != nil {
		t.Fatal(err)
	}
	issue := mustWrite(t, w.cell1, id, &schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: w.tree.Commune.ID(), Date: "2026-02-10", Card: "01234567", DuesThrough: "2026-01"})
	eventually(t, "the destination sees the letter at once", func() bool { return has(w.commune, id) })
	present := schema.Tagged{Kind: schema.KindTransferPresent, Body: &schema.TransferStepBody{Ref: issue, Date: "2026-03-02"}}
	refused(t, w.grass, id, present) // the sending side's superior is not the destination
	mustWrite(t, w.commune, id, present)
	accept := schema.Tagged{Kind: schema.KindTransferAccept, Body: &schema.TransferStepBody{Ref: issue, Date: "2026-03-03", Cell: w.tree.ResCell.ID()}}
	refused(t, w.cell1, id, accept) // the sending side cannot accept for the destination
	mustWrite(t, w.commune, id, accept)
	eventually(t, "the records arrive at the new cell and the sending cell sees the move", func() bool {
		return has(w.resCell, id) && ledgerOf(t, w.cell1, id).HomeCommittee() == w.tree.ResCell.ID()
	})
	// The old home is no longer the home: it may no longer write the record.
	refused(t, w.cell1, id, &schema.MemberSetBody{Fields: map[string]string{"phone": "0912345678"}})
	mustWrite(t, w.resCell, id, &schema.MemberSetBody{Fields: map[string]string{"phone": "0912345678"}})
	if got := ledgerOf(t, w.resCell, id).HomeCommittee(); got != w.tree.ResCell.ID() {
		t.Fatalf("home after acceptance: %s", got)
	}
}

func TestLeaveExemptionAndRatingAcrossNodes(t *testing.T) {
	w := startWorkNet(t)
	id, err := w.cell1.node.CreateMember("", map[string]string{"name": "Kiều Thị Nga", "sex": "F"})
	if err != nil {
		t.Fatal(err)
	}
	leave := mustWrite(t, w.cell1, id, &schema.LeaveBody{From: "2026-01-01", Until: "2026-06-30", Destination: w.tree.Commune.ID(), Place: "Bình Dương"})
	eventually(t, "the leave's destination receives the member", func() bool { return has(w.commune, id) })
	comment := schema.Tagged{Kind: schema.KindLeaveComment, Body: &schema.ReviewBody{Ref: leave, Date: "2026-07-02", Text: "Chấp hành tốt quy định nơi đến."}}
	refused(t, w.grass, id, comment)
	refused(t, w.cell1, id, comment) // the destination comments, not the home
	mustWrite(t, w.commune, id, comment)
	mustWrite(t, w.cell1, id, schema.Tagged{Kind: schema.KindLeaveSelfReview, Body: &schema.ReviewBody{Ref: leave, Date: "2026-07-01", Text: "Bản tự kiểm điểm"}})
	mustWrite(t, w.cell1, id, schema.Tagged{Kind: schema.KindLeaveEnd, Body: &schema.EndBody{Ref: leave, Date: "2026-07-01"}})
	eventually(t, "the destination's comment reaches home", func() bool {
		l := ledgerOf(t, w.cell1, id)
		return len(l.Leaves) == 1 && len(l.Leaves[0].Comments) == 1
	})
	// A rating is the home's; an exempt member is not rated.
	refused(t, w.commune, id, &schema.RatingBody{Year: 2026, Score: 92, Level: schema.RatingExcellent, Date: "2026-12-20"})
	mustWrite(t, w.grass, id, &schema.ExemptionBody{Type: schema.ExemptTemporary, Category: "health", From: "2026-09-01", Until: "2027-03-01", Decider: "Chi bộ"})
	eventually(t, "the exemption reaches the cell", func() bool { return ledgerOf(t, w.cell1, id).ExemptOn("2026-12-31") != nil })
	if _, err := w.cell1.node.Write(id, &schema.RatingBody{Year: 2026, Score: 80, Level: schema.RatingGood, Date: "2026-12-20"}); !errors.Is(err, crdt.ErrInvalid) {
		t.Fatalf("rating an exempt member: got %v", err)
	}
	mustWrite(t, w.cell1, id, &schema.RatingBody{Year: 2025, Score: 80, Level: schema.RatingGood, Date: "2025-12-20"})
	eventually(t, "the rating reaches the province", func() bool {
		r := ledgerOf(t, w.root, id).RatingFor(2025)
		return r != nil && r.Level == schema.RatingGood
	})
}
