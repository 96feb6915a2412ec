package sim

import (
	"fmt"

	"lienthong/crdt"
	"lienthong/schema"
)

// revoke has a committee revoke one of its cells (dissolved, merged): from
// the revocation's clock on, the cell may not write. Its node goes on as
// long as it does not know, and its writes after the revocation must be
// rejected everywhere else. The sim no longer opens members there.
func (w *Network) revoke() error {
	for range 64 {
		c := w.sites[w.homes[w.rng.IntN(len(w.homes))]]
		if c.parent < 0 || w.revoked[c.idx] || w.revoked[c.parent] {
			continue
		}
		p := w.sites[c.parent]
		if p.st.Directory().ActiveAt(p.id, crdt.Now) != nil {
			continue
		}
		op, err := p.node.Revoke(c.id, "giải thể chi bộ")
		if err != nil {
			return fmt.Errorf("sim: %s revoking %s: %w", p, c, err)
		}
		env, err := p.st.Op(op)
		if err != nil {
			return fmt.Errorf("sim: %s revoked %s but does not hold the op: %w", p, c, err)
		}
		d, err := schema.DecodeStored(env)
		if err != nil {
			return err
		}
		w.dirOps = append(w.dirOps, d)
		var errs []error
		if w.dir, errs = crdt.RebuildDirectory(w.root, w.dirOps); len(errs) > 0 {
			return fmt.Errorf("sim: the directory rejects %v", errs)
		}
		w.revoked[c.idx] = true
		w.stats.Revoked++
		w.logf("seed %d round %d: %s revoked %s", w.cfg.Seed, w.round, p, c)
		return nil
	}
	return nil
}

// knowsRevoked reports whether s's own directory says s may not write.
func knowsRevoked(s *site) bool { return s.st.Directory().ActiveAt(s.id, crdt.Now) != nil }

// refuses reports whether server refuses to sync with client: its
// directory says the client is revoked.
func refuses(server, client *site) bool {
	return server.st.Directory().ActiveAt(client.id, crdt.Now) != nil
}
