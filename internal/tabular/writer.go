package tabular

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"lienthong/schema"
)

// SheetName is the worksheet Writer creates in an .xlsx file.
const SheetName = "Danh sách đảng viên"

// WriteOptions configure a Writer. The zero value writes every field with
// a comma as the CSV separator.
type WriteOptions struct {
	// Fields are the columns written after the id and STT columns, as
	// schema field names in order; nil means every field in schema order.
	Fields []string
	// Comma is the CSV separator: ',' (the default), ';' or '\t'.
	Comma rune
}

func (o WriteOptions) validate() error {
	seen := make(map[string]bool, len(o.Fields))
	for _, f := range o.Fields {
		if _, ok := schema.LookupField(f); !ok {
			return fmt.Errorf("unknown field %q; known fields: %v", f, schema.FieldNames())
		}
		if seen[f] {
			return fmt.Errorf("field %q listed twice", f)
		}
		seen[f] = true
	}
	switch o.Comma {
	case 0, ',', ';', '\t':
		return nil
	}
	return fmt.Errorf("CSV separator %q not supported; use ',', ';' or tab", o.Comma)
}

// Writer writes member rows as a register: a header row of the id column,
// an STT (row number) column and the fields' Vietnamese labels, then one
// row per member. Reader reads the file back to the same IDs and fields.
//
// CSV is written as UTF-8 with a byte order mark, so that Excel shows the
// diacritics, and values that a spreadsheet would run as a formula (those
// starting with = + - @) get a leading apostrophe, which Reader removes.
//
// An .xlsx file has one sheet, SheetName, with a bold frozen header, text
// cells for identifiers and phone numbers, and real dates shown as
// dd/mm/yyyy. Its rows are streamed to a temporary file and the workbook is
// written to the io.Writer by Close. Control characters that XML cannot
// hold are written as U+FFFD.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	format Format
	fields []string
	out    io.Writer
	n      int // data rows written
	err    error
	closed bool

	bw  *bufio.Writer
	csv *csv.Writer

	xf        *excelize.File
	sw        *excelize.StreamWriter
	dateStyle int
	textStyle int
	cells     []any
}

// NewWriter writes the header row to w in format.
func NewWriter(w io.Writer, format Format, opts WriteOptions) (*Writer, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	fields := opts.Fields
	if fields == nil {
		fields = schema.FieldNames()
	}
	wr := &Writer{format: format, fields: fields, out: w}
	header := make([]string, 0, len(fields)+2)
	header = append(header, IDColumn, RowNumberHeader)
	for _, f := range fields {
		header = append(header, mustLabel(f))
	}
	switch format {
	case CSV:
		wr.bw = bufio.NewWriter(w)
		wr.bw.WriteString("\uFEFF")
		wr.csv = csv.NewWriter(wr.bw)
		if opts.Comma != 0 {
			wr.csv.Comma = opts.Comma
		}
		wr.csv.UseCRLF = true
		if err := wr.csv.Write(header); err != nil {
			return nil, err
		}
	case XLSX:
		if err := wr.startXLSX(header); err != nil {
			wr.xf.Close()
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown format %v; accepted formats are CSV and XLSX", format)
	}
	return wr, nil
}

// Column widths in characters, for the fields that need other than the
// default.
var colWidths = map[string]float64{
	IDColumn: 34, RowNumberHeader: 6,
	"name": 26, "sex": 9, "born": 12, "birthplace": 24, "hometown": 24,
	"citizen_id": 15, "address": 36, "temp_address": 36, "phone": 14,
	"occupation": 18, "workplace": 28, "card": 12, "profile": 12,
	"register_line": 10, "admitted": 12, "full": 12,
}

const defaultColWidth = 16

func (w *Writer) startXLSX(header []string) error {
	w.xf = excelize.NewFile()
	if err := w.xf.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	bold, err := w.xf.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	dateFmt := "dd/mm/yyyy"
	if w.dateStyle, err = w.xf.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	if w.textStyle, err = w.xf.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": text
		return err
	}
	if w.sw, err = w.xf.NewStreamWriter(SheetName); err != nil {
		return err
	}
	names := append([]string{IDColumn, RowNumberHeader}, w.fields...)
	for i, name := range names {
		width, ok := colWidths[name]
		if !ok {
			width = defaultColWidth
		}
		if err := w.sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
		// Column styles keep what a clerk types later as text or as a date.
		if style := w.styleOf(name); style != 0 {
			if err := w.sw.SetColStyle(i+1, i+1, style); err != nil {
				return err
			}
		}
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	w.cells = make([]any, len(header))
	return w.sw.SetRow("A1", row, excelize.RowOpts{Height: 32})
}

func (w *Writer) styleOf(name string) int {
	switch {
	case dateFields[name]:
		return w.dateStyle
	case name == IDColumn || name == "phone" || name == "profile" || name == "register_line":
		return w.textStyle
	}
	if _, ok := digitWidths[name]; ok {
		return w.textStyle
	}
	return 0
}

// Write writes one row. Row.Line is ignored; fields not among the
// Writer's columns are left out.
func (w *Writer) Write(row Row) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("tabular: Write called after Close")
	}
	if row.ID != "" {
		if _, err := schema.ParseLedgerID(row.ID); err != nil {
			return err
		}
	}
	w.n++
	switch w.format {
	case CSV:
		rec := make([]string, 0, len(w.fields)+2)
		rec = append(rec, row.ID, strconv.Itoa(w.n))
		for _, f := range w.fields {
			rec = append(rec, escapeCell(row.Fields[f]))
		}
		w.err = w.csv.Write(rec)
	case XLSX:
		w.err = w.writeXLSX(row)
	}
	return w.err
}

func (w *Writer) writeXLSX(row Row) error {
	cells := w.cells
	clear(cells)
	if row.ID != "" {
		cells[0] = excelize.Cell{StyleID: w.textStyle, Value: row.ID}
	}
	cells[1] = w.n
	for i, f := range w.fields {
		v, ok := row.Fields[f]
		if !ok || v == "" {
			continue
		}
		style := w.styleOf(f)
		if dateFields[f] {
			if t, err := parseDate(v); err == nil {
				cells[i+2] = excelize.Cell{StyleID: style, Value: dateToSerial(t)}
				continue
			}
			style = 0 // not a date: keep the text as it is
		}
		if !utf8.ValidString(v) {
			v = string([]rune(v))
		}
		cells[i+2] = excelize.Cell{StyleID: style, Value: v}
	}
	cell, err := excelize.CoordinatesToCellName(1, w.n+1)
	if err != nil {
		return fmt.Errorf("too many rows for one sheet: %w", err)
	}
	return w.sw.SetRow(cell, cells)
}

// Close finishes the file: it flushes CSV, or writes the whole .xlsx
// workbook to the io.Writer. It does not close that io.Writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	switch w.format {
	case CSV:
		w.csv.Flush()
		if err := w.csv.Error(); err != nil && w.err == nil {
			w.err = err
		}
		if err := w.bw.Flush(); err != nil && w.err == nil {
			w.err = err
		}
	case XLSX:
		if w.err == nil {
			w.err = w.sw.Flush()
		}
		if w.err == nil {
			_, w.err = w.xf.WriteTo(w.out)
		}
		if err := w.xf.Close(); err != nil && w.err == nil {
			w.err = err
		}
	}
	return w.err
}
