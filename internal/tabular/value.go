package tabular

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"lienthong/schema"
)

// dateFields are the fields whose values are dates (schema.DateLayout).
var dateFields = map[string]bool{"born": true, "admitted": true, "full": true}

// digitWidths gives the width of identifiers made of digits, which Excel
// turns into numbers and so strips of their leading zeros.
var digitWidths = map[string]int{"card": 8, "citizen_id": 12}

// cleanValue trims white space (and stray zero-width spaces and byte order
// marks) and puts the text in Unicode NFC, so that the same Vietnamese
// letter typed with different input methods is stored the same way.
func cleanValue(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
	})
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return s
}

// normalize turns a cleaned, non-empty cell value into the form schema
// expects. It returns a reason when the value cannot be understood.
// Serial numbers in date fields count days in the 1904 date system when
// date1904 is set.
func normalize(field, v string, date1904 bool) (string, string) {
	switch {
	case dateFields[field]:
		return normalizeDate(v, date1904)
	case field == "sex":
		return normalizeSex(v)
	case field == "phone":
		v = integerText(v)
		// Vietnamese numbers start with 0; Excel drops it from a number cell.
		if len(v) == 9 && allDigits(v) && v[0] != '0' {
			v = "0" + v
		}
		return v, ""
	}
	if w, ok := digitWidths[field]; ok {
		v = integerText(v)
		if allDigits(v) && len(v) < w {
			v = strings.Repeat("0", w-len(v)) + v
		}
	}
	return v, ""
}

func normalizeSex(v string) (string, string) {
	switch fold(v) {
	case "nam", "m", "male":
		return schema.SexMale, ""
	case "nu", "f", "female":
		return schema.SexFemale, ""
	}
	return "", "want «Nam» or «Nữ» (M or F)"
}

var (
	reDMY    = regexp.MustCompile(`^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$`)
	reYMD    = regexp.MustCompile(`^([0-9]{4})[/.-]([0-9]{1,2})[/.-]([0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?Z?)?$`)
	reSerial = regexp.MustCompile(`^[0-9]{1,7}(?:\.[0-9]+)?$`)
)

const dateHint = "want a date such as 15/03/1970 (dd/mm/yyyy) or 1970-03-15"

// normalizeDate accepts dd/mm/yyyy (also with - or . and one-digit day or
// month), yyyy-mm-dd, both optionally followed by a time of day, and Excel
// date serial numbers, and returns the date as schema.DateLayout.
func normalizeDate(v string, date1904 bool) (string, string) {
	var y, m, d int
	if s := reDMY.FindStringSubmatch(v); s != nil {
		d, m, y = atoi(s[1]), atoi(s[2]), atoi(s[3])
	} else if s := reYMD.FindStringSubmatch(v); s != nil {
		y, m, d = atoi(s[1]), atoi(s[2]), atoi(s[3])
	} else if reSerial.MatchString(v) {
		n, _ := strconv.ParseFloat(v, 64)
		if n == math.Trunc(n) && n >= 1900 && n <= 2200 {
			return "", "only a year is given; " + dateHint
		}
		t, ok := serialToDate(n, date1904)
		if !ok {
			return "", "not a date; " + dateHint
		}
		return t.Format(schema.DateLayout), ""
	} else {
		return "", "not a date; " + dateHint
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", "no such day (check the day and the month); " + dateHint
	}
	return t.Format(schema.DateLayout), ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Excel counts days from 1899-12-30, except that it believes 1900 was a
// leap year: serials 1 to 59 are 1900-01-01 to 1900-02-28, 60 is the
// nonexistent 1900-02-29, and from 61 on the count is exact. Workbooks in
// the 1904 date system count from 1904-01-01 = 0.
var (
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxSerial is 9999-12-31.
const maxSerial = 2958465

// serialToDate converts an Excel date serial number to its day; the time
// of day is dropped.
func serialToDate(n float64, date1904 bool) (time.Time, bool) {
	if math.IsNaN(n) || n < 0 || n >= maxSerial+1 {
		return time.Time{}, false
	}
	days := int(n)
	if date1904 {
		return epoch1904.AddDate(0, 0, days), true
	}
	switch {
	case days < 1 || days == 60:
		return time.Time{}, false
	case days < 60:
		days++
	}
	return epoch1900.AddDate(0, 0, days), true
}

// dateToSerial is the inverse of serialToDate for the 1900 date system.
func dateToSerial(t time.Time) int {
	days := int((t.Unix() - epoch1900.Unix()) / 86400)
	if days <= 60 {
		days--
	}
	return days
}

// integerText rewrites a number that Excel stored as a float, such as
// "1.23456789012E+11" or "1234567.0", as plain digits. Anything else is
// returned unchanged.
func integerText(v string) string {
	if !strings.ContainsAny(v, ".eE") {
		return v
	}
	for _, r := range v {
		if !strings.ContainsRune("0123456789.eE+", r) {
			return v
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f >= 1e15 {
		return v
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fieldReason describes why schema rejected a value.
func fieldReason(err error) string {
	var fe *schema.FieldError
	if errors.As(err, &fe) {
		return fe.Reason
	}
	return fmt.Sprint(err)
}

func parseDate(v string) (time.Time, error) { return time.Parse(schema.DateLayout, v) }
