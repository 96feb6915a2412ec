package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// Date arithmetic agrees with the time package over four centuries.
func TestDateAgreesWithTime(t *testing.T) {
	start := time.Date(1800, time.January, 1, 0, 0, 0, 0, time.UTC)
	base := DateOf(start)
	for i := 0; i < 146097; i++ {
		tm := start.AddDate(0, 0, i)
		d := DateOf(tm)
		if got := base.AddDays(i); got != d {
			t.Fatalf("AddDays(%d) = %s, want %s", i, got, d)
		}
		if got := d.Sub(base); got != i {
			t.Fatalf("%s.Sub(%s) = %d, want %d", d, base, got, i)
		}
		if got := d.Weekday(); got != tm.Weekday() {
			t.Fatalf("%s.Weekday() = %s, want %s", d, got, tm.Weekday())
		}
		if !d.IsValid() || !d.Time().Equal(tm) {
			t.Fatalf("%s: IsValid %v, Time %s", d, d.IsValid(), d.Time())
		}
	}
}

func TestDateNormalises(t *testing.T) {
	for _, tc := range []struct{ in, want Date }{
		{date(2023, time.February, 29), date(2023, time.March, 1)},
		{date(2024, time.February, 30), date(2024, time.March, 1)},
		{date(2024, 13, 1), date(2025, time.January, 1)},
		{date(2024, 0, 31), date(2023, time.December, 31)},
		{date(2024, 27, 1), date(2026, time.March, 1)},
		{date(2024, -10, 1), date(2023, time.February, 1)},
	} {
		if got := tc.in.AddDays(0); got != tc.want {
			t.Errorf("%+v.AddDays(0) = %s, want %s", tc.in, got, tc.want)
		}
		if tc.in.IsValid() {
			t.Errorf("%+v.IsValid() = true", tc.in)
		}
	}
}

func TestParse(t *testing.T) {
	want := date(2024, time.March, 5)
	for _, s := range []string{"2024-03-05", "05/03/2024", "5/3/2024", "05-03-2024", "5.3.2024", " 05/03/2024 "} {
		got, err := Parse(s)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %s, %v; want %s", s, got, err, want)
		}
	}
	for _, s := range []string{
		"", "2024-3-5", "2024/03/05", "05/03/24", "05/03-2024", "32/01/2024",
		"29/02/2023", "2023-02-29", "0/1/2024", "1/13/2024", "a5/03/2024",
		"005/03/2024", "2024-03-05T00:00:00Z", "+5/3/2024",
	} {
		if got, err := Parse(s); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("Parse(%q) = %s, %v; want ErrInvalidDate", s, got, err)
		}
	}
	if _, err := ParseISO("05/03/2024"); err == nil {
		t.Error("ParseISO accepted dd/mm/yyyy")
	}
	if _, err := ParseDMY("2024-03-05"); err == nil {
		t.Error("ParseDMY accepted yyyy-mm-dd")
	}
}

func TestFormat(t *testing.T) {
	d := date(2026, time.February, 7)
	if got := d.String(); got != "2026-02-07" {
		t.Errorf("String() = %q", got)
	}
	if got := d.FormatDMY(); got != "07/02/2026" {
		t.Errorf("FormatDMY() = %q", got)
	}
}

func TestDateText(t *testing.T) {
	type rec struct {
		Issued Date `json:"issued"`
		Due    Date `json:"due"`
	}
	in := rec{Issued: date(2026, time.February, 10)}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"issued":"2026-02-10","due":""}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var out rec
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("Unmarshal = %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"issued":"10/02/2026"}`), &out); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("Unmarshal of dd/mm/yyyy: %v, want ErrInvalidDate", err)
	}
	if _, err := json.Marshal(rec{Issued: date(2026, time.February, 30)}); err == nil {
		t.Error("Marshal of 30 February succeeded")
	}
}

func TestCompare(t *testing.T) {
	a, b := date(2025, time.December, 31), date(2026, time.January, 1)
	if !a.Before(b) || a.After(b) || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Errorf("Compare(%s, %s) wrong", a, b)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2024-03-05", "5/3/2024", "31.12.1999", "", "//", "2024-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if !d.IsValid() {
			t.Fatalf("Parse(%q) = %+v, not valid", s, d)
		}
		if e, err := Parse(d.String()); err != nil || e != d {
			t.Fatalf("Parse(%q) = %s, %v", d.String(), e, err)
		}
		if e, err := Parse(d.FormatDMY()); err != nil || e != d {
			t.Fatalf("Parse(%q) = %s, %v", d.FormatDMY(), e, err)
		}
	})
}
