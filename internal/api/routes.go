package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/register"
	"lienthong/internal/report"
	"lienthong/internal/tabular"
	"lienthong/node"
	"lienthong/schema"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// route is one endpoint: what the mux serves and the OpenAPI document says.
type route struct {
	method, path, summary string
	auth                  bool
	query                 []string // documented query parameters
	req                   any      // request body example type (nil: none)
	resp                  any      // response body example type (nil: not JSON)
	status                int      // success status
	json                  func(r *http.Request) (any, error)
	raw                   func(w http.ResponseWriter, r *http.Request) error
}

func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.raw != nil {
			if err := rt.raw(w, r); err != nil {
				writeError(w, err)
			}
			return
		}
		v, err := rt.json(r)
		if err != nil {
			writeError(w, err)
			return
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, v)
	})
}

// Created is the answer to a write.
type Created struct {
	ID   string `json:"id"`
	Op   string `json:"op,omitempty"`
	Kind string `json:"kind,omitempty"`
}

// NewMember is the body of POST /api/members.
type NewMember struct {
	Home   string            `json:"home,omitempty"`
	Fields map[string]string `json:"fields"`
}

// FieldsChange is the body of POST /api/members/{id}/fields.
type FieldsChange struct {
	Fields map[string]string `json:"fields"`
}

// Correction is the body of POST /api/members/{id}/correct.
type Correction struct {
	Op     string            `json:"op"`
	Fields map[string]string `json:"fields"`
	Reason string            `json:"reason"`
}

// Admission is the body of POST /api/committees.
type Admission struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Level string `json:"level"`
	Kind  string `json:"kind"`
}

// Revoke is the body of POST /api/committees/{id}/revoke.
type Revoke struct {
	Reason string `json:"reason"`
}

// SyncRequest is the body of POST /api/sync.
type SyncRequest struct {
	Peer string `json:"peer"`
}

// Status is what GET /api/status answers.
type Status struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Level     string            `json:"level"`
	Kind      string            `json:"kind"`
	Root      string            `json:"root"`
	StateHash string            `json:"state_hash"`
	Members   int               `json:"members"`
	Today     string            `json:"today"`
	Addrs     []string          `json:"addrs"`
	Committee *node.Committee   `json:"committee,omitempty"`
	Kinds     []string          `json:"kinds"`
	Fields    []schema.Field    `json:"-"`
	Labels    map[string]string `json:"labels"`
}

func (s *Server) table() []route {
	return []route{
		{method: "GET", path: "/api/status", summary: "This node: committee, state hash, addresses", auth: true, resp: Status{}, json: s.status},
		{method: "GET", path: "/api/members", summary: "Members held here, sorted by given name (Vietnamese collation); q searches name, card number, citizen ID and ID; under: members homed at this committee or below it; has: members with items of these workflows (transfers, residence, exemptions, leaves; comma-separated); ids: only these members (comma-separated, at most 1000)", auth: true,
			query: []string{"q", "status", "home", "under", "has", "ids", "offset", "limit"}, resp: []node.Member{}, json: s.listMembers},
		{method: "POST", path: "/api/members", summary: "Create a member", auth: true, req: NewMember{}, resp: Created{}, status: http.StatusCreated, json: s.createMember},
		{method: "GET", path: "/api/members/{id}", summary: "A member: record, conflicts, history, workflows", auth: true, resp: node.Member{}, json: s.getMember},
		{method: "POST", path: "/api/members/{id}/fields", summary: "Write record fields", auth: true, req: FieldsChange{}, resp: Created{}, json: s.setFields},
		{method: "POST", path: "/api/members/{id}/correct", summary: "Correct what an op wrote (resolves a conflict)", auth: true, req: Correction{}, resp: Created{}, json: s.correct},
		{method: "POST", path: "/api/members/{id}/steps/{kind}", summary: "Record a workflow step (movement, residence.*, transfer.*, exemption.*, leave.*, rating, inactive_month): the body is the step's fields; ref and date default to the open item and today", auth: true,
			req: map[string]any{}, resp: Created{}, json: s.step},
		{method: "GET", path: "/api/committees", summary: "The directory in tree order", auth: true, resp: []node.Committee{}, json: s.committees},
		{method: "POST", path: "/api/committees", summary: "Admit a child committee", auth: true, req: Admission{}, resp: Created{}, status: http.StatusCreated, json: s.admit},
		{method: "POST", path: "/api/committees/{id}/revoke", summary: "Revoke a committee below this one", auth: true, req: Revoke{}, resp: Created{}, json: s.revoke},
		{method: "GET", path: "/api/alerts", summary: "Due and overdue items for this committee and its subtree, sorted by due date (rule: rule IDs or prefixes such as transfer., comma-separated; severity: due or overdue; offset and limit after filtering)", auth: true,
			query: []string{"at", "rule", "severity", "offset", "limit"}, resp: []map[string]any{}, json: s.alerts},
		{method: "GET", path: "/api/alerts/summary", summary: "How many alerts there are, how many overdue, and how many of each rule", auth: true, query: []string{"at"}, resp: AlertSummary{}, json: s.alertSummary},
		{method: "GET", path: "/api/export", summary: "The member register as a file (format=csv or xlsx)", auth: true, query: []string{"format"}, raw: s.export},
		{method: "POST", path: "/api/import", summary: "Import a register: the request body is the .csv or .xlsx file (format=csv or xlsx)", auth: true, query: []string{"format", "home"}, resp: register.Report{}, json: s.importFile},
		{method: "GET", path: "/api/committees/{id}/invite", summary: "The join file for a committee this one admitted", auth: true, resp: node.JoinFile{}, json: s.invite},
		{method: "GET", path: "/api/backup", summary: "A consistent backup of the store (lienthong restore reads it)", auth: true, raw: s.backup},
		{method: "GET", path: "/api/reconcile", summary: "Discrepancies in the member lists of this committee's subtree (with: a subordinate or the superior)", auth: true, query: []string{"with", "at"}, resp: []report.Discrepancy{}, json: s.reconcile},
		{method: "GET", path: "/api/stats", summary: "Headcounts, movements, exemption rates and ratings by unit", auth: true, query: []string{"from", "to"}, resp: report.Statistics{}, json: s.stats},
		{method: "GET", path: "/api/peers", summary: "Peers and sync status", auth: true, resp: []node.PeerStatus{}, json: s.peers},
		{method: "POST", path: "/api/sync", summary: "Sync once with a peer (full multiaddr)", auth: true, req: SyncRequest{}, resp: map[string]any{}, json: s.sync},
	}
}

func (s *Server) n() *node.Node { return s.opts.Node }

func ledgerParam(r *http.Request) (schema.LedgerID, error) {
	id, err := schema.ParseLedgerID(r.PathValue("id"))
	if err != nil {
		return id, badRequest("id", "%v", err)
	}
	return id, nil
}

func (s *Server) status(r *http.Request) (any, error) {
	n := s.n()
	st := Status{ID: string(n.ID()), Root: string(n.Store().Directory().Root), StateHash: n.StateHash().String(), Today: n.Today(), Labels: map[string]string{}}
	if c, err := n.Committee(n.ID()); err == nil {
		st.Committee, st.Name, st.Level, st.Kind = c, c.Name, c.Level, c.Kind
	}
	if s.opts.Net != nil {
		st.Addrs = s.opts.Net.Addrs()
	}
	for _, k := range schema.Kinds() {
		st.Kinds = append(st.Kinds, k.String())
	}
	for _, f := range schema.Fields {
		st.Labels[f.Name] = f.Label
	}
	members, err := n.MemberCount()
	if err != nil {
		return nil, err
	}
	st.Members = members
	return st, nil
}

func (s *Server) listMembers(r *http.Request) (any, error) {
	offset, limit, err := pageParams(r)
	if err != nil {
		return nil, err
	}
	qs := r.URL.Query()
	f := node.MemberFilter{Q: qs.Get("q"), Status: qs.Get("status"), Home: qs.Get("home"), Under: schema.CommitteeID(qs.Get("under"))}
	if f.Under != "" {
		if _, err := s.n().Committee(f.Under); err != nil {
			return nil, badRequest("under", "under=%q: %v", f.Under, err)
		}
	}
	if v := qs.Get("has"); v != "" {
		if f.Has, err = node.ParseWorkflows(v); err != nil {
			return nil, badRequest("has", "has=%q: %v", v, err)
		}
	}
	if v := qs.Get("ids"); v != "" {
		parts := strings.Split(v, ",")
		if len(parts) > maxMemberIDs {
			return nil, badRequest("ids", "%d member IDs: ask for at most %d at a time", len(parts), maxMemberIDs)
		}
		f.IDs = make([]schema.LedgerID, len(parts))
		for i, p := range parts {
			if f.IDs[i], err = schema.ParseLedgerID(p); err != nil {
				return nil, badRequest("ids", "ids: %q: %v", p, err)
			}
		}
	}
	return s.n().FindMembers(f, offset, limit)
}

// maxMemberIDs bounds the ids of one GET /api/members.
const maxMemberIDs = 1000

// pageParams reads offset (default 0) and limit (default -1: all).
func pageParams(r *http.Request) (offset, limit int, err error) {
	if offset, err = intParam(r, "offset", 0); err == nil {
		limit, err = intParam(r, "limit", -1)
	}
	return offset, limit, err
}

func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest(name, "%s=%q: want a whole number", name, v)
	}
	return n, nil
}

func (s *Server) createMember(r *http.Request) (any, error) {
	var req NewMember
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	var home schema.CommitteeID
	if req.Home != "" {
		var err error
		if home, err = schema.ParseCommitteeID(req.Home); err != nil {
			return nil, badRequest("home", "%v", err)
		}
	}
	id, err := s.n().CreateMember(home, req.Fields)
	if err != nil {
		return nil, err
	}
	return Created{ID: id.String(), Kind: schema.KindMemberCreate.String()}, nil
}

func (s *Server) getMember(r *http.Request) (any, error) {
	id, err := ledgerParam(r)
	if err != nil {
		return nil, err
	}
	return s.n().Member(id)
}

func (s *Server) setFields(r *http.Request) (any, error) {
	id, err := ledgerParam(r)
	if err != nil {
		return nil, err
	}
	var req FieldsChange
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	op, err := s.n().SetFields(id, req.Fields)
	if err != nil {
		return nil, err
	}
	return Created{ID: id.String(), Op: op.String(), Kind: schema.KindMemberSet.String()}, nil
}

func (s *Server) correct(r *http.Request) (any, error) {
	id, err := ledgerParam(r)
	if err != nil {
		return nil, err
	}
	var req Correction
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	target, err := schema.ParseOpID(req.Op)
	if err != nil {
		return nil, badRequest("op", "%v", err)
	}
	op, err := s.n().Correct(id, target, req.Fields, req.Reason)
	if err != nil {
		return nil, err
	}
	return Created{ID: id.String(), Op: op.String(), Kind: schema.KindMemberCorrect.String()}, nil
}

func (s *Server) step(r *http.Request) (any, error) {
	id, err := ledgerParam(r)
	if err != nil {
		return nil, err
	}
	k, ok := schema.ParseKind(r.PathValue("kind"))
	if !ok {
		return nil, badRequest("kind", "unknown step %q", r.PathValue("kind"))
	}
	raw := make([]byte, 0, 1024)
	buf := make([]byte, 4096)
	for len(raw) <= maxRequest {
		n, err := r.Body.Read(buf)
		raw = append(raw, buf[:n]...)
		if err != nil {
			break
		}
	}
	if len(raw) > maxRequest {
		return nil, badRequest("body", "request body over %d bytes", maxRequest)
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = []byte("{}")
	}
	op, err := s.n().Step(id, k, raw)
	if err != nil {
		return nil, err
	}
	return Created{ID: id.String(), Op: op.String(), Kind: k.String()}, nil
}

func (s *Server) committees(r *http.Request) (any, error) { return s.n().Committees(), nil }

func (s *Server) admit(r *http.Request) (any, error) {
	var req Admission
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	cid, err := schema.ParseCommitteeID(req.ID)
	if err != nil {
		return nil, badRequest("id", "%v", err)
	}
	if req.Kind == "" {
		req.Kind = schema.CommitteeWorkplace
	}
	op, err := s.n().Admit(cid, req.Name, req.Level, req.Kind)
	if err != nil {
		return nil, err
	}
	return Created{ID: string(cid), Op: op.String(), Kind: schema.KindCharter.String()}, nil
}

func (s *Server) revoke(r *http.Request) (any, error) {
	cid, err := schema.ParseCommitteeID(r.PathValue("id"))
	if err != nil {
		return nil, badRequest("id", "%v", err)
	}
	var req Revoke
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	op, err := s.n().Revoke(cid, req.Reason)
	if err != nil {
		return nil, err
	}
	return Created{ID: string(cid), Op: op.String(), Kind: schema.KindRevocation.String()}, nil
}

// dateParam reads a date query parameter (YYYY-MM-DD or dd/mm/yyyy).
func dateParam(r *http.Request, name string, def calendar.Date) (calendar.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	d, err := calendar.Parse(v)
	if err != nil {
		return d, badRequest(name, "%q: want a date as YYYY-MM-DD or dd/mm/yyyy", v)
	}
	return d, nil
}

func (s *Server) alerts(r *http.Request) (any, error) {
	at, err := dateParam(r, "at", s.n().TodayDate())
	if err != nil {
		return nil, err
	}
	keep, err := alertFilter(r)
	if err != nil {
		return nil, err
	}
	offset, limit, err := pageParams(r)
	if err != nil {
		return nil, err
	}
	all, err := s.n().Alerts(at, s.opts.Report)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if keep(a) {
			out = append(out, a)
		}
	}
	out = out[min(offset, len(out)):]
	if limit >= 0 && limit < len(out) {
		out = out[:limit]
	}
	return out, nil
}

// alertFilter reads the rule and severity parameters of GET /api/alerts.
func alertFilter(r *http.Request) (func(report.Alert) bool, error) {
	qs := r.URL.Query()
	severity := qs.Get("severity")
	if severity != "" && severity != report.SeverityDue && severity != report.SeverityOverdue {
		return nil, badRequest("severity", "severity=%q: want %s or %s", severity, report.SeverityDue, report.SeverityOverdue)
	}
	var rules []string // rule IDs, and prefixes ending in "."
	if v := qs.Get("rule"); v != "" {
		for _, rule := range strings.Split(v, ",") {
			known := slices.ContainsFunc(report.Rules, func(id string) bool {
				return id == rule || (strings.HasSuffix(rule, ".") && strings.HasPrefix(id, rule))
			})
			if !known {
				return nil, badRequest("rule", "rule=%q: no rule is %q or begins with it (the rules: %s)", v, rule, strings.Join(report.Rules, ", "))
			}
			rules = append(rules, rule)
		}
	}
	return func(a report.Alert) bool {
		if severity != "" && a.Severity != severity {
			return false
		}
		return len(rules) == 0 || slices.ContainsFunc(rules, func(rule string) bool {
			return a.Rule == rule || (strings.HasSuffix(rule, ".") && strings.HasPrefix(a.Rule, rule))
		})
	}, nil
}

// AlertSummary is what GET /api/alerts/summary answers: the menu's count
// and the alerts page's filters, without the alerts themselves (a
// province's are tens of megabytes).
type AlertSummary struct {
	At      string         `json:"at"`
	Total   int            `json:"total"`
	Overdue int            `json:"overdue"`
	Rules   map[string]int `json:"rules"` // alerts of each rule that has any
}

func (s *Server) alertSummary(r *http.Request) (any, error) {
	at, err := dateParam(r, "at", s.n().TodayDate())
	if err != nil {
		return nil, err
	}
	counts, err := s.n().AlertCounts(at, s.opts.Report)
	if err != nil {
		return nil, err
	}
	sum := AlertSummary{At: at.String(), Rules: map[string]int{}}
	for k, n := range counts {
		sum.Total += n
		sum.Rules[k.Rule] += n
		if k.Severity == report.SeverityOverdue {
			sum.Overdue += n
		}
	}
	return sum, nil
}

func (s *Server) peers(r *http.Request) (any, error) {
	if s.opts.Net == nil {
		return []node.PeerStatus{}, nil
	}
	ps := s.opts.Net.Peers()
	if ps == nil {
		ps = []node.PeerStatus{}
	}
	return ps, nil
}

func (s *Server) sync(r *http.Request) (any, error) {
	var req SyncRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if s.opts.Net == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, msg: "the network is not running"}
	}
	st, sent, err := s.opts.Net.SyncOnce(r.Context(), req.Peer, 10*time.Second)
	if err != nil {
		return nil, badRequest("peer", "%v", err)
	}
	return map[string]any{"received": st.Received, "applied": st.Applied, "rejected": st.Rejected, "bytes": st.Bytes, "sent": sent}, nil
}

var _ = crdt.Now

func formatParam(r *http.Request) (tabular.Format, string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "csv":
		return tabular.CSV, "csv", nil
	case "xlsx":
		return tabular.XLSX, "xlsx", nil
	default:
		return 0, "", badRequest("format", "format %q: want csv or xlsx", f)
	}
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	fm, ext, err := formatParam(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := register.Export(s.n(), &buf, fm); err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if fm == tabular.XLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="danh-sach-dang-vien.`+ext+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}

// maxUpload bounds an imported register.
const maxUpload = 256 << 20

func (s *Server) importFile(r *http.Request) (any, error) {
	fm, _, err := formatParam(r)
	if err != nil {
		return nil, err
	}
	var home schema.CommitteeID
	if h := r.URL.Query().Get("home"); h != "" {
		if home, err = schema.ParseCommitteeID(h); err != nil {
			return nil, badRequest("home", "%v", err)
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpload+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxUpload {
		return nil, badRequest("body", "file over %d MB", maxUpload>>20)
	}
	rep, err := register.Import(s.n(), bytes.NewReader(body), fm, home, nil)
	if err != nil {
		if errors.Is(err, tabular.ErrHeader) {
			return nil, badRequest("file", "%v", err)
		}
		return nil, err
	}
	return rep, nil
}

func (s *Server) invite(r *http.Request) (any, error) {
	cid, err := schema.ParseCommitteeID(r.PathValue("id"))
	if err != nil {
		return nil, badRequest("id", "%v", err)
	}
	var addrs []string
	if s.opts.Net != nil {
		addrs = s.opts.Net.Addrs()
	}
	jf, err := s.n().Invite(cid, addrs)
	if err != nil {
		return nil, &httpError{status: http.StatusConflict, msg: err.Error()}
	}
	return jf, nil
}

func (s *Server) backup(w http.ResponseWriter, r *http.Request) error {
	if s.opts.Backup == nil {
		return &httpError{status: http.StatusNotImplemented, msg: "backups are not available here"}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="lienthong-`+s.n().Today()+`.backup"`)
	return s.opts.Backup(w)
}

func (s *Server) reconcile(r *http.Request) (any, error) {
	at, err := dateParam(r, "at", s.n().TodayDate())
	if err != nil {
		return nil, err
	}
	var with schema.CommitteeID
	if w := r.URL.Query().Get("with"); w != "" {
		if with, err = schema.ParseCommitteeID(w); err != nil {
			return nil, badRequest("with", "%v", err)
		}
	}
	return s.n().Reconcile(with, at, s.opts.Report)
}

func (s *Server) stats(r *http.Request) (any, error) {
	to, err := dateParam(r, "to", s.n().TodayDate())
	if err != nil {
		return nil, err
	}
	from, err := dateParam(r, "from", calendar.NewDate(to.Year, 1, 1))
	if err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, badRequest("to", "%s is before from %s", to, from)
	}
	return s.n().Stats(from, to)
}
