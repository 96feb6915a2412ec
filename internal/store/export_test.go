package store

import (
	"sync"

	"lienthong/schema"
)

// SetOpsPerTxn sets the chunk size of Apply and returns a function that
// restores it.
func SetOpsPerTxn(n int) (restore func()) {
	old := maxOpsPerTxn
	maxOpsPerTxn = n
	return func() { maxOpsPerTxn = old }
}

// SetPresenceMinKeys sets the smallest presence filter and returns a
// function that restores it.
func SetPresenceMinKeys(n int) (restore func()) {
	old := presenceMinKeys
	presenceMinKeys = n
	return func() { presenceMinKeys = old }
}

// HoldPresenceFills makes every presence filter wait, as its fill starts,
// until release is called; restore undoes it.
func HoldPresenceFills() (release, restore func()) {
	gate := make(chan struct{})
	old := presenceFillStarts
	presenceFillStarts = func() { <-gate }
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	return release, func() { release(); presenceFillStarts = old }
}

// PresenceFilter reports whether a presence filter is in use, whether one
// is being filled, and the size in bits of the one in use.
func (s *Store) PresenceFilter() (ready, filling bool, bits uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.present.Load()
	if p != nil {
		bits = p.mask + 1
	}
	return p != nil, s.filling != nil || s.growing, bits
}

// MayHaveOp and MayHaveLedger ask the presence filter.
func (s *Store) MayHaveOp(id schema.OpID) bool         { return s.mayHave(opKey(id)) }
func (s *Store) MayHaveLedger(id schema.LedgerID) bool { return s.mayHave(ledgerKey(id)) }

// SetChangeLogLimit sets how many ledger IDs the change log keeps and
// returns a function that restores it.
func SetChangeLogLimit(n int) (restore func()) {
	old := changeLogLimit
	changeLogLimit = n
	return func() { changeLogLimit = old }
}
