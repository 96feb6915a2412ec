package schema

import (
	"fmt"
	"strings"
)

// Committee kinds.
const (
	CommitteeWorkplace   = "workplace"
	CommitteeResidential = "residential"
	CommitteeMixed       = "mixed"
)

// DefaultLevels are the organisation levels, top first. Levels are data: a
// network may use others (before July 2025 a district level sat between
// province and grassroots, and many offices still work that way).
var DefaultLevels = []string{"central", "province", "district", "commune", "grassroots", "cell"}

// CharterBody admits a committee: signed by its parent (or, for the network
// root, by itself with no parent).
type CharterBody struct {
	ID       CommitteeID `cbor:"1,keyasint" json:"id,omitempty"`
	Name     string      `cbor:"2,keyasint" json:"name,omitempty"`
	Level    string      `cbor:"3,keyasint" json:"level,omitempty"`
	Parent   CommitteeID `cbor:"4,keyasint,omitempty" json:"parent,omitempty"`
	Kind     string      `cbor:"5,keyasint" json:"kind,omitempty"`
	IssuedAt string      `cbor:"6,keyasint" json:"issued_at,omitempty"` // date
}

// RevocationBody revokes a committee's charter: from this op's clock on, the
// committee and everything it chartered may not write.
type RevocationBody struct {
	ID     CommitteeID `cbor:"1,keyasint" json:"id,omitempty"`
	Reason string      `cbor:"2,keyasint,omitempty" json:"reason,omitempty"`
	Date   string      `cbor:"3,keyasint" json:"date,omitempty"`
}

// MemberCreateBody opens a member ledger with its home committee and first
// record fields.
type MemberCreateBody struct {
	Home   CommitteeID       `cbor:"1,keyasint" json:"home,omitempty"`
	Fields map[string]string `cbor:"2,keyasint" json:"fields,omitempty"`
}

// MemberSetBody writes record fields.
type MemberSetBody struct {
	Fields map[string]string `cbor:"1,keyasint" json:"fields,omitempty"`
}

// MemberCorrectBody corrects what an earlier op wrote: it supersedes the
// target's values (and anything concurrent with the correction) for the
// fields it names, with a reason kept in the history.
type MemberCorrectBody struct {
	Target OpID              `cbor:"1,keyasint" json:"target,omitempty"`
	Fields map[string]string `cbor:"2,keyasint" json:"fields,omitempty"`
	Reason string            `cbor:"3,keyasint" json:"reason,omitempty"`
}

// Movement types (biến động).
const (
	MoveAdmitted = "admitted"
	MoveFull     = "full"
	MoveDied     = "died"
	MoveRemoved  = "removed"
	MoveExpelled = "expelled"
	MoveResigned = "resigned"
)

// MovementTypes lists the movements in the order of a member's life.
var MovementTypes = []string{MoveAdmitted, MoveFull, MoveDied, MoveRemoved, MoveExpelled, MoveResigned}

// MovementBody records a dated movement with its reason and decision.
type MovementBody struct {
	Type     string `cbor:"1,keyasint" json:"type,omitempty"`
	Date     string `cbor:"2,keyasint" json:"date,omitempty"`
	Reason   string `cbor:"3,keyasint,omitempty" json:"reason,omitempty"`
	Decision string `cbor:"4,keyasint,omitempty" json:"decision,omitempty"` // number of the decision
}

// Member statuses, derived from movements.
const (
	StatusProbationary = "probationary"
	StatusFull         = "full"
	StatusLeft         = "left"
)

func checkCommittee(field string, id CommitteeID, optional bool) error {
	if id == "" && optional {
		return nil
	}
	if _, err := ParseCommitteeID(string(id)); err != nil {
		return &FieldError{Field: field, Reason: err.Error()}
	}
	return nil
}

func checkDateField(field, v string) error {
	if r := checkDate(v); r != "" {
		return &FieldError{Field: field, Value: v, Reason: r}
	}
	return nil
}

func checkName(field, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return &FieldError{Field: field, Reason: "must not be empty"}
	}
	if len(v) > max {
		return &FieldError{Field: field, Reason: fmt.Sprintf("longer than %d bytes", max)}
	}
	return nil
}

// ValidateLevel checks a level name: lower-case letters and dashes.
func ValidateLevel(level string) error {
	if level == "" || len(level) > 32 || strings.Trim(level, "abcdefghijklmnopqrstuvwxyz-") != "" {
		return &FieldError{Field: "level", Value: level, Reason: "want a level name such as " + strings.Join(DefaultLevels, ", ")}
	}
	return nil
}

// ValidateCommitteeKind checks a committee kind.
func ValidateCommitteeKind(kind string) error {
	if r := checkEnum(CommitteeWorkplace, CommitteeResidential, CommitteeMixed)(kind); r != "" {
		return &FieldError{Field: "kind", Value: kind, Reason: r}
	}
	return nil
}

func (b *CharterBody) Validate() error {
	if err := checkCommittee("id", b.ID, false); err != nil {
		return err
	}
	if err := checkName("name", b.Name, 256); err != nil {
		return err
	}
	if err := ValidateLevel(b.Level); err != nil {
		return err
	}
	if err := checkCommittee("parent", b.Parent, true); err != nil {
		return err
	}
	if b.Parent == b.ID {
		return &FieldError{Field: "parent", Reason: "a committee cannot be its own parent"}
	}
	if err := ValidateCommitteeKind(b.Kind); err != nil {
		return err
	}
	return checkDateField("issued_at", b.IssuedAt)
}

func (b *RevocationBody) Validate() error {
	if err := checkCommittee("id", b.ID, false); err != nil {
		return err
	}
	if len(b.Reason) > MaxFieldValue {
		return &FieldError{Field: "reason", Reason: "too long"}
	}
	return checkDateField("date", b.Date)
}

func (b *MemberCreateBody) Validate() error { return b.validate(false) }

func (b *MemberCreateBody) validateDecoded() error { return b.validate(true) }

func (b *MemberCreateBody) validate(decoded bool) error {
	if err := checkCommittee("home", b.Home, false); err != nil {
		return err
	}
	if _, ok := b.Fields["name"]; !ok {
		return &FieldError{Field: "name", Reason: "a member must have a name"}
	}
	return validateFields(b.Fields, decoded)
}

func (b *MemberSetBody) Validate() error { return ValidateFields(b.Fields) }

func (b *MemberSetBody) validateDecoded() error { return validateFields(b.Fields, true) }

func (b *MemberCorrectBody) Validate() error {
	if b.Target == (OpID{}) {
		return &FieldError{Field: "target", Reason: "name the op to correct"}
	}
	if strings.TrimSpace(b.Reason) == "" {
		return &FieldError{Field: "reason", Reason: "a correction needs a reason"}
	}
	if len(b.Reason) > MaxFieldValue {
		return &FieldError{Field: "reason", Reason: "too long"}
	}
	return ValidateFields(b.Fields)
}

func (b *MovementBody) Validate() error {
	if r := checkEnum(MovementTypes...)(b.Type); r != "" {
		return &FieldError{Field: "type", Value: b.Type, Reason: r}
	}
	if len(b.Reason) > MaxFieldValue || len(b.Decision) > MaxFieldValue {
		return &FieldError{Field: "reason", Reason: "too long"}
	}
	return checkDateField("date", b.Date)
}
