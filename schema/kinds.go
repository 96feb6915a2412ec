package schema

import (
	"fmt"
	"reflect"
	"slices"
)

// Body is an op's body: it validates itself.
type Body interface{ Validate() error }

// Role names who may author an op of a kind, relative to the ledger's state.
type Role uint8

const (
	// RoleHome: the committee that holds the member's records, or any of its
	// superiors.
	RoleHome Role = iota + 1
	// RoleParent: for directory ops, a superior of the committee named in the
	// body (the parent for a charter).
	RoleParent
)

// kindInfo is one row of the kind table.
type kindInfo struct {
	name string
	new  func() Body
	role Role
}

// kinds is the one table of op kinds: wire number, name, body type, and who
// may write it (the default policy of DESIGN.md section 4).
var kinds = map[Kind]kindInfo{
	KindCharter:       {"charter", func() Body { return &CharterBody{} }, RoleParent},
	KindRevocation:    {"revocation", func() Body { return &RevocationBody{} }, RoleParent},
	KindMemberCreate:  {"member.create", func() Body { return &MemberCreateBody{} }, RoleHome},
	KindMemberSet:     {"member.set", func() Body { return &MemberSetBody{} }, RoleHome},
	KindMemberCorrect: {"member.correct", func() Body { return &MemberCorrectBody{} }, RoleHome},
	KindMovement:      {"movement", func() Body { return &MovementBody{} }, RoleHome},

	KindResidenceIntro:      {"residence.intro", func() Body { return &ResidenceIntroBody{} }, RoleHome},
	KindResidenceAccept:     {"residence.accept", func() Body { return &ResidenceAcceptBody{} }, RoleResidence},
	KindResidenceAttendance: {"residence.attendance", func() Body { return &AttendanceBody{} }, RoleResidence},
	KindCommentRequest:      {"residence.comment_request", func() Body { return &CommentRequestBody{} }, RoleHome},
	KindResidenceComment:    {"residence.comment", func() Body { return &ResidenceCommentBody{} }, RoleResidence},
	KindResidenceEnd:        {"residence.end", func() Body { return &EndBody{} }, RoleHomeOrResidence},

	KindTransferIssue:   {"transfer.issue", func() Body { return &TransferIssueBody{} }, RoleHome},
	KindTransferPresent: {"transfer.present", func() Body { return &TransferStepBody{} }, RoleTransferDest},
	KindTransferAccept:  {"transfer.accept", func() Body { return &TransferStepBody{} }, RoleTransferDest},
	KindTransferEnd:     {"transfer.end", func() Body { return &EndBody{} }, RoleHomeOrTransferDest},
	KindTransferExtend:  {"transfer.extend", func() Body { return &ExtendBody{} }, RoleHome},

	KindExemption:    {"exemption.grant", func() Body { return &ExemptionBody{} }, RoleHome},
	KindExemptionEnd: {"exemption.end", func() Body { return &EndBody{} }, RoleHome},

	KindLeave:           {"leave.grant", func() Body { return &LeaveBody{} }, RoleHome},
	KindLeaveExtend:     {"leave.extend", func() Body { return &ExtendBody{} }, RoleHome},
	KindLeaveSelfReview: {"leave.self_review", func() Body { return &ReviewBody{} }, RoleHome},
	KindLeaveComment:    {"leave.comment", func() Body { return &ReviewBody{} }, RoleLeaveDest},
	KindLeaveEnd:        {"leave.end", func() Body { return &EndBody{} }, RoleHome},

	KindRating:   {"rating", func() Body { return &RatingBody{} }, RoleHome},
	KindInactive: {"inactive_month", func() Body { return &InactiveBody{} }, RoleHome},
}

func (k Kind) String() string {
	if i, ok := kinds[k]; ok {
		return i.name
	}
	return fmt.Sprintf("kind(%d)", uint16(k))
}

// Known reports whether k is a kind this version understands.
func (k Kind) Known() bool { _, ok := kinds[k]; return ok }

// Role is who may write ops of kind k.
func (k Kind) Role() Role { return kinds[k].role }

// ParseKind finds a kind by name.
func ParseKind(name string) (Kind, bool) {
	for k, i := range kinds {
		if i.name == name {
			return k, true
		}
	}
	return 0, false
}

// DecodeBody decodes and validates the body of an op of kind k.
func DecodeBody(k Kind, data []byte) (Body, error) {
	info, ok := kinds[k]
	if !ok {
		return nil, fmt.Errorf("%w %d", ErrUnknownKind, k)
	}
	b := info.new()
	if err := Unmarshal(data, b); err != nil {
		return nil, fmt.Errorf("%w: %s body: %v", ErrMalformed, k, err)
	}
	validate := b.Validate
	if d, ok := b.(decodedValidator); ok {
		validate = d.validateDecoded
	}
	if err := validate(); err != nil {
		return nil, fmt.Errorf("%w: %s body: %w", ErrMalformed, k, err)
	}
	return b, nil
}

// decodedValidator is a body that validates faster once decoded: the
// decoders accept text only in valid UTF-8, so its fields need not be
// checked for it again (a bulk import or a catch-up checks fifteen per op).
type decodedValidator interface {
	validateDecoded() error
}

// bodyTypes maps a body type to its kind, for bodies used by a single kind.
var bodyTypes = func() map[reflect.Type][]Kind {
	m := map[reflect.Type][]Kind{}
	for k, i := range kinds {
		t := reflect.TypeOf(i.new())
		m[t] = append(m[t], k)
	}
	return m
}()

// KindOf returns the op kind for a body whose type belongs to one kind only.
// Bodies shared by several kinds (EndBody, ReviewBody, ...) need the kind
// named: see Tagged.
func KindOf(body any) (Kind, error) {
	if t, ok := body.(Tagged); ok {
		if !t.Kind.Known() {
			return 0, fmt.Errorf("%w %d", ErrUnknownKind, t.Kind)
		}
		return t.Kind, nil
	}
	ks := bodyTypes[reflect.TypeOf(body)]
	if len(ks) != 1 {
		return 0, fmt.Errorf("no single op kind for body %T; wrap it in schema.Tagged", body)
	}
	return ks[0], nil
}

// Tagged pairs a body with its kind, for body types several kinds share.
type Tagged struct {
	Kind Kind
	Body Body
}

// Unwrap returns the body to encode.
func Unwrap(body any) any {
	if t, ok := body.(Tagged); ok {
		return t.Body
	}
	return body
}

// NewBody returns an empty body of kind k, to decode into.
func NewBody(k Kind) (Body, bool) {
	info, ok := kinds[k]
	if !ok {
		return nil, false
	}
	return info.new(), true
}

// Kinds lists every kind, by number.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
