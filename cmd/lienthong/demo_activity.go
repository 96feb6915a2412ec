package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"lienthong/internal/sample"
	"lienthong/node"
	"lienthong/schema"
)

// demoActivity plays a year of committee work on a fresh demo network, each
// step by the committee whose work it is, on its own node: the school's
// cells introduce their members who live in the ward (213), the ward
// accepts them into its residence cell, which records meetings and writes
// the annual comments that the cells then see; leaves, exemptions, a
// transfer and last year's ratings at the cells.
func demoActivity(ctx context.Context, tree *sample.Tree, nodes []*demoNode) error {
	ward, resCell := -1, -1
	var workCells []int
	for i, c := range tree.Committees {
		switch {
		case c.Kind == schema.CommitteeResidential && c.Level != sample.LevelCell && ward < 0:
			ward = i
		case c.Kind == schema.CommitteeResidential && c.Level == sample.LevelCell && resCell < 0:
			resCell = i
		case c.Kind == schema.CommitteeWorkplace && c.Level == sample.LevelCell:
			workCells = append(workCells, i)
		}
	}
	if ward < 0 || resCell < 0 || len(workCells) == 0 {
		return errors.New("the demo tree has no ward, residence cell or workplace cell")
	}
	nd := func(i int) *node.Node { return nodes[i].live.sess.node }
	wardID, resCellID := nd(ward).ID(), nd(resCell).ID()
	type link struct {
		cell   int
		member schema.LedgerID
		intro  schema.OpID
	}
	var links []link
	for _, c := range workCells {
		ms, err := nd(c).Members()
		if err != nil {
			return err
		}
		for i, m := range ms {
			id, _ := schema.ParseLedgerID(m.ID)
			switch {
			case i%5 < 2: // two in five live in the ward: 213 members
				addr := m.Fields["address"]
				if addr == "" {
					addr = "Phường Ba Đình, Hà Nội"
				}
				op, err := nd(c).Write(id, &schema.ResidenceIntroBody{Residence: wardID, Address: addr, Date: "2026-01-05"})
				if err != nil {
					return fmt.Errorf("introducing %s: %w", m.Fields["name"], err)
				}
				links = append(links, link{cell: c, member: id, intro: op})
			case i%17 == 3:
				if _, err := nd(c).Write(id, &schema.LeaveBody{From: "2026-06-01", Until: "2026-12-20", Place: "Khu công nghiệp VSIP, Bình Dương", Itinerant: true, Reason: "đi làm ăn xa"}); err != nil {
					return err
				}
			case i%23 == 7:
				if _, err := nd(c).Write(id, &schema.ExemptionBody{Type: schema.ExemptTemporary, Category: "health", From: "2026-03-01", Until: "2027-02-28", Decider: tree.Committees[c].Name, Reason: "điều trị bệnh dài ngày"}); err != nil {
					return err
				}
			}
			if _, err := nd(c).Write(id, &schema.RatingBody{Year: 2025, Score: 60 + (i*7)%40, Level: schema.LevelForScore(60 + (i*7)%40), Date: "2025-12-20"}); err != nil && !errors.Is(err, context.Canceled) {
				continue // exempt members are not rated
			}
		}
	}
	// The ward sees the introductions, accepts them into its residence cell.
	if err := waitFor(ctx, func() bool { return holdsAll(nodes[ward], links, func(l link) schema.LedgerID { return l.member }) }); err != nil {
		return err
	}
	for _, l := range links {
		if _, err := nd(ward).Write(l.member, &schema.ResidenceAcceptBody{Ref: l.intro, Date: "2026-01-15", Cell: resCellID}); err != nil {
			return err
		}
	}
	if err := waitFor(ctx, func() bool { return holdsAll(nodes[resCell], links, func(l link) schema.LedgerID { return l.member }) }); err != nil {
		return err
	}
	for i, l := range links {
		status, reason := schema.AttendPresent, ""
		if i%6 == 1 {
			status, reason = schema.AttendExcused, "đi công tác"
		} else if i%9 == 4 {
			status = schema.AttendAbsent
		}
		for _, day := range []string{"2026-03-20", "2026-09-18"} {
			if _, err := nd(resCell).Write(l.member, &schema.AttendanceBody{Ref: l.intro, Meeting: day, Status: status, Reason: reason}); err != nil {
				return err
			}
		}
		if _, err := nd(l.cell).Write(l.member, &schema.CommentRequestBody{Ref: l.intro, Year: 2026, Date: "2026-10-05"}); err != nil {
			return err
		}
		if i%3 != 2 {
			if _, err := nd(resCell).Write(l.member, &schema.ResidenceCommentBody{Ref: l.intro, Year: 2026, Date: "2026-11-10", Fulfilled: status != schema.AttendAbsent,
				Text: "Gương mẫu chấp hành chủ trương của Đảng, chính sách, pháp luật của Nhà nước và quy định nơi cư trú; tích cực tham gia sinh hoạt tổ dân phố."}); err != nil {
				return err
			}
		}
	}
	// One official transfer between the school's cells.
	if len(workCells) > 1 {
		ms, _ := nd(workCells[0]).Members()
		if len(ms) > 0 {
			id, _ := schema.ParseLedgerID(ms[len(ms)-1].ID)
			if _, err := nd(workCells[0]).Write(id, &schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: nd(workCells[1]).ID(), Date: "2026-10-20", DuesThrough: "2026-09", LetterLine: "07"}); err != nil {
				return err
			}
		}
	}
	return nil
}

func holdsAll[T any](dn *demoNode, items []T, id func(T) schema.LedgerID) bool {
	for _, it := range items {
		if _, err := dn.live.sess.store.Ledger(id(it)); err != nil {
			return false
		}
	}
	return true
}

func waitFor(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}
