package sim

import (
	"bytes"
	"fmt"

	"lienthong/internal/replica"
)

// bundle is an offline bundle being carried from one node to another.
type bundle struct {
	from, to *site
	data     []byte
	due      int // the round it arrives
}

// exportBundle has a committee write a bundle for its parent or a child:
// the ops the receiver lacks as far as the exporter knows (what it pulled,
// and the bundles sent before, assuming they arrived). Bundles arrive
// after 0 to 3 rounds, in any order; some are lost, some cut short.
func (w *Network) exportBundle() error {
	child := w.sites[1+w.rng.IntN(len(w.sites)-1)]
	from, to := child, w.sites[child.parent]
	if w.rng.IntN(2) == 0 {
		from, to = to, from
	}
	k := [2]int{to.idx, from.idx}
	since := max(w.served[k], uint64(len(w.charters))) // it joined with the directory
	if w.rng.IntN(10) < 7 {
		since = max(since, w.sentBundle[k])
	}
	var buf bytes.Buffer
	es, err := replica.ExportBundle(&buf, from.st, replica.ExportOptions{From: from.id, For: to.id, Since: since, Now: w.now(from)})
	if err != nil {
		return fmt.Errorf("sim: %s exporting a bundle for %s: %w", from, to, err)
	}
	w.sentBundle[k] = max(w.sentBundle[k], es.Head)
	w.stats.Bundles++
	data := buf.Bytes()
	switch w.rng.IntN(10) {
	case 0:
		w.stats.BundlesLost++
		return nil
	case 1:
		data = data[:w.rng.IntN(len(data))]
	}
	w.bundles = append(w.bundles, &bundle{from: from, to: to, data: data, due: w.round + w.rng.IntN(4)})
	return nil
}

// deliverBundles imports the bundles that arrive this round (all of them
// when all is set), in random order.
func (w *Network) deliverBundles(all bool) {
	var now, later []*bundle
	for _, b := range w.bundles {
		if all || b.due <= w.round {
			now = append(now, b)
		} else {
			later = append(later, b)
		}
	}
	w.bundles = later
	w.rng.Shuffle(len(now), func(i, j int) { now[i], now[j] = now[j], now[i] })
	for _, b := range now {
		is, err := replica.ImportBundle(bytes.NewReader(b.data), b.to.st, b.to.id)
		w.stats.BundleOps += is.Ops
		if err != nil {
			// Damaged bundles and ops that wait for what the bundle did
			// not carry are expected; convergence is checked at the end.
			w.stats.BundleErrors++
			w.logf("seed %d round %d: bundle %s → %s: %v", w.cfg.Seed, w.round, b.from, b.to, err)
		}
	}
}
