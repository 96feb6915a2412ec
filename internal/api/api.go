// Package api is the node's HTTP interface on localhost: JSON endpoints for
// scripts and the web UI, and the endpoint through which the CLI runs its
// commands inside a running daemon. Every endpoint but /healthz requires the
// operator's token as "Authorization: Bearer TOKEN".
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// CLIRunner runs one CLI command inside the daemon.
type CLIRunner func(ctx context.Context, args []string, cwd string) (stdout, stderr []byte, code int)

// Options configure the API.
type Options struct {
	Token  string
	CLI    CLIRunner
	Health func() map[string]any
	Logger *slog.Logger
}

// Server is the HTTP API.
type Server struct {
	opts Options
	mux  *http.ServeMux
}

// New builds the API.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("POST /api/cli", s.auth(http.HandlerFunc(s.cli)))
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

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Token)) != 1 {
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
		writeJSON(w, http.StatusBadRequest, Error{Error: err.Error()})
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
			return errors.New("empty request body: send a JSON object")
		}
		return errors.New("request body is not valid JSON for this endpoint: " + err.Error())
	}
	return nil
}
