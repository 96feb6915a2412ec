package store

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"lienthong/schema"
)

// StakeChange records that at a feed position a ledger's state came to name
// committees it did not name before. They and their superiors may have
// become stakeholders then, and a peer's pulls skipped the ledger's earlier
// ops while it was not one: such a peer needs the ledger whole.
type StakeChange struct {
	Seq    uint64               `cbor:"-"`
	Ledger schema.LedgerID      `cbor:"-"`
	Before []schema.CommitteeID `cbor:"1,keyasint,omitempty"` // named before
	Added  []schema.CommitteeID `cbor:"2,keyasint"`           // named since
}

// addedNames lists the committees in after but not in before (both sorted,
// as crdt.Ledger.Named returns them).
func addedNames(before, after []schema.CommitteeID) []schema.CommitteeID {
	var out []schema.CommitteeID
	for _, c := range after {
		if _, found := slices.BinarySearch(before, c); !found {
			out = append(out, c)
		}
	}
	return out
}

// recordStake records, at the batch's feed position, that ledger id named
// before and names the committees after now, if it names any new one.
func (b *batch) recordStake(id schema.LedgerID, before, after []schema.CommitteeID) {
	added := addedNames(before, after)
	if len(added) == 0 {
		return
	}
	raw, err := schema.Marshal(&StakeChange{Before: before, Added: added})
	b.fail(err)
	b.set(stakeKey(b.seq, id), raw)
}

// StakeChanges calls fn for the stake changes recorded at feed positions in
// (after, upto], in order, until fn returns false.
func (s *Store) StakeChanges(after, upto uint64, fn func(StakeChange) bool) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pStake, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		var start [8]byte
		binary.BigEndian.PutUint64(start[:], after+1)
		for it.Seek(cat(pStake, start[:])); it.Valid(); it.Next() {
			k := it.Item().Key()[len(pStake):]
			if len(k) != 8+len(schema.LedgerID{}) {
				return errors.New("corrupt stake change key")
			}
			c := StakeChange{Seq: binary.BigEndian.Uint64(k[:8])}
			if c.Seq > upto {
				return nil
			}
			copy(c.Ledger[:], k[8:])
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := schema.UnmarshalState(raw, &c); err != nil {
				return err
			}
			if !fn(c) {
				return nil
			}
		}
		return nil
	})
}

// StakeSeq returns how far into peer's feed this node has fetched the
// ledgers the peer listed as having gained it as a stakeholder; ok is
// false if it never did.
func (s *Store) StakeSeq(peer string) (seq uint64, ok bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		b, err := get(txn, cat(pStakeSeq, []byte(peer)))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(b) == 8 {
			seq, ok = binary.BigEndian.Uint64(b), true
		}
		return nil
	})
	return seq, ok, err
}

// SetStakeSeq records how far into peer's feed this node has fetched the
// ledgers the peer listed as having gained it as a stakeholder.
func (s *Store) SetStakeSeq(peer string, seq uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(cat(pStakeSeq, []byte(peer)), b[:])
	})
}
