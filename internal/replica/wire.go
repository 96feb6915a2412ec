package replica

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"lienthong/schema"
)

// ProtocolID is the libp2p protocol of sync.
const ProtocolID = "/lienthong/sync/1"

// Request kinds.
const (
	KindPull   uint8 = 1
	KindFetch  uint8 = 2
	KindNotify uint8 = 3
	KindAck    uint8 = 4 // the client has applied everything up to Seq
)

// Limits of the protocol.
const (
	MaxFrame        = 8 << 20   // one frame on the wire
	batchBytes      = 512 << 10 // target size of a batch of ops
	batchOps        = 4096      // ops in one batch, at most
	MaxFetchLedgers = 1024      // ledgers asked for in one fetch
)

// ErrProtocol: the peer broke the protocol (as opposed to the stream
// breaking, which is routine when a peer goes offline).
var ErrProtocol = errors.New("sync protocol violation")

// errOverflow is what binary.ReadUvarint says of a varint over 64 bits.
var errOverflow = func() error {
	_, err := binary.ReadUvarint(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}))
	return err
}()

// Request asks a server for something.
type Request struct {
	Kind    uint8             `cbor:"1,keyasint"`
	From    uint64            `cbor:"2,keyasint,omitempty"`
	Ledgers []schema.LedgerID `cbor:"3,keyasint,omitempty"`
	Seq     uint64            `cbor:"4,keyasint,omitempty"`
	// Stake, in a pull: list the ledgers whose stakeholders grew to
	// include the client after this feed position (0: none; the client
	// holds nothing of the server's yet).
	Stake uint64 `cbor:"5,keyasint,omitempty"`
}

// Batch carries ops from server to client.
type Batch struct {
	Ops  [][]byte `cbor:"1,keyasint,omitempty"`
	Next uint64   `cbor:"2,keyasint,omitempty"` // feed position after this batch
	Head uint64   `cbor:"3,keyasint,omitempty"` // server's feed head when the pull began
	Done bool     `cbor:"4,keyasint,omitempty"`
	Err  string   `cbor:"5,keyasint,omitempty"`
	// Fetch, at the end of a pull: ledgers the client became a
	// stakeholder of, in the server's view, after the pull's Stake
	// position; the server skipped their earlier ops. Stake is the feed
	// position through which Fetch lists them all.
	Fetch []schema.LedgerID `cbor:"6,keyasint,omitempty"`
	Stake uint64            `cbor:"7,keyasint,omitempty"`
}

// writeFrame writes a length-prefixed CBOR frame.
func writeFrame(w *bufio.Writer, v any) (int, error) {
	b, err := schema.Marshal(v)
	if err != nil {
		return 0, err
	}
	if len(b) > MaxFrame {
		return 0, fmt.Errorf("frame of %d bytes over the %d limit", len(b), MaxFrame)
	}
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return 0, err
	}
	if _, err := w.Write(b); err != nil {
		return 0, err
	}
	return n + len(b), w.Flush()
}

// readFrame reads one frame into v, refusing frames over the limit.
func readFrame(r *bufio.Reader, v any) (int, error) {
	size, err := binary.ReadUvarint(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		if errors.Is(err, errOverflow) {
			return 0, fmt.Errorf("%w: frame header: %v", ErrProtocol, err)
		}
		return 0, fmt.Errorf("reading a frame: %w", err) // the stream broke
	}
	if size > MaxFrame {
		return 0, fmt.Errorf("%w: frame of %d bytes over the %d limit", ErrProtocol, size, MaxFrame)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return 0, fmt.Errorf("frame cut short: %w", err)
	}
	if err := schema.Unmarshal(b, v); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	return int(size) + binary.PutUvarint(make([]byte, binary.MaxVarintLen64), size), nil
}
