// Package datadir owns the layout of a node's data directory: the committee
// key, the config file and the store.
//
//	DIR/key          libp2p Ed25519 private key (0600)
//	DIR/config.json  network root, this committee's requested charter fields
//	DIR/store/       Badger store
package datadir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
}

// Dir is an opened data directory.
type Dir struct {
	Path   string
	Config Config
	Signer *schema.Signer
}

func keyPath(dir string) string    { return filepath.Join(dir, "key") }
func configPath(dir string) string { return filepath.Join(dir, "config.json") }

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
