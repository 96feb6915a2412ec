// Package vnname orders Vietnamese personal names the way registers list
// them: by given name, then middle names, then family name, under Vietnamese
// collation rules (a < ă < â, d < đ, tones after the base letter).
package vnname

import (
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
