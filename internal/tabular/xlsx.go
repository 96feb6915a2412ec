package tabular

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits on unpacking a workbook: the whole package, and the part of a
// worksheet kept in memory (larger worksheets are streamed from a
// temporary file).
const (
	xlsxUnzipLimit    = 1 << 30
	xlsxInMemoryLimit = 16 << 20
)

type xlsxSource struct {
	f         *excelize.File
	rows      *excelize.Rows
	line      int
	date1904  bool
	totalRows int64
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0}
)

func newXLSXSource(r io.Reader, sheet string) (*xlsxSource, []string, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	switch {
	case bytes.Equal(magic, oleMagic):
		return nil, nil, errors.New("this is not an .xlsx workbook: it is an old Excel 97-2003 .xls file or a password-protected workbook; open it in Excel, remove any password and save it as .xlsx")
	case !bytes.Equal(magic, zipMagic):
		return nil, nil, errors.New("this is not an .xlsx workbook; if it is CSV text, name it .csv, otherwise open it in Excel and save it as .xlsx")
	}
	f, err := excelize.OpenReader(br, excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxInMemoryLimit})
	if err != nil {
		return nil, nil, fmt.Errorf("the .xlsx workbook cannot be opened (%v); open it in Excel and save it again as .xlsx", err)
	}
	s := &xlsxSource{f: f}
	warnings, err := s.open(sheet)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, warnings, nil
}

func (s *xlsxSource) open(sheet string) ([]string, error) {
	sheets := s.f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("the .xlsx workbook has no worksheet")
	}
	var warnings []string
	if sheet == "" {
		sheet = sheets[0]
		if len(sheets) > 1 {
			warnings = append(warnings, fmt.Sprintf("the workbook has %d sheets; only the first, «%s», is read", len(sheets), sheet))
		}
	} else if !slices.Contains(sheets, sheet) {
		return nil, fmt.Errorf("the workbook has no sheet «%s»; its sheets are %s", sheet, quoteAll(sheets))
	}
	if props, err := s.f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.date1904 = *props.Date1904
	}
	if dim, err := s.f.GetSheetDimension(sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, row, err := excelize.CellNameToCoordinates(last); err == nil {
				s.totalRows = int64(row)
			}
		}
	}
	rows, err := s.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet «%s» cannot be read (%v); open the workbook in Excel and save it again", sheet, err)
	}
	s.rows = rows
	return warnings, nil
}

func (s *xlsxSource) next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, fmt.Errorf("after row %d: %v; open the workbook in Excel and save it again", s.line, err)
		}
		return 0, nil, io.EOF
	}
	// Rows.Next steps through missing rows one by one, so counting calls
	// gives the row number.
	s.line++
	// Raw values: a date is its serial number, whatever display format
	// the clerk's Excel used, and numbers keep all their digits.
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, fmt.Errorf("row %d: %v; open the workbook in Excel and save it again", s.line, err)
	}
	return s.line, cells, nil
}

func (s *xlsxSource) close() error {
	var err error
	if s.rows != nil {
		err = s.rows.Close()
	}
	return errors.Join(err, s.f.Close())
}
