package crdt

import (
	"errors"
	"fmt"

	"lienthong/schema"
)

// Contracts callers match with errors.Is.
var (
	// ErrUnauthorized: the author may not write this op.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrInvalid: the op is well formed but not valid against the state
	// (a correction of an unknown op, a clock not after its deps, ...).
	ErrInvalid = errors.New("invalid op")
	// ErrMissingDeps: some causal deps are not applied yet; park the op and
	// fetch them. Not a rejection.
	ErrMissingDeps = errors.New("missing causal deps")
	// ErrOutOfOrder: the op sorts before ops already applied; Rebuild the
	// ledger with it. Not a rejection.
	ErrOutOfOrder = errors.New("op sorts before applied ops")
	// ErrDuplicate: the op is already applied.
	ErrDuplicate = errors.New("op already applied")
)

// RejectError is a verdict against an op: it is never applied, and the reason
// is recorded (quarantine).
type RejectError struct {
	Op     schema.OpID
	Kind   schema.Kind
	Author schema.CommitteeID
	Reason string
	Err    error // ErrUnauthorized or ErrInvalid
}

func (e *RejectError) Error() string {
	return fmt.Sprintf("%s op %s by %s rejected: %s", e.Kind, e.Op.Short(), e.Author.Short(), e.Reason)
}

func (e *RejectError) Unwrap() error { return e.Err }

func reject(d *schema.Decoded, err error, format string, args ...any) *RejectError {
	return &RejectError{Op: d.ID, Kind: d.Op.Kind, Author: d.Op.Author, Reason: fmt.Sprintf(format, args...), Err: err}
}

// MissingError lists the deps an op waits for.
type MissingError struct {
	Op      schema.OpID
	Missing []schema.OpID
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("op %s waits for %d causal deps (first %s)", e.Op.Short(), len(e.Missing), e.Missing[0].Short())
}

func (e *MissingError) Unwrap() error { return ErrMissingDeps }

// ErrNotFound: no such ledger, op or committee.
var ErrNotFound = errors.New("not found")
