package tabular

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"lienthong/schema"
)

// Row is one member read from a register.
type Row struct {
	// Line is the 1-based row number as the clerk sees it in Excel: the
	// header is row 1 when it is the first line of the file.
	Line int
	// ID is the ledger ID from the id column, as 32 lowercase hex digits,
	// or "" for a member not yet in the registry.
	ID string
	// Fields holds the non-empty values by schema field name. Every value
	// passes schema.ValidateField and "name" is always present.
	Fields map[string]string
}

// RowError is one cell that could not be read.
type RowError struct {
	Line   int    // row number, as in Row.Line
	Column int    // 1-based column number (A is 1), or 0
	Field  string // schema field name, IDColumn, or "" when no field applies
	Label  string // the field's Vietnamese label, or ""
	Value  string // the cell as read, shortened when very long
	Reason string // what is wrong and what is wanted
}

func (e RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", e.Line)
	if e.Column > 0 {
		fmt.Fprintf(&b, ", column %s", colName(e.Column-1))
	}
	switch {
	case e.Field == IDColumn:
		b.WriteString(" (id)")
	case e.Label != "":
		fmt.Fprintf(&b, " «%s» (%s)", e.Label, e.Field)
	case e.Field != "":
		fmt.Fprintf(&b, " (%s)", e.Field)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// BadRowError reports a data row that was skipped because some of its
// cells are invalid. Reading can continue with the next call to Next.
type BadRowError struct {
	Line   int
	Errors []RowError // at least one, in column order
}

func (e *BadRowError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, re := range e.Errors {
		msgs[i] = re.Error()
	}
	return strings.Join(msgs, "; ")
}

// Progress tells how far reading has gone. A CSV file is measured in
// bytes; an .xlsx file, which is read whole when it is opened, in rows.
type Progress struct {
	Rows       int64 // number of the last row read, header included
	TotalRows  int64 // rows in an .xlsx sheet when the file says, else 0
	Bytes      int64 // bytes of CSV input consumed; 0 for .xlsx
	TotalBytes int64 // size of the CSV input when known, else 0
}

// Fraction returns the share of the input read, between 0 and 1, or -1
// when the total is not known.
func (p Progress) Fraction() float64 {
	var f float64
	switch {
	case p.TotalRows > 0:
		f = float64(p.Rows) / float64(p.TotalRows)
	case p.TotalBytes > 0:
		f = float64(p.Bytes) / float64(p.TotalBytes)
	default:
		return -1
	}
	return min(max(f, 0), 1)
}

// ReadOptions configure a Reader. The zero value reads the first worksheet
// and takes the input size from the reader when it can.
type ReadOptions struct {
	// Size is the input's size in bytes, for Progress. When zero it is
	// taken from the reader if that has a Stat method (*os.File) or a Size
	// method (*bytes.Reader, *strings.Reader).
	Size int64
	// Sheet names the worksheet to read from an .xlsx file; "" reads the
	// first one.
	Sheet string
}

// source yields the rows of a file as cells of text.
type source interface {
	// next returns the next row and its 1-based row number, or io.EOF.
	next() (line int, cells []string, err error)
	close() error
}

// Reader reads member rows from a register, one at a time. Next and Close
// must be called from one goroutine; Progress may be called from any.
type Reader struct {
	src      source
	date1904 bool
	targets  []headerTarget
	columns  []Column
	warnings []string
	extra    bool // warned about cells outside the header's columns
	err      error
	closed   bool

	line       atomic.Int64
	bytes      atomic.Int64
	totalRows  int64
	totalBytes int64
	wholeFile  bool // the input was read whole on opening: bytes tell nothing
}

// NewReader reads the header row of a register in format and returns a
// Reader for its data rows. A header that does not name the member's name
// column, or names a field twice, is an error wrapping ErrHeader. The
// caller must Close the Reader.
func NewReader(r io.Reader, format Format, opts ReadOptions) (*Reader, error) {
	rd := &Reader{totalBytes: opts.Size}
	if rd.totalBytes == 0 {
		rd.totalBytes = inputSize(r)
	}
	cr := &countingReader{r: r, n: &rd.bytes}
	switch format {
	case CSV:
		rd.src = newCSVSource(cr)
	case XLSX:
		s, warnings, err := newXLSXSource(cr, opts.Sheet)
		if err != nil {
			return nil, err
		}
		rd.src, rd.date1904, rd.totalRows = s, s.date1904, s.totalRows
		rd.wholeFile = true
		rd.warnings = warnings
	default:
		return nil, fmt.Errorf("unknown format %v; accepted formats are CSV and XLSX", format)
	}
	if err := rd.readHeader(); err != nil {
		rd.src.close()
		return nil, err
	}
	return rd, nil
}

func (r *Reader) readHeader() error {
	for {
		line, cells, err := r.src.next()
		if err == io.EOF {
			return fmt.Errorf("%w: the file has no rows; the first row must be the header, with column names such as «%s» and «%s»",
				ErrHeader, mustLabel("name"), mustLabel("born"))
		}
		var bad *BadRowError
		if errors.As(err, &bad) {
			return fmt.Errorf("%w (row %d): %s", ErrHeader, line, bad.Errors[0].Reason)
		}
		if err != nil {
			return err
		}
		r.line.Store(int64(line))
		if blank(cells) {
			continue
		}
		for _, c := range cells {
			if !utf8.ValidString(c) {
				return fmt.Errorf("%w (row %d): the text is not UTF-8; the file may be saved in an old encoding (Windows-1258, TCVN3, VNI): open it in Excel and save it as «CSV UTF-8» or .xlsx",
					ErrHeader, line)
			}
		}
		targets, columns, warnings, err := mapHeader(line, cells)
		if err != nil {
			return err
		}
		r.targets, r.columns = targets, columns
		r.warnings = append(r.warnings, warnings...)
		return nil
	}
}

// Columns describes the file's columns, in order.
func (r *Reader) Columns() []Column { return slices.Clone(r.columns) }

// Warnings returns notes about the file that do not stop reading, such as
// ignored columns. More may be added while reading; read them after Next
// has returned io.EOF.
func (r *Reader) Warnings() []string { return slices.Clone(r.warnings) }

// Progress reports how far reading has gone. It is safe to call from any
// goroutine, also while Next runs.
func (r *Reader) Progress() Progress {
	p := Progress{Rows: r.line.Load(), TotalRows: r.totalRows}
	if !r.wholeFile {
		p.Bytes, p.TotalBytes = r.bytes.Load(), r.totalBytes
	}
	return p
}

// Next returns the next data row. Blank rows are skipped. A row with
// invalid cells comes back as a *BadRowError and reading may go on; at the
// end Next returns io.EOF. Any other error is final and is returned again
// by later calls.
func (r *Reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	if r.closed {
		return Row{}, errors.New("tabular: Next called after Close")
	}
	for {
		line, cells, err := r.src.next()
		var bad *BadRowError
		if errors.As(err, &bad) {
			r.line.Store(int64(line))
			return Row{Line: line}, bad
		}
		if err != nil {
			r.err = err
			return Row{}, err
		}
		r.line.Store(int64(line))
		row, bad, ok := r.parse(line, cells)
		if !ok {
			continue
		}
		if bad != nil {
			return Row{Line: line}, bad
		}
		return row, nil
	}
}

// RowErrorOf places a field error found after a row was read (a check
// across its fields) in the row's cell for that field.
func (r *Reader) RowErrorOf(line int, fe *schema.FieldError) RowError {
	e := RowError{Line: line, Field: fe.Field, Value: shorten(fe.Value), Reason: fe.Reason}
	for i, c := range r.columns {
		if c.Field == fe.Field {
			e.Column = i + 1
			break
		}
	}
	if f, ok := schema.LookupField(fe.Field); ok {
		e.Label = f.Label
	}
	return e
}

// parse turns one row's cells into a Row. ok is false for a blank row.
func (r *Reader) parse(line int, cells []string) (row Row, bad *BadRowError, ok bool) {
	row = Row{Line: line, Fields: make(map[string]string)}
	var errs []RowError
	fail := func(col int, field, value, reason string) {
		e := RowError{Line: line, Column: col + 1, Field: field, Value: shorten(value), Reason: reason}
		if field != IDColumn {
			if f, known := schema.LookupField(field); known {
				e.Label = f.Label
			}
		}
		errs = append(errs, e)
	}
	nameBad := false
	for i, cell := range cells {
		if i >= len(r.targets) {
			if !r.extra && cleanValue(cell) != "" {
				r.extra = true
				r.warnings = append(r.warnings, fmt.Sprintf("row %d and maybe others have values in column %s, which has no header; they are ignored", line, colName(i)))
			}
			continue
		}
		t := r.targets[i]
		if t.kind == colIgnored || t.kind == colRowNumber {
			continue
		}
		field := t.field
		if t.kind == colID {
			field = IDColumn
		}
		if !utf8.ValidString(cell) {
			ok = true
			nameBad = nameBad || field == "name"
			fail(i, field, strings.ToValidUTF8(cell, "\ufffd"), "not UTF-8 text; save the file as «CSV UTF-8» or .xlsx")
			continue
		}
		v := cleanValue(cell)
		if v == "" {
			continue
		}
		ok = true
		if t.kind == colID {
			id, err := schema.ParseLedgerID(v)
			if err != nil {
				fail(i, IDColumn, v, "want the ledger ID as 32 hex digits (0-9, a-f), as exported; leave it empty for a new member")
				continue
			}
			row.ID = id.String()
			continue
		}
		nv, reason := normalize(field, v, r.date1904)
		if reason == "" {
			if err := schema.ValidateField(field, nv); err != nil {
				reason = fieldReason(err)
			}
		}
		if reason != "" {
			nameBad = nameBad || field == "name"
			fail(i, field, v, reason)
			continue
		}
		row.Fields[field] = nv
	}
	if !ok {
		return Row{}, nil, false
	}
	if _, has := row.Fields["name"]; !has && !nameBad {
		col := 0
		for i, c := range r.columns {
			if c.Field == "name" {
				col = i
			}
		}
		fail(col, "name", "", fieldReason(schema.ValidateField("name", "")))
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b RowError) int { return a.Column - b.Column })
		return Row{}, &BadRowError{Line: line, Errors: errs}, true
	}
	return row, nil, true
}

// Close releases the reader's resources (an .xlsx file's temporary files).
// It does not close the underlying io.Reader.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.src.close()
}

func blank(cells []string) bool {
	for _, c := range cells {
		if cleanValue(c) != "" {
			return false
		}
	}
	return true
}

// shorten keeps error messages readable when a cell holds a lot of text.
func shorten(s string) string {
	const limit = 80
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}

func inputSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return v.Size()
	}
	return 0
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
