// Package schema owns the bytes of lienthong: the wire and storage types, the
// one canonical CBOR encoding and the one strict decoder, op kinds and their
// bodies, field validation, and the authorisation policy table.
//
// Invariants:
//   - Every signed byte string is produced by EncMode (core deterministic
//     encoding) and never re-encoded: an op's ID is the SHA-256 of its signed
//     bytes exactly as they were received, and those bytes are what is stored
//     and forwarded.
//   - DecMode rejects duplicate map keys, indefinite lengths, invalid UTF-8,
//     unknown struct fields and oversized items; decoding never panics on
//     hostile input.
//   - schema does no I/O and keeps no state beyond the immutable modes built
//     at package initialisation.
package schema
