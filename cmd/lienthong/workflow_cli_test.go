package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkflowsFromTheCLI runs the README's worked examples: a workplace
// cell and a ward committee, both under a provincial office, exchange a 213
// member's introduction, attendance and comment, then a transfer, by
// syncing with the office's daemon.
func TestWorkflowsFromTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a daemon")
	}
	d := t.TempDir()
	prov, work, ward := filepath.Join(d, "prov"), filepath.Join(d, "work"), filepath.Join(d, "ward")
	ok(t, "init", "--dir", prov, "--name", "Tỉnh ủy Hà Nam", "--level", "province", "--kind", "mixed", "--root")
	workID := idOf(t, ok(t, "init", "--dir", work, "--name", "Chi bộ Phòng Kỹ thuật", "--level", "cell", "--json"))
	wardID := idOf(t, ok(t, "init", "--dir", ward, "--name", "Đảng ủy phường Lê Hồng Phong", "--level", "commune", "--kind", "residential", "--json"))
	ok(t, "committee", "admit", "--dir", prov, "--id", workID, "--name", "Chi bộ Phòng Kỹ thuật", "--level", "cell")
	ok(t, "committee", "admit", "--dir", prov, "--id", wardID, "--name", "Đảng ủy phường Lê Hồng Phong", "--level", "commune", "--kind", "residential")
	provAddr := startServe(t, prov)
	for _, c := range []struct{ dir, id string }{{work, workID}, {ward, wardID}} {
		join := filepath.Join(d, c.id+".join")
		ok(t, "committee", "invite", "--dir", prov, "--id", c.id, "--out", join)
		ok(t, "join", "--dir", c.dir, join)
	}
	sync := func(dir string) { ok(t, "sync", "--dir", dir, "--peer", provAddr) }

	// Residence link (213).
	m := idOf(t, ok(t, "member", "add", "--dir", work, "--name", "Đỗ Thị Hạnh", "--sex", "F", "--born", "1984-09-02", "--admitted", "2010-05-19", "--full", "2011-05-19", "--json"))
	ok(t, "residence", "introduce", "--dir", work, m, "--to", wardID, "--address", "Số 8, ngõ 12, phố Lê Hồng Phong", "--at", "2026-01-05")
	sync(work)
	sync(ward)
	fails(t, "may not write", "residence", "accept", "--dir", work, m, "--cell", wardID) // the workplace cannot accept for the ward
	ok(t, "residence", "accept", "--dir", ward, m, "--cell", wardID, "--at", "2026-01-12")
	ok(t, "residence", "attend", "--dir", ward, m, "--meeting", "2026-03-15", "--status", "present")
	ok(t, "residence", "attend", "--dir", ward, m, "--meeting", "2026-09-15", "--status", "excused", "--reason", "công tác")
	fails(t, "reason", "residence", "attend", "--dir", ward, m, "--meeting", "2026-10-15", "--status", "excused")
	sync(ward)
	sync(work)
	ok(t, "residence", "request", "--dir", work, m, "--year", "2026", "--at", "2026-10-01")
	sync(work)
	sync(ward)
	ok(t, "residence", "comment", "--dir", ward, m, "--year", "2026", "--text", "Gương mẫu, tích cực tham gia sinh hoạt tổ dân phố.", "--at", "2026-11-10")
	sync(ward)
	sync(work)
	var show struct {
		Residence []struct {
			Accepted   string
			Attendance []map[string]any
			Comments   []struct{ Text string }
		}
	}
	jsonOf(t, ok(t, "member", "show", "--dir", work, m, "--json"), &show)
	if len(show.Residence) != 1 || show.Residence[0].Accepted != "2026-01-12" || len(show.Residence[0].Attendance) != 2 ||
		len(show.Residence[0].Comments) != 1 || !strings.Contains(show.Residence[0].Comments[0].Text, "Gương mẫu") {
		t.Fatalf("the workplace does not see the ward's work: %+v", show)
	}

	// Rating, exemption, leave at the workplace.
	ok(t, "rating", "set", "--dir", work, m, "--year", "2026", "--score", "88", "--at", "2026-12-20")
	fails(t, "score", "rating", "set", "--dir", work, m, "--year", "2026", "--score", "101")
	ok(t, "leave", "grant", "--dir", work, m, "--from", "2027-01-10", "--until", "2027-06-30", "--place", "Bình Dương", "--itinerant")
	fails(t, "12 months", "leave", "extend", "--dir", work, m, "--until", "2028-02-01")
	ok(t, "leave", "extend", "--dir", work, m, "--until", "2027-09-30", "--at", "2027-06-20")
	ok(t, "leave", "self-review", "--dir", work, m, "--text", "Hoàn thành công việc, giữ liên lạc với chi bộ.", "--at", "2027-10-01")
	ok(t, "leave", "end", "--dir", work, m, "--at", "2027-10-01")
	ok(t, "exemption", "grant", "--dir", work, m, "--type", "temporary", "--category", "health", "--from", "2027-11-01", "--until", "2028-04-30", "--decider", "Chi bộ Phòng Kỹ thuật")
	fails(t, "exempt", "rating", "set", "--dir", work, m, "--year", "2027", "--score", "80")
	ok(t, "exemption", "end", "--dir", work, m, "--at", "2028-03-01", "--reason", "đã bình phục")
	ok(t, "member", "inactive", "--dir", work, m, "--month", "2028-03", "--valid", "--reason", "ốm")

	// Official transfer to the ward: the ward accepts and becomes the home.
	ok(t, "transfer", "issue", "--dir", work, m, "--to", wardID, "--type", "official", "--at", "2028-04-01", "--dues-through", "2028-03", "--letter-line", "12")
	sync(work)
	sync(ward)
	ok(t, "transfer", "present", "--dir", ward, m, "--at", "2028-04-10")
	ok(t, "transfer", "accept", "--dir", ward, m, "--at", "2028-04-11")
	sync(ward)
	sync(work)
	var after struct{ Home string }
	jsonOf(t, ok(t, "member", "show", "--dir", work, m, "--json"), &after)
	if after.Home != wardID {
		t.Fatalf("after the transfer the home is %s, want the ward", after.Home)
	}
	fails(t, "may not write", "member", "set", "--dir", work, m, "phone=0912345678")
	ok(t, "member", "set", "--dir", ward, m, "phone=0912345678")
}
