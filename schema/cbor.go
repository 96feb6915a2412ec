package schema

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Limits on what the decoder accepts. They bound the memory a hostile peer can
// make a node allocate for one message.
const (
	MaxEnvelopeSize = 64 << 10 // one signed op, body included
	MaxDeps         = 64       // causal dependencies of one op
	MaxFieldValue   = 1024     // bytes in one record field value
	MaxFields       = 64       // fields written by one op
	maxNested       = 8
	maxItems        = 4096
)

var (
	encMode      cbor.EncMode
	decMode      cbor.DecMode
	stateDecMode cbor.DecMode
)

func init() {
	var err error
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(fmt.Sprintf("schema: building CBOR encode mode: %v", err))
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		UTF8:              cbor.UTF8RejectInvalid,
		MaxNestedLevels:   maxNested,
		MaxArrayElements:  maxItems,
		MaxMapPairs:       maxItems,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("schema: building CBOR decode mode: %v", err))
	}
	// Stored state is written by this node but grows with a ledger's life
	// (decades of meetings), so its limits are wider than a message's.
	stateDecMode, err = cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		UTF8:             cbor.UTF8RejectInvalid,
		MaxNestedLevels:  16,
		MaxArrayElements: 1 << 24,
		MaxMapPairs:      1 << 24,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("schema: building CBOR state decode mode: %v", err))
	}
}

// UnmarshalState decodes state this node stored (wider limits than messages).
func UnmarshalState(data []byte, v any) error {
	if fastUnmarshal(data, v) {
		return nil
	}
	return stateDecMode.Unmarshal(data, v)
}

// Marshal encodes v canonically (RFC 8949 core deterministic encoding).
func Marshal(v any) ([]byte, error) {
	if b, ok := fastMarshal(v); ok {
		return b, nil
	}
	return encMode.Marshal(v)
}

// Unmarshal decodes data strictly into v. It rejects trailing bytes.
func Unmarshal(data []byte, v any) error {
	if fastUnmarshal(data, v) {
		return nil
	}
	return decMode.Unmarshal(data, v)
}
