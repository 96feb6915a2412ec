package tabular

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is a register file format.
type Format int

// Formats.
const (
	CSV  Format = iota + 1 // delimited text: UTF-8 (BOM optional) or UTF-16 with BOM
	XLSX                   // Office Open XML workbook
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "CSV"
	case XLSX:
		return "XLSX"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf returns the format of the file called name, from its extension.
func FormatOf(name string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".csv":
		return CSV, nil
	case ".xlsx":
		return XLSX, nil
	}
	const accepted = "accepted formats are .csv (CSV UTF-8) and .xlsx (Excel workbook)"
	switch ext {
	case "":
		return 0, fmt.Errorf("%s: the file name has no extension; %s", name, accepted)
	case ".xls":
		return 0, fmt.Errorf("%s: old Excel 97-2003 .xls files cannot be read; open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8", name)
	case ".txt", ".tsv":
		return 0, fmt.Errorf("%s: %s files are not read; %s (a tab-separated or Unicode text export from Excel can be read after renaming it to .csv)", name, ext, accepted)
	}
	return 0, fmt.Errorf("%s: %s files are not supported; %s", name, ext, accepted)
}
