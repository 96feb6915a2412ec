package schema

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

// Policy is the default authorisation table (DESIGN.md section 4): one place
// that says which role writes each kind.
var Policy = map[Kind]Role{
	KindCharter:       RoleParent,
	KindRevocation:    RoleParent,
	KindMemberCreate:  RoleHome,
	KindMemberSet:     RoleHome,
	KindMemberCorrect: RoleHome,
	KindMovement:      RoleHome,
}
