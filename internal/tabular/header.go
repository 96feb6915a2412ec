package tabular

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"lienthong/schema"
)

// IDColumn is the header of the ledger ID column, and the Column.Field of
// that column.
const IDColumn = "id"

// RowNumberHeader is the header of the row-number column Writer writes.
const RowNumberHeader = "STT"

// ErrHeader is wrapped by every error about the header row.
var ErrHeader = errors.New("bad header row")

// Column describes one column of the file being read.
type Column struct {
	Header string // as written in the file
	// Field is the schema field the column fills, IDColumn for the ledger ID
	// column, or "" for a column that is ignored (row numbers, unknown or
	// empty headers).
	Field string
}

type colKind int

const (
	colIgnored colKind = iota
	colRowNumber
	colID
	colField
)

type headerTarget struct {
	kind  colKind
	field string // for colField
}

// rowNumberHeaders are spellings of the row-number column, folded.
var rowNumberHeaders = []string{"stt", "số tt", "số thứ tự", "tt", "no", "no."}

// headerIndex maps folded header spellings to what they name.
var headerIndex = buildHeaderIndex()

func buildHeaderIndex() map[string]headerTarget {
	m := make(map[string]headerTarget)
	add := func(s string, t headerTarget) {
		k := fold(s)
		if _, ok := m[k]; !ok { // first spelling wins; TestHeaderIndexUnambiguous guards
			m[k] = t
		}
	}
	for _, f := range schema.Fields {
		t := headerTarget{kind: colField, field: f.Name}
		add(f.Name, t)
		add(f.Label, t)
		for _, a := range f.Aliases {
			add(a, t)
		}
	}
	add(IDColumn, headerTarget{kind: colID})
	add("ledger id", headerTarget{kind: colID})
	for _, s := range rowNumberHeaders {
		add(s, headerTarget{kind: colRowNumber})
	}
	return m
}

// fold reduces a header or word to a comparison key: lower case, without
// diacritics (đ becomes d), with runs of white space made one space and
// surrounding space removed.
func fold(s string) string {
	if isASCII(s) {
		return strings.Join(strings.Fields(strings.ToLower(s)), " ")
	}
	s = strings.Map(func(r rune) rune {
		if r == 'đ' || r == 'Đ' {
			return 'd'
		}
		return r
	}, s)
	// A transformer keeps state, so each call builds its own.
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if out, _, err := transform.String(t, s); err == nil {
		s = out
	}
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// lookupHeader finds what a header names. Besides the exact spellings it
// accepts a header followed by a note in parentheses or marked with "*" or
// ":", as in "Ngày sinh (dd/mm/yyyy)" or "Họ và tên *".
func lookupHeader(h string) (headerTarget, bool) {
	k := fold(h)
	if t, ok := headerIndex[k]; ok {
		return t, true
	}
	loose := k
	if i := strings.IndexByte(loose, '('); i > 0 && strings.HasSuffix(loose, ")") {
		loose = loose[:i]
	}
	loose = strings.TrimSpace(strings.TrimRight(loose, "*:. "))
	if loose != k {
		t, ok := headerIndex[loose]
		return t, ok
	}
	return headerTarget{}, false
}

// colName returns the spreadsheet name of the 0-based column i: A, B, …, AA.
func colName(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprintf("#%d", i+1)
	}
	return s
}

// mapHeader maps the header row's cells to columns. line is the header's
// row number, for messages.
func mapHeader(line int, cells []string) ([]headerTarget, []Column, []string, error) {
	targets := make([]headerTarget, len(cells))
	cols := make([]Column, len(cells))
	seen := make(map[string]int) // field or IDColumn → column index
	var unknown []string
	for i, c := range cells {
		h := cleanValue(c)
		cols[i].Header = h
		if h == "" {
			continue
		}
		t, ok := lookupHeader(h)
		if !ok {
			unknown = append(unknown, fmt.Sprintf("%s «%s»", colName(i), h))
			continue
		}
		var key string
		switch t.kind {
		case colRowNumber:
			targets[i] = t
			continue
		case colID:
			key = IDColumn
		case colField:
			key = t.field
		}
		if j, dup := seen[key]; dup {
			return nil, nil, nil, fmt.Errorf("%w (row %d): columns %s «%s» and %s «%s» both give %s; delete or rename one of them",
				ErrHeader, line, colName(j), cols[j].Header, colName(i), h, describeField(key))
		}
		seen[key] = i
		targets[i] = t
		cols[i].Field = key
	}
	if _, ok := seen["name"]; !ok {
		return nil, nil, nil, fmt.Errorf("%w (row %d): no column for the member's name; the first row must be the header row, with a column headed «%s» (also accepted: %s)",
			ErrHeader, line, mustLabel("name"), quoteAll(nameSpellings()))
	}
	var warnings []string
	if len(unknown) > 0 {
		warnings = append(warnings, fmt.Sprintf("ignored columns with unknown headers: %s; rename them to a field label such as «%s» to import them",
			strings.Join(unknown, ", "), mustLabel("born")))
	}
	return targets, cols, warnings, nil
}

// describeField names a field for messages: its Vietnamese label and its
// identifier.
func describeField(name string) string {
	if name == IDColumn {
		return "the ledger ID (id)"
	}
	return fmt.Sprintf("«%s» (%s)", mustLabel(name), name)
}

func mustLabel(name string) string {
	if f, ok := schema.LookupField(name); ok {
		return f.Label
	}
	return name
}

func nameSpellings() []string {
	f, _ := schema.LookupField("name")
	return append([]string{f.Name}, f.Aliases...)
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "«" + s + "»"
	}
	return strings.Join(q, ", ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
