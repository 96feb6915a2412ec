package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalidDate is wrapped by every error returned for text that is not a
// valid date.
var ErrInvalidDate = errors.New("calendar: invalid date")

// Date is a civil date in the proleptic Gregorian calendar: a day on the wall
// calendar, with no time of day and no time zone. The zero Date is not a valid
// date; IsZero reports it.
//
// Valid dates are canonical, so == compares them. Functions of this package
// that take a Date normalise an out-of-range field the way time.Date does
// (30 February is read as 1 or 2 March); use IsValid to reject such input.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the Date for year, month and day, unvalidated.
func NewDate(year int, month time.Month, day int) Date {
	return Date{Year: year, Month: month, Day: day}
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a real day between years 1 and 9999.
func (d Date) IsValid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

// AddDays returns the date n days after d (before d when n is negative).
func (d Date) AddDays(n int) Date { return fromDayNumber(d.dayNumber() + n) }

// Sub returns the number of days from e to d: d == e.AddDays(d.Sub(e)).
func (d Date) Sub(e Date) int { return d.dayNumber() - e.dayNumber() }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.dayNumber()) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.dayNumber(), e.dayNumber()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// String formats d as YYYY-MM-DD (ISO 8601), the form used in data.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// FormatDMY formats d as dd/mm/yyyy, the form Vietnamese readers expect.
func (d Date) FormatDMY() string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// MarshalText encodes d as YYYY-MM-DD, and the zero Date as empty text.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.IsValid() {
		return nil, fmt.Errorf("%w: %04d-%02d-%02d", ErrInvalidDate, d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes YYYY-MM-DD; empty text decodes to the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseISO(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Parse reads a date written either as YYYY-MM-DD or as dd/mm/yyyy (see
// ParseDMY). Surrounding spaces are ignored.
func Parse(s string) (Date, error) {
	t := strings.TrimSpace(s)
	if len(t) > 4 && t[4] == '-' {
		return ParseISO(t)
	}
	return ParseDMY(t)
}

// ParseISO reads exactly YYYY-MM-DD.
func ParseISO(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, parseError(s, "yyyy-mm-dd")
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, parseError(s, "yyyy-mm-dd")
	}
	return checked(s, y, m, d)
}

// ParseDMY reads day/month/year as Vietnamese documents write it: a one- or
// two-digit day and month and a four-digit year, separated by '/', '-' or '.'
// used consistently ("05/03/2024", "5/3/2024", "05.03.2024").
func ParseDMY(s string) (Date, error) {
	sep := strings.IndexAny(s, "/-.")
	if sep < 0 {
		return Date{}, parseError(s, "dd/mm/yyyy")
	}
	parts := strings.Split(s, s[sep:sep+1])
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 ||
		len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return Date{}, parseError(s, "dd/mm/yyyy")
	}
	d, ok1 := digits(parts[0])
	m, ok2 := digits(parts[1])
	y, ok3 := digits(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, parseError(s, "dd/mm/yyyy")
	}
	return checked(s, y, m, d)
}

func checked(s string, y, m, d int) (Date, error) {
	v := Date{Year: y, Month: time.Month(m), Day: d}
	if !v.IsValid() {
		return Date{}, fmt.Errorf("%w: %q is not a day of the calendar", ErrInvalidDate, s)
	}
	return v, nil
}

func parseError(s, layout string) error {
	return fmt.Errorf("%w: %q, want %s", ErrInvalidDate, s, layout)
}

// digits parses a non-empty string of ASCII digits.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeapYear(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// dayNumber returns the Julian day number of d (the day count used by the
// astronomical formulas; 2000-01-01 is 2451545). Out-of-range months and days
// are carried into the year and month as time.Date does.
func (d Date) dayNumber() int {
	y, m := d.Year, int(d.Month)-1
	y += floorDiv(m, 12)
	m = m - 12*floorDiv(m, 12) + 1
	return julianDay(y, m, 1) + d.Day - 1
}

// julianDay is the standard Gregorian formula for 1 ≤ m ≤ 12.
func julianDay(y, m, d int) int {
	a := (14 - m) / 12
	yy := y + 4800 - a
	mm := m + 12*a - 3
	return d + (153*mm+2)/5 + 365*yy + floorDiv(yy, 4) - floorDiv(yy, 100) + floorDiv(yy, 400) - 32045
}

// fromDayNumber inverts dayNumber for the Gregorian calendar.
func fromDayNumber(j int) Date {
	a := j + 32044
	b := floorDiv(4*a+3, 146097)
	c := a - floorDiv(146097*b, 4)
	d := (4*c + 3) / 1461
	e := c - 1461*d/4
	m := (5*e + 2) / 153
	return Date{
		Year:  100*b + d - 4800 + m/10,
		Month: time.Month(m + 3 - 12*(m/10)),
		Day:   e - (153*m+2)/5 + 1,
	}
}

func weekdayOf(j int) time.Weekday { return time.Weekday((j%7 + 8) % 7) }

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
