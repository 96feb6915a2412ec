// Package metrics exposes a node's Prometheus metrics: ops applied and
// rejected by reason, sync bytes and lag per peer, store size, alerts due.
// Values are read when Prometheus scrapes; nothing is counted twice.
package metrics

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"lienthong/internal/report"
	"lienthong/internal/store"
	"lienthong/node"
)

// Sources are what the metrics read.
type Sources struct {
	Node   *node.Node
	Store  *store.Store
	Net    *node.Network // may be nil
	Report report.Config
}

var (
	descOps      = prometheus.NewDesc("lienthong_ops_total", "Ops offered to the store since start, by outcome (applied, duplicate, parked, rejected) and rejection reason.", []string{"outcome", "reason"}, nil)
	descSeq      = prometheus.NewDesc("lienthong_feed_seq", "Position of the node's change feed (ops accepted, ever).", nil, nil)
	descStore    = prometheus.NewDesc("lienthong_store_bytes", "Bytes the store takes on disk, by part.", []string{"part"}, nil)
	descPeerIn   = prometheus.NewDesc("lienthong_sync_received_bytes_total", "Bytes received from a peer by sync since start.", []string{"peer", "name"}, nil)
	descPeerOut  = prometheus.NewDesc("lienthong_sync_sent_bytes_total", "Bytes served to a peer by sync since start.", []string{"peer", "name"}, nil)
	descPeerLag  = prometheus.NewDesc("lienthong_sync_lag_entries", "Feed entries of a peer still to scan, as last seen.", []string{"peer", "name"}, nil)
	descPeerUp   = prometheus.NewDesc("lienthong_peer_connected", "1 when a peer is connected.", []string{"peer", "name"}, nil)
	descAlerts   = prometheus.NewDesc("lienthong_alerts", "Alerts due or overdue today for this committee and its subtree, by rule and severity.", []string{"rule", "severity"}, nil)
	descConflict = prometheus.NewDesc("lienthong_members", "Members held by this node.", nil, nil)
	descAhead    = prometheus.NewDesc("lienthong_ops_clock_ahead_total", "Ops applied since start whose clock was more than five minutes past this computer's: the author's clock, or this one, is wrong.", []string{"author"}, nil)
)

type collector struct {
	src Sources

	mu       sync.Mutex
	alertsAt time.Time
	alerts   map[[2]string]int
	members  int
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOps, descSeq, descStore, descPeerIn, descPeerOut, descPeerLag, descPeerUp, descAlerts, descConflict, descAhead} {
		ch <- d
	}
}

// alertsTTL bounds how often alerts are computed (they scan every ledger).
const alertsTTL = 30 * time.Second

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	for k, v := range c.src.Store.Outcomes() {
		outcome, reason, _ := strings.Cut(k, ":")
		ch <- prometheus.MustNewConstMetric(descOps, prometheus.CounterValue, float64(v), outcome, reason)
	}
	for author, n := range c.src.Store.ClockAhead() {
		ch <- prometheus.MustNewConstMetric(descAhead, prometheus.CounterValue, float64(n), string(author))
	}
	ch <- prometheus.MustNewConstMetric(descSeq, prometheus.GaugeValue, float64(c.src.Store.Seq()))
	lsm, vlog := c.src.Store.Size()
	ch <- prometheus.MustNewConstMetric(descStore, prometheus.GaugeValue, float64(lsm), "lsm")
	ch <- prometheus.MustNewConstMetric(descStore, prometheus.GaugeValue, float64(vlog), "vlog")
	if c.src.Net != nil {
		for _, p := range c.src.Net.Peers() {
			up := 0.0
			if p.Connected {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(descPeerIn, prometheus.CounterValue, float64(p.BytesIn), p.ID, p.Name)
			ch <- prometheus.MustNewConstMetric(descPeerOut, prometheus.CounterValue, float64(p.BytesOut), p.ID, p.Name)
			ch <- prometheus.MustNewConstMetric(descPeerLag, prometheus.GaugeValue, float64(p.Pending), p.ID, p.Name)
			ch <- prometheus.MustNewConstMetric(descPeerUp, prometheus.GaugeValue, up, p.ID, p.Name)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.alertsAt) > alertsTTL {
		c.alerts = map[[2]string]int{}
		if counts, err := c.src.Node.AlertCounts(c.src.Node.TodayDate(), c.src.Report); err == nil {
			for k, n := range counts {
				c.alerts[[2]string{k.Rule, k.Severity}] = n
			}
		}
		if n, err := c.src.Node.MemberCount(); err == nil {
			c.members = n
		}
		c.alertsAt = time.Now()
	}
	for k, v := range c.alerts {
		ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.GaugeValue, float64(v), k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(descConflict, prometheus.GaugeValue, float64(c.members))
}

// Handler serves the node's metrics with Go runtime and process metrics.
func Handler(src Sources) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{src: src}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
