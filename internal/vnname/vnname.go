// Package vnname orders Vietnamese personal names the way registers list
// them: by given name, then middle names, then family name, under Vietnamese
// collation rules (a < ă < â, d < đ, tones after the base letter).
package vnname

import (
	"bytes"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Parts splits a full name into family, middle and given names.
func Parts(full string) (family, middle, given string) {
	f := strings.Fields(full)
	switch len(f) {
	case 0:
		return "", "", ""
	case 1:
		return "", "", f[0]
	}
	return f[0], strings.Join(f[1:len(f)-1], " "), f[len(f)-1]
}

// pool of collators: a Collator is not safe for concurrent use.
var pool = sync.Pool{New: func() any { return collate.New(language.Vietnamese) }}

// Compare orders two full names by given name, then middle, then family.
func Compare(a, b string) int {
	c := pool.Get().(*collate.Collator)
	defer pool.Put(c)
	fa, ma, ga := Parts(a)
	fb, mb, gb := Parts(b)
	if r := c.CompareString(ga, gb); r != 0 {
		return r
	}
	if r := c.CompareString(ma, mb); r != 0 {
		return r
	}
	return c.CompareString(fa, fb)
}

// Key is a full name's sort key: its given, middle and family names'
// collation keys. Comparing keys orders names as Compare does, without
// collating again at each comparison.
type Key [3][]byte

// KeyOf returns the sort key of a full name.
func KeyOf(full string) Key {
	c := pool.Get().(*collate.Collator)
	defer pool.Put(c)
	f, m, g := Parts(full)
	var buf collate.Buffer
	return Key{
		slices.Clone(c.KeyFromString(&buf, g)),
		slices.Clone(c.KeyFromString(&buf, m)),
		slices.Clone(c.KeyFromString(&buf, f)),
	}
}

// Compare orders k and o as Compare orders their names.
func (k Key) Compare(o Key) int {
	for i := range k {
		if r := bytes.Compare(k[i], o[i]); r != 0 {
			return r
		}
	}
	return 0
}

// Sort sorts s by the names name returns, as Compare orders them (stably),
// collating each name once: a sort of n names compares n log n times.
func Sort[T any](s []T, name func(T) string) {
	type keyed struct {
		k Key
		v T
	}
	ks := make([]keyed, len(s))
	for i, v := range s {
		ks[i] = keyed{KeyOf(name(v)), v}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return a.k.Compare(b.k) })
	for i := range ks {
		s[i] = ks[i].v
	}
}
