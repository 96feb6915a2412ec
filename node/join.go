package node

import (
	"encoding/base64"
	"fmt"

	"lienthong/crdt"
	"lienthong/schema"
)

// JoinFile is what a parent gives a committee it admitted: the network's
// root, the directory (signed charters) and where to find the parent.
type JoinFile struct {
	Format    string   `json:"format"`
	Issuer    string   `json:"issuer"` // the committee that wrote it
	Root      string   `json:"root"`
	Committee string   `json:"committee"`
	Directory []string `json:"directory"` // base64 op envelopes, in fold order
	Bootstrap []string `json:"bootstrap"`
}

// JoinFormat marks join files.
const JoinFormat = "lienthong-join-1"

// Invite writes the join file for committee id, which must be chartered.
func (n *Node) Invite(id schema.CommitteeID, bootstrap []string) (*JoinFile, error) {
	dir := n.store.Directory()
	if err := dir.ActiveAt(id, crdt.Now); err != nil {
		return nil, fmt.Errorf("%v: admit it first ('lienthong committee admit')", err)
	}
	envs, err := n.store.LedgerOps(schema.DirectoryLedger)
	if err != nil {
		return nil, err
	}
	jf := &JoinFile{Format: JoinFormat, Issuer: string(n.ID()), Root: string(dir.Root), Committee: string(id), Bootstrap: bootstrap}
	for _, e := range envs {
		jf.Directory = append(jf.Directory, base64.StdEncoding.EncodeToString(e))
	}
	return jf, nil
}
