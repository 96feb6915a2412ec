// Package datadir owns the layout of a node's data directory: the committee
// key, the config file and the store.
//
//	DIR/key          libp2p Ed25519 private key (0600)
//	DIR/config.json  network root, this committee's requested charter fields
//	DIR/store/       Badger store
package datadir

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/libp2p/go-libp2p/core/crypto"

	"lienthong/internal/store"
	"lienthong/schema"
)

// ErrNotInitialised: the directory holds no node.
var ErrNotInitialised = errors.New("no lienthong node in this directory")

// Config is the node's config file.
type Config struct {
	// Root is the network root committee, pinned at init (--root) or join.
	Root schema.CommitteeID `json:"root,omitempty"`
	// Name, Level and Kind are what this committee asks its parent to
	// charter it as.
	Name  string `json:"name"`
	Level string `json:"level"`
	Kind  string `json:"kind"`
	// Bootstrap peers (full multiaddrs): the parent office, from the join
	// file, and any added by hand.
	Bootstrap []string `json:"bootstrap,omitempty"`
	// Listen addresses of the daemon (multiaddrs); default: every
	// interface, TCP and QUIC, fixed ports chosen at first start.
	Listen []string `json:"listen,omitempty"`
	// HTTP is the daemon's API and UI address.
	HTTP string `json:"http,omitempty"`
	// Addrs are the addresses the daemon last listened on, for invites.
	Addrs []string `json:"addrs,omitempty"`
	// MDNS turns LAN discovery off when false (default on).
	MDNS *bool `json:"mdns,omitempty"`
	// Relay offers circuit relay v2 to committees behind NAT.
	Relay bool `json:"relay,omitempty"`
	// LogFormat (text or json) and LogLevel (debug, info, warn, error).
	LogFormat string `json:"log_format,omitempty"`
	LogLevel  string `json:"log_level,omitempty"`
	// Rules override the numbers of the alert rules, by name (see
	// 'lienthong alerts --help'), e.g. {"exemption_rate_percent": 10}.
	Rules map[string]int `json:"rules,omitempty"`
	// Holidays are extra days off (YYYY-MM-DD), Workdays extra working
	// days, as the government announces them each year.
	Holidays []string `json:"holidays,omitempty"`
	Workdays []string `json:"workdays,omitempty"`
}

// Dir is an opened data directory.
type Dir struct {
	Path   string
	Config Config
	Signer *schema.Signer
}

func keyPath(dir string) string    { return filepath.Join(dir, "key") }
func configPath(dir string) string { return filepath.Join(dir, "config.json") }
func tokenPath(dir string) string  { return filepath.Join(dir, "token") }
func daemonPath(dir string) string { return filepath.Join(dir, "daemon.json") }

// ensureToken returns the API token, creating it on first use.
func ensureToken(dir string) (string, error) {
	b, err := os.ReadFile(tokenPath(dir))
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(raw[:])
	return tok, writeFile(tokenPath(dir), []byte(tok+"\n"), 0o600)
}

// Token is the operator's API token (created at init).
func (d *Dir) Token() (string, error) { return ensureToken(d.Path) }

// Daemon describes a running daemon; it is written when serve starts and
// removed when it stops.
type Daemon struct {
	PID   int      `json:"pid"`
	HTTP  string   `json:"http"`
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"`
}

// WriteDaemon records the running daemon.
func (d *Dir) WriteDaemon(info Daemon) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(daemonPath(d.Path), append(b, '\n'), 0o600)
}

// RemoveDaemon removes the daemon record.
func (d *Dir) RemoveDaemon() { os.Remove(daemonPath(d.Path)) }

// RunningDaemon returns the daemon serving dir, if its record names a live
// process.
func RunningDaemon(dir string) (*Daemon, bool) {
	b, err := os.ReadFile(daemonPath(dir))
	if err != nil {
		return nil, false
	}
	var info Daemon
	if json.Unmarshal(b, &info) != nil || info.PID <= 0 || info.HTTP == "" {
		return nil, false
	}
	if err := syscall.Kill(info.PID, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return nil, false
	}
	return &info, true
}

// ReadToken reads dir's token without opening the node.
func ReadToken(dir string) (string, error) {
	b, err := os.ReadFile(tokenPath(dir))
	if err != nil {
		return "", fmt.Errorf("reading the API token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// StorePath is where the Badger store lives.
func (d *Dir) StorePath() string { return filepath.Join(d.Path, "store") }

// Create makes a new data directory with a fresh key. It refuses a directory
// that already holds a node.
func Create(path string, cfg Config) (*Dir, error) {
	if _, err := os.Stat(keyPath(path)); err == nil {
		return nil, fmt.Errorf("%s already holds a lienthong node (key file exists); use another --dir", path)
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		return nil, err
	}
	raw, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := writeFile(keyPath(path), raw, 0o600); err != nil {
		return nil, err
	}
	if _, err := ensureToken(path); err != nil {
		return nil, err
	}
	signer, err := schema.NewSigner(key)
	if err != nil {
		return nil, err
	}
	d := &Dir{Path: path, Config: cfg, Signer: signer}
	return d, d.SaveConfig()
}

// Open loads an existing data directory.
func Open(path string) (*Dir, error) {
	raw, err := os.ReadFile(keyPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w %s: run 'lienthong init --dir %s' first, or pass the right --dir", ErrNotInitialised, path, path)
	}
	if err != nil {
		return nil, err
	}
	key, err := crypto.UnmarshalPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", keyPath(path), err)
	}
	signer, err := schema.NewSigner(key)
	if err != nil {
		return nil, err
	}
	d := &Dir{Path: path, Signer: signer}
	cb, err := os.ReadFile(configPath(path))
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if err := json.Unmarshal(cb, &d.Config); err != nil {
		return nil, fmt.Errorf("config file %s: %w", configPath(path), err)
	}
	return d, nil
}

// SaveConfig writes the config file atomically.
func (d *Dir) SaveConfig() error {
	b, err := json.MarshalIndent(d.Config, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(configPath(d.Path), append(b, '\n'), 0o600)
}

// OpenStore opens the node's store. The node must belong to a network.
func (d *Dir) OpenStore(opts store.Options) (*store.Store, error) {
	if d.Config.Root == "" {
		return nil, fmt.Errorf("committee %s has not joined a network yet: ask the parent committee for a join file and run 'lienthong join'", d.Signer.ID())
	}
	opts.Root = d.Config.Root
	return store.Open(d.StorePath(), opts)
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
