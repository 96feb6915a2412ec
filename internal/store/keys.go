package store

import (
	"encoding/binary"

	"lienthong/schema"
)

var (
	pOp         = []byte("o/")
	pQuarantine = []byte("q/")
	pQuarLedger = []byte("qx/")
	pParked     = []byte("p/")
	pWaiting    = []byte("pw/")
	pLedger     = []byte("l/")
	pFeed       = []byte("f/")
	pIndex      = []byte("x/")
	pCheckpoint = []byte("c/")
	pNewLedger  = []byte("n/")
	pPeer       = []byte("a/")
	pStake      = []byte("s/")
	pStakeSeq   = []byte("k/")
	kSeq        = []byte("m/seq")
	kHash       = []byte("m/hash")
)

// Index names.
const (
	IndexCard   = "card"
	IndexHome   = "home"
	IndexStatus = "status"
	IndexAuthor = "author"
)

func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func opKey(id schema.OpID) []byte               { return cat(pOp, id[:]) }
func quarKey(id schema.OpID) []byte             { return cat(pQuarantine, id[:]) }
func parkKey(id schema.OpID) []byte             { return cat(pParked, id[:]) }
func ledgerKey(id schema.LedgerID) []byte       { return cat(pLedger, id[:]) }
func waitKey(dep, id schema.OpID) []byte        { return cat(pWaiting, dep[:], id[:]) }
func waitPrefix(dep schema.OpID) []byte         { return cat(pWaiting, dep[:]) }
func quarLedgerPrefix(l schema.LedgerID) []byte { return cat(pQuarLedger, l[:]) }
func quarLedgerKey(l schema.LedgerID, id schema.OpID) []byte {
	return cat(pQuarLedger, l[:], id[:])
}

// newLedgersKey records the ledgers first held in the batch that ends at
// feed position seq: its value is the batch's origin tag, then their IDs.
// Stores written before kept a key per ledger, this key followed by the
// ledger's ID, with the origin tag as its value; NewLedgers reads both.
func newLedgersKey(seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return cat(pNewLedger, b[:])
}

// stakeKey records at which feed position a ledger came to name committees
// it did not name before.
func stakeKey(seq uint64, l schema.LedgerID) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return cat(pStake, b[:], l[:])
}

func feedKey(seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return cat(pFeed, b[:])
}

func indexPrefix(index, value string) []byte {
	return cat(pIndex, []byte(index), []byte{'/'}, []byte(value), []byte{0})
}

func indexKey(index, value string, l schema.LedgerID) []byte {
	return cat(indexPrefix(index, value), l[:])
}
