// Package sample generates realistic sample data for the demo, the tests and
// the benchmarks: a committee tree (a province or district office, communes
// and wards, workplace grassroots committees, cells) and party members with
// every record field of schema.Fields filled in the way clerks' registers
// fill them.
//
// Invariants:
//   - Generation is pure: no I/O, no clock, no global random source.
//     Everything derives from the seed and the options, through math/rand/v2
//     PCG sources, so the same seed and options always give the same output
//     and different seeds give different output.
//   - Every generated field value passes schema.ValidateField; a field with
//     no value (a probationary member's card, an unused temporary address) is
//     absent from Member.Fields rather than present and empty.
//   - A tree lists committees in charter order: a parent always precedes its
//     children, and a child's level comes after its parent's in
//     schema.DefaultLevels.
//   - Card numbers are unique within one generation (up to 100 million
//     members); citizen IDs are plausible but not guaranteed unique.
//   - EachMember streams: its memory does not grow with the number of
//     members, so it can feed million-member benchmarks.
//
// The data is invented. Names are drawn with the frequencies of Vietnamese
// family names, places are made from common place-name syllables, and any
// resemblance to a real person is chance.
package sample
