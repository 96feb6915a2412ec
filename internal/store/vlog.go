package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

const (
	// valueThreshold is the size from which a value lives in the value log
	// rather than in the LSM tree: every op envelope, and the state of
	// all but the smallest ledgers. Index, feed and metadata entries stay
	// in the tree.
	valueThreshold = 512
	// defaultValueLogFileSize bounds one value-log file. Badger reads the
	// last file through when it opens a store: 64 MiB takes tens of
	// milliseconds, the default gigabyte most of a second.
	defaultValueLogFileSize = 64 << 20
	defaultGCInterval       = 10 * time.Minute
	firstGC                 = time.Minute
	// gcDiscardRatio: a value-log file is rewritten once this share of it
	// is space left by states written again since.
	gcDiscardRatio = 0.5
)

// startGC starts the periodic value-log sweep (see CollectGarbage).
func (s *Store) startGC() {
	if s.opts.InMemory || s.opts.GCInterval < 0 {
		return
	}
	every := s.opts.GCInterval
	if every == 0 {
		every = defaultGCInterval
	}
	s.gcStop, s.gcDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.gcDone)
		// The first sweep comes a minute after opening, so a node that is
		// restarted more often than every interval still sweeps.
		t := time.NewTimer(min(every, firstGC))
		defer t.Stop()
		for {
			select {
			case <-s.gcStop:
				return
			case <-t.C:
				t.Reset(every)
			}
			t0 := time.Now()
			n, err := s.CollectGarbage()
			switch {
			case err != nil:
				s.opts.Logger.Warn("value-log sweep failed; it runs again later", "err", err)
			case n > 0:
				s.opts.Logger.Info("value log swept", "files rewritten", n, "took", time.Since(t0).Round(time.Millisecond))
			}
		}
	}()
}

// stopGC stops the sweep and waits for a file being rewritten.
func (s *Store) stopGC() {
	if s.gcStop == nil {
		return
	}
	close(s.gcStop)
	<-s.gcDone
}

// CollectGarbage rewrites the value-log files of which at least half is
// space held by values since overwritten (old ledger states), until none
// is left, and returns how many it rewrote. The space of a rewritten file
// is returned to the file system. Badger learns what is overwritten as it
// compacts, so a store that has not compacted since may have nothing to
// sweep yet. Readers and writers go on meanwhile.
func (s *Store) CollectGarbage() (int, error) {
	if s.opts.InMemory {
		return 0, nil
	}
	n := 0
	for {
		select {
		case <-s.gcStop:
			return n, nil
		default:
		}
		did, err := s.SweepOnce()
		if err != nil || !did {
			return n, err
		}
		n++
	}
}

// SweepOnce rewrites at most one value-log file: the one with the most space
// held by overwritten values, if that is at least half of it. It reports
// whether it rewrote one. It is for processes too short-lived for the
// periodic sweep (one CLI command): run at the end of each, it keeps a site
// that never runs a daemon from holding every old state it ever rewrote.
func (s *Store) SweepOnce() (bool, error) {
	if s.opts.InMemory {
		return false, nil
	}
	err := s.db.RunValueLogGC(gcDiscardRatio)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
		return false, nil
	default:
		return false, fmt.Errorf("sweeping the value log: %w", err)
	}
}
