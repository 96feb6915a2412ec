package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/internal/sample"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	goldenSeed    = 2026
	goldenMembers = 240
)

// goldenDay is the day the golden reports are computed for.
var goldenDay = calendar.NewDate(2026, time.December, 7)

type sampleNet struct {
	*network
	tree    *sample.Tree
	signers []*schema.Signer // by index in tree.Committees
	rng     *rand.Rand
}

// newSampleNetwork charters a generated committee tree: a province with
// communes and workplace committees.
func newSampleNetwork(tb testing.TB, seed uint64) *sampleNet {
	opts := sample.DefaultOptions()
	opts.Communes, opts.CellsPerCommune, opts.WorkplaceCellsPerCommune = 2, 3, 1
	opts.Workplaces, opts.CellsPerWorkplace = 2, 3
	opts.Reference = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)
	tree, err := sample.NewTree(seed, opts)
	if err != nil {
		tb.Fatal(err)
	}
	root := fmt.Sprintf("golden %d", 0)
	n := &network{tb: tb, hlc: schema.MakeHLC(1_760_000_000_000, 0), signers: map[schema.CommitteeID]*schema.Signer{}}
	rootSigner := n.charterRoot(root, tree.Committees[0])
	sn := &sampleNet{network: n, tree: tree, signers: []*schema.Signer{rootSigner}, rng: rand.New(rand.NewPCG(seed, 0x676f6c64))}
	for i, c := range tree.Committees[1:] {
		sn.signers = append(sn.signers, n.charter(sn.signers[c.Parent], fmt.Sprintf("golden %d", i+1), c.Name, c.Level, c.Kind))
	}
	return sn
}

// charterRoot charters the network root, which signs its own charter.
func (n *network) charterRoot(key string, c sample.Committee) *schema.Signer {
	n.root = testkit.Signer(key)
	n.dir = crdt.NewDirectory(n.root.ID())
	return n.charter(nil, key, c.Name, c.Level, c.Kind)
}

// between draws a day in [a, b].
func (sn *sampleNet) between(a, b calendar.Date) calendar.Date {
	if b.Before(a) {
		return a
	}
	return a.AddDays(sn.rng.IntN(b.Sub(a) + 1))
}

func (sn *sampleNet) chance(p float64) bool { return sn.rng.Float64() < p }

func d(y int, m time.Month, dd int) calendar.Date { return calendar.NewDate(y, m, dd) }

// score draws a year-end score: mostly good, some excellent.
func (sn *sampleNet) score(excellent float64) int {
	switch x := sn.rng.Float64(); {
	case x < excellent:
		return 90 + sn.rng.IntN(11)
	case x < excellent+0.64:
		return 70 + sn.rng.IntN(20)
	case x < excellent+0.94:
		return 50 + sn.rng.IntN(20)
	}
	return 30 + sn.rng.IntN(20)
}

// goldenNetwork scripts the lives of the sample members with a seeded RNG.
func goldenNetwork(tb testing.TB) *sampleNet {
	sn := newSampleNetwork(tb, goldenSeed)
	tree := sn.tree
	opts := sample.DefaultOptions()
	opts.Reference = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)
	ms, err := sample.Members(goldenSeed, tree, goldenMembers, opts)
	if err != nil {
		tb.Fatal(err)
	}
	homes := tree.Homes()
	var communes []int
	for i, c := range tree.Committees {
		if c.Level == sample.LevelCommune {
			communes = append(communes, i)
		}
	}
	at := goldenDay
	// One unit rates generously, to trip the quota.
	generous := homes[len(homes)-1]
	for _, m := range ms {
		sn.life(m, homes, communes, at, m.Home == generous)
	}
	sn.oddities(ms, homes)
	return sn
}

func (sn *sampleNet) life(mb sample.Member, homes, communes []int, at calendar.Date, generous bool) {
	m := sn.member(sn.signers[mb.Home], mb.Fields)
	if mb.Probationary() {
		m.move(schema.MoveAdmitted, mb.Fields["admitted"])
	}
	born, _ := calendar.ParseISO(mb.Fields["born"])
	old := at.Year-born.Year >= 75

	// Exemptions: the old for age, others for health or treatment.
	switch {
	case old && sn.chance(0.3):
		m.exempt(schema.ExemptPermanent, "age", sn.between(d(2019, 1, 1), d(2025, 12, 31)).String(), "")
	case sn.chance(0.05):
		from := sn.between(d(2025, 3, 1), d(2026, 9, 30))
		cat := []string{"health", "treatment", "maternity"}[sn.rng.IntN(3)]
		op := m.exempt(schema.ExemptTemporary, cat, from.String(), addMonthsT(from, 3+sn.rng.IntN(9)).String())
		if sn.chance(0.25) {
			m.endExemption(op, sn.between(from.AddDays(30), at).String())
		}
	}

	// The residence link of a member of a workplace cell (213).
	if mb.Residence >= 0 && sn.chance(0.9) {
		introduced := sn.between(d(2024, 3, 1), d(2026, 10, 31))
		intro := m.intro(sn.signers[mb.Residence], introduced.String(), sn.chance(0.1))
		if acc := introduced.AddDays(3 + sn.rng.IntN(50)); sn.chance(0.85) && !acc.After(at) {
			m.acceptResidence(intro, acc.String(), sn.signers[mb.ResidenceCell])
			sn.meetings(m, intro, acc, at)
			for _, year := range []int{2025, 2026} {
				if acc.After(d(year, 10, 15)) {
					continue
				}
				if sn.chance(0.85) {
					m.request(intro, year, sn.between(d(year, 9, 10), d(year, 10, 25)).String())
				}
				if c := sn.between(d(year, 11, 1), d(year, 12, 5)); sn.chance(0.8) && !c.After(at) {
					m.comment(intro, year, c.String())
				}
			}
		}
	}

	// 2025 ratings, decided in December or January.
	if needs(m, 2025) && sn.chance(0.93) {
		m.rate(2025, sn.score(map[bool]float64{true: 0.45, false: 0.10}[generous]), sn.between(d(2025, 12, 5), d(2026, 1, 15)).String())
	}

	working := at.Year-born.Year < 58
	// Away-work leaves.
	if working && sn.chance(0.06) {
		from := sn.between(d(2025, 9, 1), d(2026, 11, 1))
		if sn.chance(0.35) {
			// An earlier leave this one continues.
			pf := from.AddDays(-300)
			prev := m.leave(pf.String(), from.AddDays(-10).String(), nil)
			m.selfReview(prev, from.AddDays(-9).String())
			m.endLeave(prev, from.AddDays(-10).String())
		}
		var dest *schema.Signer
		if sn.chance(0.5) {
			dest = sn.signers[communes[sn.rng.IntN(len(communes))]]
		}
		until := addMonthsT(from, 3+sn.rng.IntN(6))
		op := m.leave(from.String(), until.String(), dest)
		if sn.chance(0.3) {
			until = addMonthsT(until, 2)
			m.extendLeave(op, until.String(), until.AddDays(-20).String())
		}
		if until.Before(at) && sn.chance(0.6) {
			if sn.chance(0.7) {
				m.selfReview(op, until.String())
				if dest != nil && sn.chance(0.7) {
					m.leaveComment(op, until.String())
				}
			}
			m.endLeave(op, until.String())
		}
	}

	// Transfers of party activity.
	if working && sn.chance(0.08) {
		dest := sn.signers[homes[sn.rng.IntN(len(homes))]]
		if dest.ID() != m.st.HomeCommittee() {
			issued := sn.between(d(2025, 11, 1), d(2026, 11, 20))
			b := schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: dest.ID(), Date: issued.String(), Card: mb.Fields["card"]}
			if sn.chance(0.3) {
				b.Type, b.Until = schema.TransferTemporary, addMonthsT(issued, 4+sn.rng.IntN(6)).String()
			}
			if sn.chance(0.6) {
				b.MovedOn = issued.AddDays(-20 - sn.rng.IntN(120)).String()
				if sn.chance(0.4) {
					b.LateReason = "đảng viên đi công tác dài ngày"
				}
			}
			if r := m.st.ActiveResidence(); r != nil && b.Type == schema.TransferOfficial && sn.chance(0.7) {
				m.endResidence(r.Intro, issued.String())
			}
			letter := m.issue(b)
			if p := issued.AddDays(5 + sn.rng.IntN(60)); sn.chance(0.85) && !p.After(at) {
				if sn.chance(0.2) {
					m.present(letter, p.String())
				}
				if sn.chance(0.9) {
					m.acceptTransfer(letter, p.AddDays(sn.rng.IntN(4)).String(), nil)
					if until, err := calendar.ParseISO(b.Until); err == nil && b.Type == schema.TransferTemporary {
						switch {
						case sn.chance(0.3):
							m.extendTransfer(letter, addMonthsT(until, 3).String(), until.AddDays(-10).String())
						case until.Before(at) && sn.chance(0.5):
							m.endTransfer(letter, until.String())
						}
					}
				}
			}
		}
	}

	// Months without activity or dues.
	if sn.chance(0.04) {
		for mo := 1; mo <= 10; mo++ {
			if sn.chance(0.35) {
				m.inactive(fmt.Sprintf("2026-%02d", mo), sn.chance(0.3))
			}
		}
	}

	// Probation.
	if m.st.Status == schema.StatusProbationary {
		adm, err := calendar.ParseISO(mb.Fields["admitted"])
		if full := addMonthsT(adm, 12); err == nil && full.Before(at.AddDays(-20)) {
			switch x := sn.rng.Float64(); {
			case x < 0.6:
				m.set(map[string]string{"full": full.String()})
				m.move(schema.MoveFull, full.String())
			case x < 0.7:
				m.set(map[string]string{"full": full.String()})
			}
		}
	}

	// 2026 ratings, from 1 December.
	if needs(m, 2026) && sn.chance(0.75) {
		m.rate(2026, sn.score(0.10), sn.between(d(2026, 12, 1), at).String())
	}

	// Deaths and resignations.
	switch x := sn.rng.Float64(); {
	case old && x < 0.08:
		m.move(schema.MoveDied, sn.between(d(2026, 1, 1), at).String())
	case x < 0.01:
		m.move(schema.MoveResigned, sn.between(d(2026, 1, 1), at).String())
	}
}

// meetings records residence meetings about every one to three months
// from acceptance to at; some members drop out.
func (sn *sampleNet) meetings(m *script, intro schema.OpID, from, at calendar.Date) {
	stop := at
	if sn.chance(0.15) {
		stop = sn.between(from, at)
	}
	truant := sn.chance(0.08)
	for day := from.AddDays(20 + sn.rng.IntN(40)); !day.After(stop); day = day.AddDays(30 + sn.rng.IntN(60)) {
		status := schema.AttendPresent
		switch x := sn.rng.Float64(); {
		case truant && x < 0.6, x < 0.08:
			status = schema.AttendAbsent
		case x < 0.16:
			status = schema.AttendExcused
		}
		m.attend(intro, day.String(), status)
	}
}

// oddities adds what a reconciliation must catch: a duplicate card, a
// member on two ledgers, a cell dissolved with members still homed there.
func (sn *sampleNet) oddities(ms []sample.Member, homes []int) {
	a, b := sn.members[3], sn.members[len(sn.members)-5]
	if card := a.st.Field("card"); card != "" {
		b.set(map[string]string{"card": card})
	}
	twin := ms[7]
	other := homes[(slicesIndex(homes, twin.Home)+2)%len(homes)]
	sn.member(sn.signers[other], twin.Fields)

	// Rated for 2025, then found exempt since June 2025.
	for _, m := range sn.members {
		if m.st.RatingFor(2025) != nil && len(m.st.Exemptions) == 0 && m.st.Status != schema.StatusLeft {
			m.exempt(schema.ExemptPermanent, "health", "2025-06-01", "")
			break
		}
	}
	// Transferred with the residence link left open.
	for _, m := range slices.Backward(sn.members) {
		r := m.st.ActiveResidence()
		if r == nil || r.Accepted == "" || m.st.OpenTransfer() != nil || m.st.Status == schema.StatusLeft {
			continue
		}
		dest := sn.signers[homes[(slicesIndex(homes, sn.index(m.st.HomeCommittee()))+1)%len(homes)]]
		letter := m.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: dest.ID(), Date: "2026-09-01"})
		m.acceptTransfer(letter, "2026-09-15", nil)
		break
	}

	parent := sn.tree.Committees[homes[0]].Parent
	dropped := sn.charter(sn.signers[parent], "golden dropped", "Chi bộ Tổ Bảo vệ", sample.LevelCell, schema.CommitteeWorkplace)
	for i := range 3 {
		f := map[string]string{}
		for k, v := range ms[20+i].Fields {
			f[k] = v
		}
		f["card"] = fmt.Sprintf("990000%02d", i)
		f["citizen_id"] = fmt.Sprintf("0010809900%02d", i)
		f["name"] = f["name"] + " (Tổ Bảo vệ)"
		sn.member(dropped, f)
	}
	sn.revoke(sn.signers[parent], dropped, "2026-10-01")
}

// index is the position in the tree of the committee c.
func (sn *sampleNet) index(c schema.CommitteeID) int {
	for i, s := range sn.signers {
		if s.ID() == c {
			return i
		}
	}
	return -1
}

func slicesIndex(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func needs(m *script, year int) bool {
	if m.st.Status == schema.StatusLeft || m.st.ExemptOn(fmt.Sprintf("%d-12-31", year)) != nil {
		return false
	}
	adm, err := calendar.ParseISO(m.st.Field("admitted"))
	return err != nil || !adm.After(d(year, 12, 31))
}

func addMonthsT(x calendar.Date, n int) calendar.Date {
	return calendar.DateOf(x.Time().AddDate(0, n, 0))
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w []byte
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if !bytes.Equal(g, w) {
				t.Fatalf("%s differs at line %d:\n got  %s\n want %s\n(go test ./internal/report -update rewrites it; read the diff first)", path, i+1, g, w)
			}
		}
	}
}

func TestGolden(t *testing.T) {
	sn := goldenNetwork(t)
	ledgers := sn.ledgers()
	root := sn.root.ID()
	golden(t, "alerts.golden", report.Alerts(sn.dir, slices.Values(ledgers), root, goldenDay, report.DefaultConfig()))
	golden(t, "reconcile.golden", report.Reconcile(sn.dir, slices.Values(ledgers), root, "", goldenDay, report.DefaultConfig()))
	golden(t, "stats.golden", report.Stats(sn.dir, slices.Values(ledgers), root, d(2026, 1, 1), goldenDay))
}

// TestGoldenIsDeterministic: the same seed gives byte-identical reports,
// whatever the order of the ledgers.
func TestGoldenIsDeterministic(t *testing.T) {
	sn := goldenNetwork(t)
	ledgers := sn.ledgers()
	rev := make([]*crdt.Ledger, len(ledgers))
	for i, l := range ledgers {
		rev[len(ledgers)-1-i] = l
	}
	root := sn.root.ID()
	for _, f := range []func([]*crdt.Ledger) any{
		func(ls []*crdt.Ledger) any {
			return report.Alerts(sn.dir, slices.Values(ls), root, goldenDay, report.DefaultConfig())
		},
		func(ls []*crdt.Ledger) any {
			return report.Reconcile(sn.dir, slices.Values(ls), root, "", goldenDay, report.DefaultConfig())
		},
		func(ls []*crdt.Ledger) any {
			return report.Stats(sn.dir, slices.Values(ls), root, d(2026, 1, 1), goldenDay)
		},
	} {
		a, _ := json.Marshal(f(ledgers))
		b, _ := json.Marshal(f(rev))
		if !bytes.Equal(a, b) {
			t.Fatal("the report depends on the order of the ledgers")
		}
	}
}
