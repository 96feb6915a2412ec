package crdt_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// checkEncoding fails t unless the hand-written encoder writes for l what
// schema.Marshal writes, and Encode returns it.
func checkEncoding(t *testing.T, name string, l *crdt.Ledger) {
	t.Helper()
	got, want, err := crdt.WireCBOR(l)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: the hand-written encoding differs from Marshal's (%d and %d bytes)\n got %x\nwant %x", name, len(got), len(want), got, want)
	}
	if enc, err := l.Encode(); err != nil || !bytes.Equal(enc, want) {
		t.Fatalf("%s: Encode does not return Marshal's bytes: %v", name, err)
	}
}

// applyInOrder applies ops in fold order one at a time, calling each with
// the ledger after every op it accepts; ops it rejects are skipped.
func applyInOrder(dir *crdt.Directory, id schema.LedgerID, ops []*schema.Decoded, each func(*crdt.Ledger)) {
	ops = slices.Clone(ops)
	slices.SortFunc(ops, func(a, b *schema.Decoded) int {
		if crdt.KeyOf(a).Less(crdt.KeyOf(b)) {
			return -1
		}
		return 1
	})
	l := crdt.NewLedger(id)
	for _, d := range ops {
		if crdt.Apply(dir, l, d) == nil {
			each(l)
		}
	}
}

// TestAppendCBORMatchesMarshalOnFoldedHistories: every state that random
// histories of concurrent writers pass through, and their final folds,
// encode the same both ways.
func TestAppendCBORMatchesMarshalOnFoldedHistories(t *testing.T) {
	states, finals := 0, 0
	for seed := range uint64(250) {
		rng := rand.New(rand.NewPCG(seed, 0x1ed9e7))
		h := testkit.RandomHistory(rng, 10, 200, seed%3 == 0)
		dir, _ := crdt.RebuildDirectory(h.Tree.Root.ID(), h.Dir)
		byLedger := map[schema.LedgerID][]*schema.Decoded{}
		for _, d := range h.Members {
			byLedger[d.Op.Ledger] = append(byLedger[d.Op.Ledger], d)
		}
		for id, ops := range byLedger {
			l, _ := crdt.Rebuild(dir, id, ops)
			if !l.Created() {
				continue
			}
			checkEncoding(t, fmt.Sprintf("seed %d ledger %s", seed, id), l)
			finals++
			applyInOrder(dir, id, ops, func(l *crdt.Ledger) {
				checkEncoding(t, fmt.Sprintf("seed %d ledger %s after %d ops", seed, id, len(l.DAG.Ops)), l)
				states++
			})
		}
	}
	if finals < 1000 {
		t.Fatalf("only %d folded ledgers; the histories no longer make many", finals)
	}
	t.Logf("%d folded ledgers, %d intermediate states", finals, states)
}

// workflowLedger writes a random life of one member: field writes and
// corrections, some concurrent, movements, and the workflows (residence,
// transfers, exemptions, leaves, ratings, inactive months) by committees
// on either side. Ops the fold refuses are dropped.
func workflowLedger(rng *rand.Rand, tree *testkit.Tree, dir *crdt.Directory, id schema.LedgerID, steps int, each func(*crdt.Ledger)) *crdt.Ledger {
	signers := []*schema.Signer{tree.Cell1, tree.Cell1, tree.Cell1, tree.Grassroots, tree.Root, tree.Cell2, tree.Commune, tree.ResCell}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	texts := []string{"Nguyễn Văn An", "Trần Thị Mai", "Số 5, phố Hàng Bài, Hà Nội", "Thôn Đông, xã Yên Sở", "Kỹ sư", "Giáo viên",
		"Công ty Điện lực", "Trường THPT Chu Văn An", "Kinh", "Không", "Đại học", "Cao cấp", "x",
		strings.TrimSpace(strings.Repeat("Đảng viên gương mẫu. ", 30)), strings.Repeat("ấ", 341)}
	textFields := []string{"name", "birthplace", "hometown", "ethnicity", "religion", "address", "temp_address", "occupation",
		"workplace", "education", "theory", "register_line", "badge"}
	committees := []schema.CommitteeID{tree.Cell2.ID(), tree.Commune.ID(), tree.ResCell.ID(), tree.Grassroots.ID()}
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	date := func(offset int) string { return day.AddDate(0, 0, offset).Format(schema.DateLayout) }
	hlc := tree.LastHLC()
	l := crdt.NewLedger(id)
	try := func(author *schema.Signer, deps []schema.OpID, body any) {
		hlc = schema.MakeHLC(hlc.Millis()+1+rng.Int64N(100_000), uint16(rng.IntN(3)))
		d, ok := func() (d *schema.Decoded, ok bool) {
			defer func() {
				if recover() != nil { // a body the schema refuses
					ok = false
				}
			}()
			return testkit.Sign(author, testkit.Op(author, id, hlc, deps, body)), true
		}()
		if ok && crdt.Apply(dir, l, d) == nil {
			each(l)
		}
	}
	fields := func() map[string]string {
		m := map[string]string{}
		for range 1 + rng.IntN(6) {
			m[pick(textFields)] = pick(texts)
		}
		if rng.IntN(4) == 0 {
			m["phone"] = pick([]string{"0912345678", "0987654321", ""})
		}
		if rng.IntN(4) == 0 {
			m["card"] = pick([]string{"01234567", "07654321"})
		}
		if rng.IntN(6) == 0 {
			m["full"] = date(rng.IntN(400))
		}
		return m
	}
	create := fields()
	create["name"] = pick(texts[:2])
	try(tree.Cell1, nil, &schema.MemberCreateBody{Home: tree.Cell1.ID(), Fields: create})
	if !l.Created() {
		panic("the create op was refused")
	}
	tagged := func(k schema.Kind, b schema.Body) schema.Tagged { return schema.Tagged{Kind: k, Body: b} }
	for step := range steps {
		today := date(step * 7)
		deps := slices.Clone(l.DAG.Heads)
		if rng.IntN(5) == 0 { // concurrent with what came after an older op
			deps = []schema.OpID{l.DAG.Ops[rng.IntN(len(l.DAG.Ops))].ID}
		}
		someOp := l.DAG.Ops[rng.IntN(len(l.DAG.Ops))].ID
		var ref schema.OpID
		refTo := func(ids ...schema.OpID) schema.OpID {
			if len(ids) == 0 || rng.IntN(10) == 0 {
				return someOp
			}
			return ids[rng.IntN(len(ids))]
		}
		var residences, transfers, exemptions, leaves, comments []schema.OpID
		for _, r := range l.Residence {
			residences = append(residences, r.Intro)
			for _, c := range r.Comments {
				comments = append(comments, c.Op)
			}
		}
		for _, x := range l.Transfers {
			transfers = append(transfers, x.Issue)
		}
		for _, e := range l.Exemptions {
			exemptions = append(exemptions, e.Op)
		}
		for _, v := range l.Leaves {
			leaves = append(leaves, v.Op)
		}
		var body any
		switch rng.IntN(22) {
		case 0, 1, 2:
			body = &schema.MemberSetBody{Fields: fields()}
		case 3:
			body = &schema.MemberCorrectBody{Target: someOp, Fields: fields(), Reason: pick([]string{"ghi nhầm", "sai chính tả", texts[13]})}
		case 4:
			body = &schema.MovementBody{Type: pick(schema.MovementTypes), Date: today, Reason: pick([]string{"", "theo quyết định"}),
				Decision: pick([]string{"", "123-QĐ/ĐU"})}
		case 5:
			b := &schema.ResidenceIntroBody{Residence: committees[rng.IntN(len(committees))], Address: pick(texts[2:4]), Date: today}
			if rng.IntN(3) == 0 {
				b.ExemptActivity, b.ExemptCategory = true, pick(schema.ExemptCategories)
			}
			if rng.IntN(3) == 0 {
				b.Note = pick(texts)
			}
			body = b
		case 6:
			ref = refTo(residences...)
			body = &schema.ResidenceAcceptBody{Ref: ref, Date: today, Cell: []schema.CommitteeID{tree.ResCell.ID(), tree.Commune.ID()}[rng.IntN(2)]}
		case 7:
			body = &schema.AttendanceBody{Ref: refTo(residences...), Meeting: today, Status: pick([]string{schema.AttendPresent, schema.AttendAbsent, schema.AttendExcused}),
				Reason: pick([]string{"", "ốm"})}
		case 8:
			body = &schema.CommentRequestBody{Ref: refTo(residences...), Year: 2025, Date: today}
		case 9:
			body = &schema.ResidenceCommentBody{Ref: refTo(residences...), Year: 2025, Date: today, Fulfilled: rng.IntN(2) == 0, Text: "Gương mẫu chấp hành chủ trương"}
		case 10:
			kind := []schema.Kind{schema.KindResidenceEnd, schema.KindTransferEnd, schema.KindExemptionEnd, schema.KindLeaveEnd}[rng.IntN(4)]
			refs := map[schema.Kind][]schema.OpID{schema.KindResidenceEnd: residences, schema.KindTransferEnd: transfers,
				schema.KindExemptionEnd: exemptions, schema.KindLeaveEnd: leaves}[kind]
			body = tagged(kind, &schema.EndBody{Ref: refTo(refs...), Date: today, Reason: pick([]string{"", "chuyển nơi cư trú"})})
		case 11, 12:
			b := &schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: committees[rng.IntN(len(committees))], Date: today,
				LetterLine: fmt.Sprint(rng.IntN(300)), Card: pick([]string{"", "01234567"}), DuesThrough: pick([]string{"", "2025-12"})}
			if rng.IntN(2) == 0 {
				b.Type, b.Until = schema.TransferTemporary, date(step*7+90)
				b.Study = rng.IntN(3) == 0
			}
			body = b
		case 13:
			kind := []schema.Kind{schema.KindTransferPresent, schema.KindTransferAccept}[rng.IntN(2)]
			b := &schema.TransferStepBody{Ref: refTo(transfers...), Date: today}
			if kind == schema.KindTransferAccept && rng.IntN(2) == 0 {
				b.Cell = []schema.CommitteeID{tree.ResCell.ID(), tree.Cell2.ID()}[rng.IntN(2)]
			}
			if rng.IntN(4) == 0 {
				b.LateReason = "đi công tác"
			}
			body = tagged(kind, b)
		case 14:
			kind := []schema.Kind{schema.KindTransferExtend, schema.KindLeaveExtend}[rng.IntN(2)]
			refs := transfers
			if kind == schema.KindLeaveExtend {
				refs = leaves
			}
			body = tagged(kind, &schema.ExtendBody{Ref: refTo(refs...), Until: date(step*7 + 60 + rng.IntN(200)), Date: today})
		case 15:
			b := &schema.ExemptionBody{Type: schema.ExemptPermanent, Category: pick(schema.ExemptCategories), From: today, Decider: pick([]string{"", "Chi ủy"})}
			if rng.IntN(2) == 0 {
				b.Type, b.Until = schema.ExemptTemporary, date(step*7+180)
			}
			body = b
		case 16:
			b := &schema.LeaveBody{From: today, Until: date(step*7 + 30 + rng.IntN(300)), Place: pick([]string{"", "Thành phố Hồ Chí Minh"}), Reason: "làm ăn xa"}
			switch rng.IntN(3) {
			case 0:
				b.Destination = committees[rng.IntN(len(committees))]
			case 1:
				b.Itinerant = true
			}
			body = b
		case 17:
			kind := []schema.Kind{schema.KindLeaveSelfReview, schema.KindLeaveComment}[rng.IntN(2)]
			body = tagged(kind, &schema.ReviewBody{Ref: refTo(leaves...), Date: today, Text: pick(texts)})
		case 18, 19:
			score := rng.IntN(101)
			b := &schema.RatingBody{Year: 2020 + rng.IntN(6), Score: score, Level: schema.LevelForScore(score), Date: today,
				SelfAssessment: pick([]string{"", "Hoàn thành tốt nhiệm vụ"}), Decision: pick([]string{"", "45-QĐ/ĐU"})}
			if len(comments) > 0 && rng.IntN(2) == 0 {
				b.Comment = comments[rng.IntN(len(comments))]
			}
			body = b
		default:
			b := &schema.InactiveBody{Month: fmt.Sprintf("2025-%02d", 1+rng.IntN(12))}
			if rng.IntN(3) == 0 {
				b.Valid, b.Reason = true, "ốm dài ngày"
			}
			body = b
		}
		try(signers[rng.IntN(len(signers))], deps, body)
	}
	return l
}

// TestAppendCBORMatchesMarshalOnWorkflows: ledgers with residence links,
// transfers, exemptions, leaves, ratings, inactive months, movements and
// corrections encode the same both ways, after every op.
func TestAppendCBORMatchesMarshalOnWorkflows(t *testing.T) {
	tree := testkit.NewTree(schema.MakeHLC(1_700_000_000_000, 0))
	dir := mustDir(t, tree)
	rng := rand.New(rand.NewPCG(3, 0x3b1d))
	const ledgers = 400
	states := 0
	var seen struct{ residence, transfer, exempt, leave, rating, inactive, movement, target, detail, conflict, ops int }
	for i := range ledgers {
		id := schema.LedgerID{byte(i), byte(i >> 8), 0x77}
		l := workflowLedger(rng, tree, dir, id, 10+rng.IntN(80), func(l *crdt.Ledger) {
			checkEncoding(t, fmt.Sprintf("workflow ledger %d after %d ops", i, len(l.DAG.Ops)), l)
			states++
		})
		seen.ops += len(l.DAG.Ops)
		for _, x := range []struct {
			n *int
			c bool
		}{{&seen.residence, len(l.Residence) > 0}, {&seen.transfer, len(l.Transfers) > 0}, {&seen.exempt, len(l.Exemptions) > 0},
			{&seen.leave, len(l.Leaves) > 0}, {&seen.rating, len(l.Ratings) > 0}, {&seen.inactive, len(l.Inactive) > 0},
			{&seen.movement, slices.ContainsFunc(l.History, func(e crdt.Event) bool { return e.Movement != nil })},
			{&seen.target, slices.ContainsFunc(l.History, func(e crdt.Event) bool { return e.Target != schema.OpID{} })},
			{&seen.detail, slices.ContainsFunc(l.History, func(e crdt.Event) bool { return len(e.Detail) > 0 })},
			{&seen.conflict, l.Conflicts() != nil},
		} {
			if x.c {
				*x.n++
			}
		}
	}
	// Every kind of record must turn up in a good share of the ledgers, or
	// the test no longer covers them.
	for name, n := range map[string]int{"residence": seen.residence, "transfer": seen.transfer, "exemption": seen.exempt, "leave": seen.leave,
		"rating": seen.rating, "inactive": seen.inactive, "movement": seen.movement, "correction": seen.target, "workflow detail": seen.detail,
		"conflict": seen.conflict} {
		if n < ledgers/10 {
			t.Errorf("only %d of %d ledgers have a %s", n, ledgers, name)
		}
	}
	t.Logf("%d workflow ledgers, %d ops, %d states compared; ledgers with residence %d, transfer %d, exemption %d, leave %d, rating %d, inactive %d, movement %d, correction %d, conflict %d",
		ledgers, seen.ops, states, seen.residence, seen.transfer, seen.exempt, seen.leave, seen.rating, seen.inactive, seen.movement, seen.target, seen.conflict)
}
