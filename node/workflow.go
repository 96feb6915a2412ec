package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"lienthong/crdt"
	"lienthong/schema"
)

// Write appends a workflow op with body (a *schema.XBody, or a schema.Tagged
// for body types several kinds share) to a member's ledger. The body is
// validated first; the policy then decides whether this committee may write
// it, and a refusal leaves nothing behind.
func (n *Node) Write(id schema.LedgerID, body any) (schema.OpID, error) {
	b, ok := schema.Unwrap(body).(schema.Body)
	if !ok {
		return schema.OpID{}, fmt.Errorf("%T is not an op body", body)
	}
	if err := b.Validate(); err != nil {
		return schema.OpID{}, err
	}
	return n.writeLedger(id, body)
}

// Ledger returns a member's ledger state.
func (n *Node) Ledger(id schema.LedgerID) (*crdt.Ledger, error) {
	l, err := n.store.Ledger(id)
	if err != nil {
		return nil, memberNotFound(id)
	}
	return l, nil
}

// RefFor finds the workflow item an op of kind k follows when none is
// named: the active residence link, the open transfer, the exemption in
// force, the open (or, for reviews, the latest) leave.
func RefFor(l *crdt.Ledger, k schema.Kind) (schema.OpID, error) {
	switch k {
	case schema.KindResidenceAccept, schema.KindResidenceAttendance, schema.KindCommentRequest,
		schema.KindResidenceComment, schema.KindResidenceEnd:
		if r := l.ActiveResidence(); r != nil {
			return r.Intro, nil
		}
		return schema.OpID{}, stateError("the member has no active residence link: introduce them first")
	case schema.KindTransferPresent, schema.KindTransferAccept, schema.KindTransferEnd, schema.KindTransferExtend:
		if t := l.OpenTransfer(); t != nil {
			return t.Issue, nil
		}
		return schema.OpID{}, stateError("the member has no transfer in flight or running")
	case schema.KindExemptionEnd:
		for i := len(l.Exemptions) - 1; i >= 0; i-- {
			if l.Exemptions[i].Ended == "" {
				return l.Exemptions[i].Op, nil
			}
		}
		return schema.OpID{}, stateError("the member has no exemption in force")
	case schema.KindLeaveExtend, schema.KindLeaveEnd:
		if v := l.OpenLeave(); v != nil {
			return v.Op, nil
		}
		return schema.OpID{}, stateError("the member has no open away-work leave")
	case schema.KindLeaveSelfReview, schema.KindLeaveComment:
		if v := l.OpenLeave(); v != nil {
			return v.Op, nil
		}
		if n := len(l.Leaves); n > 0 {
			return l.Leaves[n-1].Op, nil
		}
		return schema.OpID{}, stateError("the member has no away-work leave")
	}
	return schema.OpID{}, nil
}

// stateError is a step the member's ledger does not allow as it stands:
// its text is the reason, and it matches crdt.ErrInvalid, as a rejected op
// does.
type stateError string

func (e stateError) Error() string        { return string(e) }
func (e stateError) Is(target error) bool { return target == crdt.ErrInvalid }

// Step writes an op of kind k whose body arrives as JSON (the API's form):
// a missing ref is found with RefFor, a missing date is today.
func (n *Node) Step(id schema.LedgerID, k schema.Kind, raw []byte) (schema.OpID, error) {
	body, ok := schema.NewBody(k)
	if !ok || k == schema.KindCharter || k == schema.KindRevocation || k == schema.KindMemberCreate {
		return schema.OpID{}, &schema.FieldError{Field: "kind", Reason: k.String() + " is not a step on a member's ledger"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(body); err != nil {
		return schema.OpID{}, &schema.FieldError{Field: "body", Reason: "not valid JSON for " + k.String() + ": " + err.Error()}
	}
	l, err := n.Ledger(id)
	if err != nil {
		return schema.OpID{}, err
	}
	if err := fillDefaults(body, l, k, n.Today()); err != nil {
		return schema.OpID{}, err
	}
	return n.Write(id, schema.Tagged{Kind: k, Body: body})
}

// fillDefaults sets a missing ref and date.
func fillDefaults(body schema.Body, l *crdt.Ledger, k schema.Kind, today string) error {
	v := reflect.ValueOf(body).Elem()
	if f := v.FieldByName("Ref"); f.IsValid() && f.Interface().(schema.OpID) == (schema.OpID{}) {
		ref, err := RefFor(l, k)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(ref))
	}
	for _, name := range []string{"Date", "Meeting", "From"} {
		if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String && f.String() == "" {
			f.SetString(today)
			break
		}
	}
	return nil
}
