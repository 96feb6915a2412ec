package schema

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Workflow op kinds.
const (
	KindResidenceIntro      Kind = 20 // home introduces the member to a residence committee (Mẫu 1-213)
	KindResidenceAccept     Kind = 21 // residence committee accepts, assigns a cell (return slip)
	KindResidenceAttendance Kind = 22 // attendance at a residence meeting
	KindCommentRequest      Kind = 23 // home asks for the annual comment (Mẫu 3-213)
	KindResidenceComment    Kind = 24 // residence committee's annual comment
	KindResidenceEnd        Kind = 25 // the link ends (move, retirement, transfer)

	KindTransferIssue   Kind = 30 // sending side issues the transfer letter
	KindTransferPresent Kind = 31 // the member presents the letter at the destination
	KindTransferAccept  Kind = 32 // destination accepts
	KindTransferEnd     Kind = 33 // a temporary transfer ends, or a transfer is cancelled
	KindTransferExtend  Kind = 34 // a temporary transfer is extended

	KindExemption    Kind = 40 // exemption from party work and activity
	KindExemptionEnd Kind = 41 // resumption

	KindLeave           Kind = 50 // away-work leave (đi làm ăn xa)
	KindLeaveExtend     Kind = 51
	KindLeaveSelfReview Kind = 52 // the member's self-review, recorded by home
	KindLeaveComment    Kind = 53 // the destination committee's comment
	KindLeaveEnd        Kind = 54

	KindRating   Kind = 60 // year-end rating
	KindInactive Kind = 61 // a month without activity or dues
)

// Workflow roles (see Role).
const (
	// RoleResidence: the residence committee named by the referenced
	// residence link, the cell it assigned, or a superior of either.
	RoleResidence Role = iota + 10
	// RoleTransferDest: the destination named by the referenced transfer,
	// or its superiors.
	RoleTransferDest
	// RoleLeaveDest: the destination committee named by the referenced
	// leave, or its superiors.
	RoleLeaveDest
	// RoleHomeOrResidence: either side of a residence link.
	RoleHomeOrResidence
	// RoleHomeOrTransferDest: either side of a transfer.
	RoleHomeOrTransferDest
)

// Attendance values.
const (
	AttendPresent = "present"
	AttendExcused = "excused" // absent with a reason
	AttendAbsent  = "absent"
)

// Transfer types.
const (
	TransferOfficial  = "official"
	TransferTemporary = "temporary"
)

// Exemption types and categories.
const (
	ExemptPermanent = "permanent"
	ExemptTemporary = "temporary"
)

// ExemptCategories are the reasons an exemption is granted for.
var ExemptCategories = []string{"age", "health", "treatment", "abroad", "maternity", "mobile_work", "other"}

// Rating levels (366-QĐ/TW).
const (
	RatingExcellent    = "excellent"     // HTXSNV
	RatingGood         = "good"          // HTTNV
	RatingFulfilled    = "fulfilled"     // HTNV
	RatingNotFulfilled = "not_fulfilled" // KHTNV
)

// RatingLevels lists the levels, best first.
var RatingLevels = []string{RatingExcellent, RatingGood, RatingFulfilled, RatingNotFulfilled}

// LevelForScore gives the level of a score: ≥90 excellent, 70–<90 good,
// 50–<70 fulfilled, <50 not fulfilled.
func LevelForScore(score int) string {
	switch {
	case score >= 90:
		return RatingExcellent
	case score >= 70:
		return RatingGood
	case score >= 50:
		return RatingFulfilled
	}
	return RatingNotFulfilled
}

var reMonth = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// ResidenceIntroBody: the introduction letter (Mẫu 1-213). The member's
// identity and party dates come from the record; the letter adds where the
// member lives and whether they are exempt from residence activity.
type ResidenceIntroBody struct {
	Residence      CommitteeID `cbor:"1,keyasint" json:"residence,omitempty"`
	Address        string      `cbor:"2,keyasint" json:"address,omitempty"`
	Date           string      `cbor:"3,keyasint" json:"date,omitempty"`
	ExemptActivity bool        `cbor:"4,keyasint,omitempty" json:"exempt_activity,omitempty"`
	ExemptCategory string      `cbor:"5,keyasint,omitempty" json:"exempt_category,omitempty"`
	Note           string      `cbor:"6,keyasint,omitempty" json:"note,omitempty"`
}

// ResidenceAcceptBody: the return slip.
type ResidenceAcceptBody struct {
	Ref  OpID        `cbor:"1,keyasint" json:"ref,omitempty"`  // the introduction
	Date string      `cbor:"2,keyasint" json:"date,omitempty"` // received
	Cell CommitteeID `cbor:"3,keyasint" json:"cell,omitempty"` // residence cell assigned
}

// AttendanceBody records attendance at a residence meeting.
type AttendanceBody struct {
	Ref     OpID   `cbor:"1,keyasint" json:"ref,omitempty"`
	Meeting string `cbor:"2,keyasint" json:"meeting,omitempty"` // date
	Status  string `cbor:"3,keyasint" json:"status,omitempty"`
	Reason  string `cbor:"4,keyasint,omitempty" json:"reason,omitempty"`
}

// CommentRequestBody: the home committee asks for the annual comment.
type CommentRequestBody struct {
	Ref  OpID   `cbor:"1,keyasint" json:"ref,omitempty"`
	Year int    `cbor:"2,keyasint" json:"year,omitempty"`
	Date string `cbor:"3,keyasint" json:"date,omitempty"`
}

// ResidenceCommentBody: the residence committee's annual comment.
type ResidenceCommentBody struct {
	Ref  OpID   `cbor:"1,keyasint" json:"ref,omitempty"`
	Year int    `cbor:"2,keyasint" json:"year,omitempty"`
	Date string `cbor:"3,keyasint" json:"date,omitempty"`
	// Civic duties at the place of residence fulfilled (the form's verdict).
	Fulfilled bool   `cbor:"4,keyasint" json:"fulfilled,omitempty"`
	Text      string `cbor:"5,keyasint" json:"text,omitempty"`
}

// EndBody closes a residence link, a leave, a temporary transfer or an
// exemption that Ref opened.
type EndBody struct {
	Ref    OpID   `cbor:"1,keyasint" json:"ref,omitempty"`
	Date   string `cbor:"2,keyasint" json:"date,omitempty"`
	Reason string `cbor:"3,keyasint,omitempty" json:"reason,omitempty"`
}

// TransferIssueBody: the transfer letter (giấy giới thiệu sinh hoạt đảng).
type TransferIssueBody struct {
	Type         string      `cbor:"1,keyasint" json:"type,omitempty"`
	Destination  CommitteeID `cbor:"2,keyasint" json:"destination,omitempty"`
	Date         string      `cbor:"3,keyasint" json:"date,omitempty"` // issued
	Card         string      `cbor:"4,keyasint,omitempty" json:"card,omitempty"`
	Profile      string      `cbor:"5,keyasint,omitempty" json:"profile,omitempty"`
	RegisterLine string      `cbor:"6,keyasint,omitempty" json:"register_line,omitempty"`
	LetterLine   string      `cbor:"7,keyasint,omitempty" json:"letter_line,omitempty"`  // line of the letter register
	DuesThrough  string      `cbor:"8,keyasint,omitempty" json:"dues_through,omitempty"` // YYYY-MM
	Until        string      `cbor:"9,keyasint,omitempty" json:"until,omitempty"`        // temporary: end date
	Study        bool        `cbor:"10,keyasint,omitempty" json:"study,omitempty"`       // temporary for full-time study (up to 24 months)
	// MovedOn is the date of the decision or move that started the
	// procedure (the 60 working days run from it).
	MovedOn    string `cbor:"11,keyasint,omitempty" json:"moved_on,omitempty"`
	LateReason string `cbor:"12,keyasint,omitempty" json:"late_reason,omitempty"`
}

// TransferStepBody: presentation or acceptance at the destination.
type TransferStepBody struct {
	Ref        OpID        `cbor:"1,keyasint" json:"ref,omitempty"`
	Date       string      `cbor:"2,keyasint" json:"date,omitempty"`
	Cell       CommitteeID `cbor:"3,keyasint,omitempty" json:"cell,omitempty"` // acceptance: the cell the member joins
	LateReason string      `cbor:"4,keyasint,omitempty" json:"late_reason,omitempty"`
}

// ExtendBody extends a temporary transfer or a leave to Until.
type ExtendBody struct {
	Ref    OpID   `cbor:"1,keyasint" json:"ref,omitempty"`
	Until  string `cbor:"2,keyasint" json:"until,omitempty"`
	Date   string `cbor:"3,keyasint" json:"date,omitempty"`
	Reason string `cbor:"4,keyasint,omitempty" json:"reason,omitempty"`
}

// ExemptionBody grants an exemption.
type ExemptionBody struct {
	Type     string `cbor:"1,keyasint" json:"type,omitempty"`
	Category string `cbor:"2,keyasint" json:"category,omitempty"`
	From     string `cbor:"3,keyasint" json:"from,omitempty"`
	Until    string `cbor:"4,keyasint,omitempty" json:"until,omitempty"`   // temporary
	Decider  string `cbor:"5,keyasint,omitempty" json:"decider,omitempty"` // who decided (decision number, body)
	Reason   string `cbor:"6,keyasint,omitempty" json:"reason,omitempty"`
}

// LeaveBody grants an away-work leave.
type LeaveBody struct {
	From        string      `cbor:"1,keyasint" json:"from,omitempty"`
	Until       string      `cbor:"2,keyasint" json:"until,omitempty"`
	Destination CommitteeID `cbor:"3,keyasint,omitempty" json:"destination,omitempty"` // party organisation at the destination, if any
	Place       string      `cbor:"4,keyasint,omitempty" json:"place,omitempty"`
	Itinerant   bool        `cbor:"5,keyasint,omitempty" json:"itinerant,omitempty"`
	Reason      string      `cbor:"6,keyasint,omitempty" json:"reason,omitempty"`
}

// ReviewBody is a self-review or a destination's comment on a leave.
type ReviewBody struct {
	Ref  OpID   `cbor:"1,keyasint" json:"ref,omitempty"`
	Date string `cbor:"2,keyasint" json:"date,omitempty"`
	Text string `cbor:"3,keyasint" json:"text,omitempty"`
}

// RatingBody is the year-end rating decided by the home committee.
type RatingBody struct {
	Year           int    `cbor:"1,keyasint" json:"year,omitempty"`
	Score          int    `cbor:"2,keyasint" json:"score,omitempty"`
	Level          string `cbor:"3,keyasint" json:"level,omitempty"`
	SelfAssessment string `cbor:"4,keyasint,omitempty" json:"self_assessment,omitempty"`
	Comment        OpID   `cbor:"5,keyasint,omitempty" json:"comment,omitempty"` // the residence comment used
	Decision       string `cbor:"6,keyasint,omitempty" json:"decision,omitempty"`
	Date           string `cbor:"7,keyasint" json:"date,omitempty"`
}

// InactiveBody records a month without party activity or dues.
type InactiveBody struct {
	Month  string `cbor:"1,keyasint" json:"month,omitempty"` // YYYY-MM
	Valid  bool   `cbor:"2,keyasint,omitempty" json:"valid,omitempty"`
	Reason string `cbor:"3,keyasint,omitempty" json:"reason,omitempty"`
}

func checkRef(ref OpID) error {
	if ref == (OpID{}) {
		return &FieldError{Field: "ref", Reason: "name the op this follows (its 64-hex ID)"}
	}
	return nil
}

func checkFree(field, v string, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return &FieldError{Field: field, Reason: "must not be empty"}
	}
	if len(v) > 8*MaxFieldValue {
		return &FieldError{Field: field, Reason: fmt.Sprintf("longer than %d bytes", 8*MaxFieldValue)}
	}
	return nil
}

func checkYear(y int) error {
	if y < 1930 || y > 2200 {
		return &FieldError{Field: "year", Value: fmt.Sprint(y), Reason: "want a year such as 2026"}
	}
	return nil
}

func checkOrder(fromField, from, toField, to string) error {
	if to != "" && to < from {
		return &FieldError{Field: toField, Value: to, Reason: "is before " + fromField + " " + from}
	}
	return nil
}

// MonthsBetween counts whole months from a to b (dates as YYYY-MM-DD).
func MonthsBetween(a, b string) float64 {
	ta, err1 := time.Parse(DateLayout, a)
	tb, err2 := time.Parse(DateLayout, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return tb.Sub(ta).Hours() / 24 / (365.2425 / 12)
}

func (b *ResidenceIntroBody) Validate() error {
	if err := checkCommittee("residence", b.Residence, false); err != nil {
		return err
	}
	if err := checkFree("address", b.Address, true); err != nil {
		return err
	}
	if b.ExemptActivity {
		if r := checkEnum(ExemptCategories...)(b.ExemptCategory); r != "" {
			return &FieldError{Field: "exempt_category", Value: b.ExemptCategory, Reason: r}
		}
	}
	if err := checkFree("note", b.Note, false); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *ResidenceAcceptBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if err := checkCommittee("cell", b.Cell, false); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *AttendanceBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if r := checkEnum(AttendPresent, AttendExcused, AttendAbsent)(b.Status); r != "" {
		return &FieldError{Field: "status", Value: b.Status, Reason: r}
	}
	if b.Status == AttendExcused && strings.TrimSpace(b.Reason) == "" {
		return &FieldError{Field: "reason", Reason: "an excused absence needs its reason"}
	}
	if err := checkFree("reason", b.Reason, false); err != nil {
		return err
	}
	return checkDateField("meeting", b.Meeting)
}

func (b *CommentRequestBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if err := checkYear(b.Year); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *ResidenceCommentBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if err := checkYear(b.Year); err != nil {
		return err
	}
	if err := checkFree("text", b.Text, true); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *EndBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if err := checkFree("reason", b.Reason, false); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *TransferIssueBody) Validate() error {
	if r := checkEnum(TransferOfficial, TransferTemporary)(b.Type); r != "" {
		return &FieldError{Field: "type", Value: b.Type, Reason: r}
	}
	if err := checkCommittee("destination", b.Destination, false); err != nil {
		return err
	}
	if err := checkDateField("date", b.Date); err != nil {
		return err
	}
	for field, v := range map[string]string{"card": b.Card, "profile": b.Profile} {
		if v != "" {
			if err := ValidateField(field, v); err != nil {
				return err
			}
		}
	}
	if b.DuesThrough != "" && !reMonth.MatchString(b.DuesThrough) {
		return &FieldError{Field: "dues_through", Value: b.DuesThrough, Reason: "want a month as YYYY-MM"}
	}
	if b.MovedOn != "" {
		if err := checkDateField("moved_on", b.MovedOn); err != nil {
			return err
		}
	}
	if b.Type == TransferTemporary {
		if err := checkDateField("until", b.Until); err != nil {
			return &FieldError{Field: "until", Value: b.Until, Reason: "a temporary transfer needs its end date (YYYY-MM-DD)"}
		}
		months := MonthsBetween(b.Date, b.Until)
		if months < 3 || (!b.Study && months >= 12) || (b.Study && months > 24) {
			return &FieldError{Field: "until", Value: b.Until, Reason: "a temporary transfer lasts from 3 months to under 12 (full-time study: 3 to 24 months)"}
		}
	} else if b.Until != "" || b.Study {
		return &FieldError{Field: "until", Reason: "only a temporary transfer has an end date"}
	}
	return checkFree("late_reason", b.LateReason, false)
}

func (b *TransferStepBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if err := checkCommittee("cell", b.Cell, true); err != nil {
		return err
	}
	if err := checkFree("late_reason", b.LateReason, false); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *ExtendBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if err := checkDateField("until", b.Until); err != nil {
		return err
	}
	if err := checkFree("reason", b.Reason, false); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *ExemptionBody) Validate() error {
	if r := checkEnum(ExemptPermanent, ExemptTemporary)(b.Type); r != "" {
		return &FieldError{Field: "type", Value: b.Type, Reason: r}
	}
	if r := checkEnum(ExemptCategories...)(b.Category); r != "" {
		return &FieldError{Field: "category", Value: b.Category, Reason: r}
	}
	if err := checkDateField("from", b.From); err != nil {
		return err
	}
	if b.Type == ExemptTemporary {
		if err := checkDateField("until", b.Until); err != nil {
			return &FieldError{Field: "until", Value: b.Until, Reason: "a temporary exemption needs its end date (YYYY-MM-DD)"}
		}
		if err := checkOrder("from", b.From, "until", b.Until); err != nil {
			return err
		}
	} else if b.Until != "" {
		return &FieldError{Field: "until", Reason: "a permanent exemption has no end date"}
	}
	if err := checkFree("decider", b.Decider, false); err != nil {
		return err
	}
	return checkFree("reason", b.Reason, false)
}

func (b *LeaveBody) Validate() error {
	if err := checkDateField("from", b.From); err != nil {
		return err
	}
	if err := checkDateField("until", b.Until); err != nil {
		return err
	}
	if err := checkOrder("from", b.From, "until", b.Until); err != nil {
		return err
	}
	if MonthsBetween(b.From, b.Until) >= 12 {
		return &FieldError{Field: "until", Value: b.Until, Reason: "an away-work exemption lasts under 12 months; for longer, transfer the member's activity"}
	}
	if err := checkCommittee("destination", b.Destination, true); err != nil {
		return err
	}
	if b.Itinerant && b.Destination != "" {
		return &FieldError{Field: "destination", Reason: "itinerant work has no destination organisation"}
	}
	if err := checkFree("place", b.Place, false); err != nil {
		return err
	}
	return checkFree("reason", b.Reason, false)
}

func (b *ReviewBody) Validate() error {
	if err := checkRef(b.Ref); err != nil {
		return err
	}
	if err := checkFree("text", b.Text, true); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *RatingBody) Validate() error {
	if err := checkYear(b.Year); err != nil {
		return err
	}
	if b.Score < 0 || b.Score > 100 {
		return &FieldError{Field: "score", Value: fmt.Sprint(b.Score), Reason: "want 0 to 100"}
	}
	if want := LevelForScore(b.Score); b.Level != want {
		return &FieldError{Field: "level", Value: b.Level, Reason: fmt.Sprintf("a score of %d is rated %s", b.Score, want)}
	}
	if err := checkFree("self_assessment", b.SelfAssessment, false); err != nil {
		return err
	}
	if err := checkFree("decision", b.Decision, false); err != nil {
		return err
	}
	return checkDateField("date", b.Date)
}

func (b *InactiveBody) Validate() error {
	if !reMonth.MatchString(b.Month) {
		return &FieldError{Field: "month", Value: b.Month, Reason: "want a month as YYYY-MM"}
	}
	if b.Valid && strings.TrimSpace(b.Reason) == "" {
		return &FieldError{Field: "reason", Reason: "a valid reason must be given"}
	}
	return checkFree("reason", b.Reason, false)
}
