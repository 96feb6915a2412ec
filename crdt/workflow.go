package crdt

import (
	"encoding/json"
	"fmt"

	"lienthong/schema"
)

// EndedByTransfer is the end reason of a residence link closed by an
// accepted official transfer.
const EndedByTransfer = "chuyển sinh hoạt đảng chính thức"

// Attendance is one attendance record at a residence meeting.
type Attendance struct {
	Op      schema.OpID `cbor:"1,keyasint" json:"op,omitempty"`
	Meeting string      `cbor:"2,keyasint" json:"meeting,omitempty"`
	Status  string      `cbor:"3,keyasint" json:"status,omitempty"`
	Reason  string      `cbor:"4,keyasint,omitempty" json:"reason,omitempty"`
}

// Request is a comment request of the home committee.
type Request struct {
	Op   schema.OpID `cbor:"1,keyasint" json:"op,omitempty"`
	Year int         `cbor:"2,keyasint" json:"year,omitempty"`
	Date string      `cbor:"3,keyasint" json:"date,omitempty"`
}

// Comment is a residence committee's annual comment.
type Comment struct {
	Op        schema.OpID        `cbor:"1,keyasint" json:"op,omitempty"`
	Year      int                `cbor:"2,keyasint" json:"year,omitempty"`
	Date      string             `cbor:"3,keyasint" json:"date,omitempty"`
	Fulfilled bool               `cbor:"4,keyasint" json:"fulfilled,omitempty"`
	Text      string             `cbor:"5,keyasint" json:"text,omitempty"`
	Author    schema.CommitteeID `cbor:"6,keyasint" json:"author,omitempty"`
}

// ResidenceLink is a member's registration at the place of residence
// (Regulation 213, formerly 76).
type ResidenceLink struct {
	Intro          schema.OpID        `cbor:"1,keyasint" json:"intro,omitempty"`
	Home           schema.CommitteeID `cbor:"2,keyasint" json:"home,omitempty"` // introducing committee
	Residence      schema.CommitteeID `cbor:"3,keyasint" json:"residence,omitempty"`
	Address        string             `cbor:"4,keyasint" json:"address,omitempty"`
	Date           string             `cbor:"5,keyasint" json:"date,omitempty"`
	ExemptActivity bool               `cbor:"6,keyasint,omitempty" json:"exempt_activity,omitempty"`
	ExemptCategory string             `cbor:"7,keyasint,omitempty" json:"exempt_category,omitempty"`
	Accepted       string             `cbor:"8,keyasint,omitempty" json:"accepted,omitempty"`
	Cell           schema.CommitteeID `cbor:"9,keyasint,omitempty" json:"cell,omitempty"`
	Ended          string             `cbor:"10,keyasint,omitempty" json:"ended,omitempty"`
	EndReason      string             `cbor:"11,keyasint,omitempty" json:"end_reason,omitempty"`
	Attendance     []Attendance       `cbor:"12,keyasint,omitempty" json:"attendance,omitempty"`
	Requests       []Request          `cbor:"13,keyasint,omitempty" json:"requests,omitempty"`
	Comments       []Comment          `cbor:"14,keyasint,omitempty" json:"comments,omitempty"`
}

// Active reports whether the link has not ended.
func (r *ResidenceLink) Active() bool { return r != nil && r.Ended == "" }

// Extension of a leave or a temporary transfer.
type Extension struct {
	Op    schema.OpID `cbor:"1,keyasint" json:"op,omitempty"`
	Until string      `cbor:"2,keyasint" json:"until,omitempty"`
	Date  string      `cbor:"3,keyasint" json:"date,omitempty"`
}

// Transfer is a transfer of party activity.
type Transfer struct {
	schema.TransferIssueBody `cbor:"1,keyasint"`
	Issue                    schema.OpID        `cbor:"2,keyasint" json:"issue,omitempty"`
	From                     schema.CommitteeID `cbor:"3,keyasint" json:"from,omitempty"` // home at issue
	Presented                string             `cbor:"4,keyasint,omitempty" json:"presented,omitempty"`
	PresentedLate            string             `cbor:"5,keyasint,omitempty" json:"presented_late,omitempty"` // reason
	Accepted                 string             `cbor:"6,keyasint,omitempty" json:"accepted,omitempty"`
	Cell                     schema.CommitteeID `cbor:"7,keyasint,omitempty" json:"cell,omitempty"`
	Ended                    string             `cbor:"8,keyasint,omitempty" json:"ended,omitempty"`
	EndReason                string             `cbor:"9,keyasint,omitempty" json:"end_reason,omitempty"`
	Extensions               []Extension        `cbor:"10,keyasint,omitempty" json:"extensions,omitempty"`
}

// Open reports whether the transfer is still in flight or, for a temporary
// one, running.
func (t *Transfer) Open() bool {
	if t == nil || t.Ended != "" {
		return false
	}
	return t.Type == schema.TransferTemporary || t.Accepted == ""
}

// CurrentUntil is the end of a temporary transfer after extensions.
func (t *Transfer) CurrentUntil() string {
	if n := len(t.Extensions); n > 0 {
		return t.Extensions[n-1].Until
	}
	return t.Until
}

// Exemption from party work and activity.
type Exemption struct {
	schema.ExemptionBody `cbor:"1,keyasint"`
	Op                   schema.OpID `cbor:"2,keyasint" json:"op,omitempty"`
	Ended                string      `cbor:"3,keyasint,omitempty" json:"ended,omitempty"`
	EndReason            string      `cbor:"4,keyasint,omitempty" json:"end_reason,omitempty"`
}

// CoversDate reports whether the exemption is in force on date.
func (e *Exemption) CoversDate(date string) bool {
	if date < e.From {
		return false
	}
	if e.Ended != "" && date >= e.Ended {
		return false
	}
	return e.Type == schema.ExemptPermanent || date <= e.Until
}

// Review is a self-review or a destination's comment.
type Review struct {
	Op     schema.OpID        `cbor:"1,keyasint" json:"op,omitempty"`
	Date   string             `cbor:"2,keyasint" json:"date,omitempty"`
	Text   string             `cbor:"3,keyasint" json:"text,omitempty"`
	Author schema.CommitteeID `cbor:"4,keyasint" json:"author,omitempty"`
}

// Leave is an away-work leave.
type Leave struct {
	schema.LeaveBody `cbor:"1,keyasint"`
	Op               schema.OpID `cbor:"2,keyasint" json:"op,omitempty"`
	Extensions       []Extension `cbor:"3,keyasint,omitempty" json:"extensions,omitempty"`
	SelfReviews      []Review    `cbor:"4,keyasint,omitempty" json:"self_reviews,omitempty"`
	Comments         []Review    `cbor:"5,keyasint,omitempty" json:"comments,omitempty"`
	Ended            string      `cbor:"6,keyasint,omitempty" json:"ended,omitempty"`
}

// CurrentUntil is the end of the leave after extensions.
func (v *Leave) CurrentUntil() string {
	if n := len(v.Extensions); n > 0 {
		return v.Extensions[n-1].Until
	}
	return v.Until
}

// Rating is a year-end rating as decided.
type Rating struct {
	schema.RatingBody `cbor:"1,keyasint"`
	Op                schema.OpID `cbor:"2,keyasint" json:"op,omitempty"`
}

// Inactive is a month without activity or dues.
type Inactive struct {
	schema.InactiveBody `cbor:"1,keyasint"`
	Op                  schema.OpID `cbor:"2,keyasint" json:"op,omitempty"`
}

// Residence returns the residence link opened by intro.
func (l *Ledger) residence(intro schema.OpID) *ResidenceLink {
	for i := range l.Residence {
		if l.Residence[i].Intro == intro {
			return &l.Residence[i]
		}
	}
	return nil
}

// ActiveResidence returns the member's active residence link, if any.
func (l *Ledger) ActiveResidence() *ResidenceLink {
	for i := range l.Residence {
		if l.Residence[i].Active() {
			return &l.Residence[i]
		}
	}
	return nil
}

func (l *Ledger) transfer(issue schema.OpID) *Transfer {
	for i := range l.Transfers {
		if l.Transfers[i].Issue == issue {
			return &l.Transfers[i]
		}
	}
	return nil
}

// OpenTransfer returns the transfer in flight or running, if any.
func (l *Ledger) OpenTransfer() *Transfer {
	for i := range l.Transfers {
		if l.Transfers[i].Open() {
			return &l.Transfers[i]
		}
	}
	return nil
}

func (l *Ledger) exemption(op schema.OpID) *Exemption {
	for i := range l.Exemptions {
		if l.Exemptions[i].Op == op {
			return &l.Exemptions[i]
		}
	}
	return nil
}

// ExemptOn returns the exemption in force on date, if any.
func (l *Ledger) ExemptOn(date string) *Exemption {
	for i := range l.Exemptions {
		if l.Exemptions[i].CoversDate(date) {
			return &l.Exemptions[i]
		}
	}
	return nil
}

func (l *Ledger) leave(op schema.OpID) *Leave {
	for i := range l.Leaves {
		if l.Leaves[i].Op == op {
			return &l.Leaves[i]
		}
	}
	return nil
}

// OpenLeave returns the leave not yet ended, if any.
func (l *Ledger) OpenLeave() *Leave {
	for i := range l.Leaves {
		if l.Leaves[i].Ended == "" {
			return &l.Leaves[i]
		}
	}
	return nil
}

// RatingFor returns the rating in force for a year (the last decided).
func (l *Ledger) RatingFor(year int) *Rating {
	for i := len(l.Ratings) - 1; i >= 0; i-- {
		if l.Ratings[i].Year == year {
			return &l.Ratings[i]
		}
	}
	return nil
}

// refOf returns the op a workflow body follows.
func refOf(body any) (schema.OpID, bool) {
	switch b := body.(type) {
	case *schema.ResidenceAcceptBody:
		return b.Ref, true
	case *schema.AttendanceBody:
		return b.Ref, true
	case *schema.CommentRequestBody:
		return b.Ref, true
	case *schema.ResidenceCommentBody:
		return b.Ref, true
	case *schema.EndBody:
		return b.Ref, true
	case *schema.TransferStepBody:
		return b.Ref, true
	case *schema.ExtendBody:
		return b.Ref, true
	case *schema.ReviewBody:
		return b.Ref, true
	}
	return schema.OpID{}, false
}

// sideOf lists the committees on the other side of a workflow an op
// follows, for the roles that are not the home.
func (l *Ledger) sideOf(d *schema.Decoded) ([]schema.CommitteeID, error) {
	ref, _ := refOf(d.Body)
	switch d.Op.Kind.Role() {
	case schema.RoleResidence, schema.RoleHomeOrResidence:
		r := l.residence(ref)
		if r == nil {
			return nil, fmt.Errorf("no residence introduction %s in this ledger", ref.Short())
		}
		side := []schema.CommitteeID{r.Residence}
		if r.Cell != "" {
			side = append(side, r.Cell)
		}
		return side, nil
	case schema.RoleTransferDest, schema.RoleHomeOrTransferDest:
		t := l.transfer(ref)
		if t == nil {
			return nil, fmt.Errorf("no transfer %s in this ledger", ref.Short())
		}
		side := []schema.CommitteeID{t.Destination}
		if t.Cell != "" {
			side = append(side, t.Cell)
		}
		return side, nil
	case schema.RoleLeaveDest:
		v := l.leave(ref)
		if v == nil {
			return nil, fmt.Errorf("no leave %s in this ledger", ref.Short())
		}
		if v.Destination == "" {
			return nil, fmt.Errorf("leave %s names no destination organisation; record a self-review instead", ref.Short())
		}
		return []schema.CommitteeID{v.Destination}, nil
	}
	return nil, nil
}

// checkWorkflow checks that a workflow op is valid against the state before
// it: the thing it follows exists and is in the right stage.
func (l *Ledger) checkWorkflow(dir *Directory, d *schema.Decoded) error {
	at := d.Op.HLC
	ref, _ := refOf(d.Body)
	home := l.HomeCommittee()
	switch b := d.Body.(type) {
	case *schema.ResidenceIntroBody:
		if r := l.ActiveResidence(); r != nil {
			return fmt.Errorf("the member already has an active residence link (%s); end it first", r.Intro.Short())
		}
		if err := dir.ActiveAt(b.Residence, at); err != nil {
			return fmt.Errorf("residence committee: %v", err)
		}
	case *schema.ResidenceAcceptBody:
		r := l.residence(ref)
		switch {
		case !r.Active():
			return fmt.Errorf("the residence link ended on %s", r.Ended)
		case r.Accepted != "":
			return fmt.Errorf("the introduction was already accepted on %s", r.Accepted)
		case !dir.IsAncestorAt(r.Residence, b.Cell, at):
			return fmt.Errorf("cell %s is not under the residence committee %s", b.Cell, r.Residence)
		}
	case *schema.AttendanceBody, *schema.ResidenceCommentBody:
		r := l.residence(ref)
		if !r.Active() || r.Accepted == "" {
			return fmt.Errorf("the residence link is not accepted or has ended")
		}
	case *schema.CommentRequestBody:
		if !l.residence(ref).Active() {
			return fmt.Errorf("the residence link has ended")
		}
	case *schema.TransferIssueBody:
		if t := l.OpenTransfer(); t != nil {
			return fmt.Errorf("transfer %s is still open; end it first", t.Issue.Short())
		}
		if b.Destination == home {
			return fmt.Errorf("the destination is the member's home committee")
		}
		if err := dir.ActiveAt(b.Destination, at); err != nil {
			return fmt.Errorf("destination: %v", err)
		}
	case *schema.TransferStepBody:
		t := l.transfer(ref)
		switch {
		case t.Ended != "":
			return fmt.Errorf("the transfer ended on %s", t.Ended)
		case t.Accepted != "":
			return fmt.Errorf("the transfer was already accepted on %s", t.Accepted)
		case d.Op.Kind == schema.KindTransferPresent && t.Presented != "":
			return fmt.Errorf("the letter was already presented on %s", t.Presented)
		case b.Cell != "" && !dir.IsAncestorAt(t.Destination, b.Cell, at):
			return fmt.Errorf("cell %s is not under the destination %s", b.Cell, t.Destination)
		case b.Date < t.Date:
			return fmt.Errorf("date %s is before the letter was issued (%s)", b.Date, t.Date)
		}
	case *schema.ExtendBody:
		if d.Op.Kind == schema.KindTransferExtend {
			t := l.transfer(ref)
			if t == nil || t.Type != schema.TransferTemporary || t.Ended != "" {
				return fmt.Errorf("only a running temporary transfer can be extended")
			}
			cur := t.CurrentUntil()
			if b.Until <= cur {
				return fmt.Errorf("the extension ends %s, not after the current end %s", b.Until, cur)
			}
			if schema.MonthsBetween(cur, b.Until) >= 12 {
				return fmt.Errorf("an extension lasts under a year")
			}
		} else {
			v := l.leave(ref)
			if v == nil || v.Ended != "" {
				return fmt.Errorf("no open leave %s", ref.Short())
			}
			if b.Until <= v.CurrentUntil() {
				return fmt.Errorf("the extension ends %s, not after the current end %s", b.Until, v.CurrentUntil())
			}
			if schema.MonthsBetween(v.From, b.Until) >= 12 {
				return fmt.Errorf("an away-work exemption lasts under 12 months in all; transfer the member's activity instead")
			}
		}
	case *schema.EndBody:
		switch d.Op.Kind {
		case schema.KindResidenceEnd:
			if !l.residence(ref).Active() {
				return fmt.Errorf("the residence link already ended")
			}
		case schema.KindTransferEnd:
			if t := l.transfer(ref); !t.Open() {
				return fmt.Errorf("the transfer is not open")
			}
		case schema.KindExemptionEnd:
			e := l.exemption(ref)
			if e == nil || e.Ended != "" {
				return fmt.Errorf("no exemption %s in force to end", ref.Short())
			}
		case schema.KindLeaveEnd:
			v := l.leave(ref)
			if v == nil || v.Ended != "" {
				return fmt.Errorf("no open leave %s to end", ref.Short())
			}
		}
	case *schema.ReviewBody:
		if l.leave(ref) == nil {
			return fmt.Errorf("no leave %s in this ledger", ref.Short())
		}
	case *schema.ExemptionBody:
		for i := range l.Exemptions {
			e := &l.Exemptions[i]
			if e.Ended == "" && (e.Type == schema.ExemptPermanent || e.Until >= b.From) {
				return fmt.Errorf("exemption %s is still in force; end it first", e.Op.Short())
			}
		}
	case *schema.LeaveBody:
		if v := l.OpenLeave(); v != nil && v.CurrentUntil() >= b.From {
			return fmt.Errorf("leave %s is still open; end it first", v.Op.Short())
		}
		if b.Destination != "" {
			if err := dir.ActiveAt(b.Destination, at); err != nil {
				return fmt.Errorf("destination: %v", err)
			}
		}
	case *schema.RatingBody:
		yearEnd := fmt.Sprintf("%04d-12-31", b.Year)
		if e := l.ExemptOn(yearEnd); e != nil {
			return fmt.Errorf("the member is exempt (%s, %s) and is not rated", e.Type, e.Category)
		}
		if b.Comment != (schema.OpID{}) && !l.hasComment(b.Comment) {
			return fmt.Errorf("op %s is not a residence comment of this member", b.Comment.Short())
		}
	}
	return nil
}

func (l *Ledger) hasComment(op schema.OpID) bool {
	for _, r := range l.Residence {
		for _, c := range r.Comments {
			if c.Op == op {
				return true
			}
		}
	}
	return false
}

// applyWorkflow changes the state for a workflow op already authorised.
func (l *Ledger) applyWorkflow(d *schema.Decoded, val func(string) Value) {
	ref, _ := refOf(d.Body)
	switch b := d.Body.(type) {
	case *schema.ResidenceIntroBody:
		l.Residence = append(l.Residence, ResidenceLink{Intro: d.ID, Home: l.HomeCommittee(), Residence: b.Residence, Address: b.Address,
			Date: b.Date, ExemptActivity: b.ExemptActivity, ExemptCategory: b.ExemptCategory})
	case *schema.ResidenceAcceptBody:
		r := l.residence(ref)
		r.Accepted, r.Cell = b.Date, b.Cell
	case *schema.AttendanceBody:
		r := l.residence(ref)
		r.Attendance = append(r.Attendance, Attendance{Op: d.ID, Meeting: b.Meeting, Status: b.Status, Reason: b.Reason})
	case *schema.CommentRequestBody:
		r := l.residence(ref)
		r.Requests = append(r.Requests, Request{Op: d.ID, Year: b.Year, Date: b.Date})
	case *schema.ResidenceCommentBody:
		r := l.residence(ref)
		r.Comments = append(r.Comments, Comment{Op: d.ID, Year: b.Year, Date: b.Date, Fulfilled: b.Fulfilled, Text: b.Text, Author: d.Op.Author})
	case *schema.TransferIssueBody:
		l.Transfers = append(l.Transfers, Transfer{TransferIssueBody: *b, Issue: d.ID, From: l.HomeCommittee()})
	case *schema.TransferStepBody:
		t := l.transfer(ref)
		if d.Op.Kind == schema.KindTransferPresent {
			t.Presented, t.PresentedLate = b.Date, b.LateReason
			break
		}
		if t.Presented == "" {
			t.Presented, t.PresentedLate = b.Date, b.LateReason
		}
		t.Accepted, t.Cell = b.Date, b.Cell
		if b.LateReason != "" {
			t.PresentedLate = b.LateReason
		}
		if t.Type == schema.TransferOfficial {
			newHome := t.Destination
			if b.Cell != "" {
				newHome = b.Cell
			}
			// The records move: the home register is written as if by a
			// correction that saw every value.
			l.Home = l.Home.write(&l.DAG, val(string(newHome)), d.Op.Deps, true)
			// A residence link ends with an official transfer; the new
			// home introduces the member again where they live.
			if r := l.ActiveResidence(); r != nil {
				r.Ended, r.EndReason = b.Date, EndedByTransfer
			}
		}
	case *schema.ExtendBody:
		ext := Extension{Op: d.ID, Until: b.Until, Date: b.Date}
		if d.Op.Kind == schema.KindTransferExtend {
			t := l.transfer(ref)
			t.Extensions = append(t.Extensions, ext)
		} else {
			v := l.leave(ref)
			v.Extensions = append(v.Extensions, ext)
		}
	case *schema.EndBody:
		switch d.Op.Kind {
		case schema.KindResidenceEnd:
			r := l.residence(ref)
			r.Ended, r.EndReason = b.Date, b.Reason
		case schema.KindTransferEnd:
			t := l.transfer(ref)
			t.Ended, t.EndReason = b.Date, b.Reason
		case schema.KindExemptionEnd:
			e := l.exemption(ref)
			e.Ended, e.EndReason = b.Date, b.Reason
		case schema.KindLeaveEnd:
			l.leave(ref).Ended = b.Date
		}
	case *schema.ReviewBody:
		v := l.leave(ref)
		r := Review{Op: d.ID, Date: b.Date, Text: b.Text, Author: d.Op.Author}
		if d.Op.Kind == schema.KindLeaveSelfReview {
			v.SelfReviews = append(v.SelfReviews, r)
		} else {
			v.Comments = append(v.Comments, r)
		}
	case *schema.ExemptionBody:
		l.Exemptions = append(l.Exemptions, Exemption{ExemptionBody: *b, Op: d.ID})
	case *schema.LeaveBody:
		l.Leaves = append(l.Leaves, Leave{LeaveBody: *b, Op: d.ID})
	case *schema.RatingBody:
		l.Ratings = append(l.Ratings, Rating{RatingBody: *b, Op: d.ID})
	case *schema.InactiveBody:
		l.Inactive = append(l.Inactive, Inactive{InactiveBody: *b, Op: d.ID})
	}
}

// detail summarises a body for the history: its non-empty fields as text.
func detail(body any) map[string]string {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		switch x := v.(type) {
		case nil:
		case string:
			if x != "" {
				out[k] = x
			}
		case bool:
			if x {
				out[k] = "true"
			}
		case float64:
			if x != 0 {
				out[k] = fmt.Sprint(x)
			}
		}
	}
	return out
}

// Mentioned lists the committees that the ledger's workflows name, open or
// ended: residence committees and cells, transfer destinations and cells,
// leave destinations. An op naming one was judged against the directory as
// it stood for that committee, so a late charter or revocation of it may
// change the op's verdict. Unsorted, possibly with repeats.
func (l *Ledger) Mentioned() []schema.CommitteeID {
	var out []schema.CommitteeID
	add := func(c schema.CommitteeID) {
		if c != "" {
			out = append(out, c)
		}
	}
	for i := range l.Residence {
		add(l.Residence[i].Residence)
		add(l.Residence[i].Cell)
	}
	for i := range l.Transfers {
		add(l.Transfers[i].Destination)
		add(l.Transfers[i].Cell)
	}
	for i := range l.Leaves {
		add(l.Leaves[i].Destination)
	}
	return out
}

// namedByWorkflows lists the committees the open workflows name: the
// residence committee and cell, a transfer's destination, a leave's.
func (l *Ledger) namedByWorkflows() []schema.CommitteeID {
	var out []schema.CommitteeID
	for i := range l.Residence {
		if r := &l.Residence[i]; r.Active() {
			out = append(out, r.Residence)
			if r.Cell != "" {
				out = append(out, r.Cell)
			}
		}
	}
	for i := range l.Transfers {
		if t := &l.Transfers[i]; t.Open() {
			out = append(out, t.Destination)
			if t.Cell != "" {
				out = append(out, t.Cell)
			}
		}
	}
	for i := range l.Leaves {
		if v := &l.Leaves[i]; v.Ended == "" && v.Destination != "" {
			out = append(out, v.Destination)
		}
	}
	return out
}
