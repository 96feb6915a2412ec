// Package tabular reads and writes clerks' member registers as CSV and .xlsx
// files, for the import and export commands.
//
// A register is a table whose first non-blank row is the header. Headers are
// matched to schema fields by field name, Vietnamese label or alias, ignoring
// case, surrounding spaces and diacritics; an optional "STT" column is ignored
// and an optional "id" column carries the ledger ID. Cell values are
// normalised the way clerks' files need (dates, sex words, numbers that lost
// their leading zeros in Excel) and then validated with schema.ValidateField.
//
// Invariants:
//   - Every Row returned by Reader.Next has a name and only values that pass
//     schema.ValidateField; an ID, when present, is 32 lowercase hex digits.
//   - A row with any invalid value is never returned as a Row: it comes back
//     as a *BadRowError naming each bad cell, and reading can continue.
//   - Reading streams: memory does not grow with the number of rows. An
//     .xlsx file is held in memory whole, its worksheet is not expanded; a
//     CSV row is held whole, so a quote that is never closed pulls the rest
//     of the file into one (reported) row.
//   - What Writer writes, Reader reads back with the same IDs and fields.
//   - No input makes the package panic.
//
// The .xlsx support uses github.com/xuri/excelize/v2 because it is the
// maintained Go library for .xlsx, with streaming reading and streaming
// writing of files that Excel and LibreOffice open.
package tabular
