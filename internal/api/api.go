// Package api is the node's HTTP interface on localhost: JSON endpoints for
// every read and workflow step (used by the web UI and scripts), the
// OpenAPI document describing them, printable forms, metrics and the
// endpoint through which the CLI runs its commands inside a running daemon.
// Every endpoint but /healthz and /metrics requires the operator's token, as
// "Authorization: Bearer TOKEN", or the session cookie the UI gets by
// opening /?token=TOKEN once.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"lienthong/crdt"
	"lienthong/internal/report"
	"lienthong/node"
	"lienthong/schema"
)

// CLIRunner runs one CLI command inside the daemon.
type CLIRunner func(ctx context.Context, args []string, cwd string) (stdout, stderr []byte, code int)

// Options configure the API.
type Options struct {
	Token string
	Node  *node.Node
	// Net is the node's network (nil when it does not run).
	Net    *node.Network
	CLI    CLIRunner
	Health func() map[string]any
	// Backup writes a consistent backup of the store.
	Backup func(w io.Writer) error
	// Metrics serves Prometheus metrics (nil: none).
	Metrics http.Handler
	// UI is the web UI's static files (nil: none).
	UI fs.FS
	// Report configures alerts (calendar, thresholds).
	Report report.Config
	Logger *slog.Logger
}

// Server is the HTTP API.
type Server struct {
	opts   Options
	mux    *http.ServeMux
	routes []route
}

// New builds the API.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Report.Calendar == nil {
		opts.Report = report.DefaultConfig()
	}
	s := &Server{opts: opts, mux: http.NewServeMux()}
	s.routes = s.table()
	for _, rt := range s.routes {
		var h http.Handler = s.wrap(rt)
		if rt.auth {
			h = s.auth(h)
		}
		s.mux.Handle(rt.method+" "+rt.path, h)
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	if opts.Metrics != nil {
		s.mux.Handle("GET /metrics", opts.Metrics)
	}
	s.mux.HandleFunc("GET /api/openapi.json", s.openapi)
	s.mux.Handle("POST /api/cli", s.auth(http.HandlerFunc(s.cli)))
	s.mux.Handle("GET /", s.ui())
	return s
}

// Handler is the root handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Error is the JSON body of every error response.
type Error struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// httpError carries a status to the response.
type httpError struct {
	status int
	msg    string
	field  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(field, format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: sprintf(format, args...), field: field}
}

// writeError maps errors to statuses: invalid input 400 (naming the field),
// refused by policy 403, unknown 404, invalid against the state 409.
func writeError(w http.ResponseWriter, err error) {
	var he *httpError
	var fe *schema.FieldError
	var rej *crdt.RejectError
	switch {
	case errors.As(err, &he):
		writeJSON(w, he.status, Error{Error: he.msg, Field: he.field})
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadRequest, Error{Error: fe.Error(), Field: fe.Field})
	case errors.As(err, &rej) && errors.Is(err, crdt.ErrUnauthorized):
		writeJSON(w, http.StatusForbidden, Error{Error: rej.Error()})
	case errors.As(err, &rej):
		writeJSON(w, http.StatusConflict, Error{Error: rej.Error()})
	case errors.Is(err, crdt.ErrNotFound):
		writeJSON(w, http.StatusNotFound, Error{Error: err.Error()})
	case errors.Is(err, crdt.ErrInvalid): // a step the member's state does not allow now
		writeJSON(w, http.StatusConflict, Error{Error: err.Error()})
	default:
		writeJSON(w, http.StatusInternalServerError, Error{Error: err.Error()})
	}
}

// cookieName is per host and port: browsers share cookies between ports, and
// several nodes may run on one machine (the demo runs six).
func cookieName(r *http.Request) string {
	return "lienthong_" + strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return c
		}
		return '_'
	}, r.Host)
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		if c, err := r.Cookie(cookieName(r)); err == nil {
			tok, ok = c.Value, true
		}
	}
	return ok && subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Token)) == 1
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			writeJSON(w, http.StatusUnauthorized, Error{Error: "missing or wrong token: send 'Authorization: Bearer TOKEN' (lienthong token --dir D prints it)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	h := map[string]any{"status": "ok"}
	if s.opts.Health != nil {
		for k, v := range s.opts.Health() {
			h[k] = v
		}
	}
	writeJSON(w, http.StatusOK, h)
}

// CLIRequest runs a command in the daemon.
type CLIRequest struct {
	Args []string `json:"args"`
	Cwd  string   `json:"cwd"`
}

// CLIResponse is its outcome.
type CLIResponse struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

const maxRequest = 1 << 20

func (s *Server) cli(w http.ResponseWriter, r *http.Request) {
	if s.opts.CLI == nil {
		writeJSON(w, http.StatusNotImplemented, Error{Error: "this daemon does not run CLI commands"})
		return
	}
	var req CLIRequest
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	out, errb, code := s.opts.CLI(r.Context(), req.Args, req.Cwd)
	writeJSON(w, http.StatusOK, CLIResponse{Stdout: string(out), Stderr: string(errb), Code: code})
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxRequest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return badRequest("body", "empty request body: send a JSON object")
		}
		return badRequest("body", "request body is not valid JSON for this endpoint: %v", err)
	}
	return nil
}

// ui serves the web UI; /?token=T sets the session cookie and redirects.
func (s *Server) ui() http.Handler {
	var files http.Handler = http.NotFoundHandler()
	if s.opts.UI != nil {
		files = http.FileServerFS(s.opts.UI)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("token"); tok != "" {
			if subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Token)) != 1 {
				writeJSON(w, http.StatusUnauthorized, Error{Error: "wrong token in the link: ask the operator for a new one ('lienthong token')"})
				return
			}
			http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Expires: time.Now().Add(30 * 24 * time.Hour)})
			q := r.URL.Query()
			q.Del("token")
			r.URL.RawQuery = q.Encode()
			http.Redirect(w, r, r.URL.String(), http.StatusSeeOther)
			return
		}
		files.ServeHTTP(w, r)
	})
}
