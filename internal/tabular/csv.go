package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// peekSize bounds the text examined to choose the separator.
const peekSize = 64 << 10

type csvSource struct {
	cr     *csv.Reader
	offset int // lines before the CSV data (a "sep=" line)
	extra  int // line breaks inside quoted cells so far
}

// newCSVSource decodes UTF-8 (with or without a byte order mark) or UTF-16
// with a byte order mark, and picks the separator (comma, semicolon or tab)
// that occurs most often in the first line, unless a "sep=" line names it.
func newCSVSource(r io.Reader) *csvSource {
	br := bufio.NewReaderSize(r, peekSize)
	text := br
	bom, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}):
		text = bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), peekSize)
	case bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		text = bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), peekSize)
	}
	// A read error here comes back from the first Read of the CSV reader.
	head, _ := text.Peek(peekSize)
	s := &csvSource{}
	comma, skip := detectComma(head)
	if skip > 0 {
		text.Discard(skip)
		s.offset = 1
	}
	s.cr = csv.NewReader(text)
	s.cr.Comma = comma
	s.cr.FieldsPerRecord = -1
	s.cr.ReuseRecord = true
	return s
}

// Quotes are strict, so that a stray quote is reported on its row rather
// than silently joining the rows after it into one cell.
//
// detectComma returns the separator for the text that begins with head,
// and the length of a leading "sep=X" line to skip (as Excel writes it).
func detectComma(head []byte) (rune, int) {
	if len(head) >= 5 && strings.EqualFold(string(head[:4]), "sep=") {
		c := rune(head[4])
		rest := head[5:]
		n := 5
		if bytes.HasPrefix(rest, []byte("\r\n")) {
			n += 2
		} else if bytes.HasPrefix(rest, []byte("\n")) {
			n++
		} else if len(rest) > 0 {
			c = 0
		}
		if c == ',' || c == ';' || c == '\t' || c == '|' {
			return c, n
		}
	}
	candidates := []rune{',', ';', '\t'}
	counts := make(map[rune]int)
	inQuote, started := false, false
scan:
	for _, b := range head {
		switch {
		case b == '"':
			inQuote = !inQuote
		case inQuote:
		case b == '\n' || b == '\r':
			if started {
				break scan
			}
		case b == ',' || b == ';' || b == '\t':
			counts[rune(b)]++
		}
		if b != '\n' && b != '\r' {
			started = true
		}
	}
	best := candidates[0]
	for _, c := range candidates[1:] {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best, 0
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return 0, nil, err
		}
		// The reader resumes at the next line, so only this row is lost,
		// unless an opening quote is never closed and the rest of the file
		// went into this row.
		line := pe.StartLine + s.offset - s.extra
		return line, nil, &BadRowError{Line: line, Errors: []RowError{{
			Line:   line,
			Reason: fmt.Sprintf("the quotes (\") in this row are unbalanced (%v, at line %d of the text); put a value that contains quotes, commas or line breaks inside quotes and double its own quotes, or save the file again from Excel; if the rows after it are missing, a quote opened here is never closed", pe.Err, pe.Line+s.offset),
		}}}
	}
	line, _ := s.cr.FieldPos(0)
	line += s.offset - s.extra
	for i, c := range rec {
		s.extra += strings.Count(c, "\n")
		rec[i] = unescapeCell(c)
	}
	return line, rec, nil
}

func (s *csvSource) close() error { return nil }

// Spreadsheets run a cell that starts with one of these as a formula, so
// Writer puts an apostrophe before such values in CSV (and before values
// starting with an apostrophe, so that the escape can be undone exactly).
const formulaStart = "=+-@'"

func escapeCell(v string) string {
	if v != "" && strings.IndexByte(formulaStart, v[0]) >= 0 {
		return "'" + v
	}
	return v
}

func unescapeCell(v string) string {
	if len(v) >= 2 && v[0] == '\'' && strings.IndexByte(formulaStart, v[1]) >= 0 {
		return v[1:]
	}
	return v
}
