package sample

import (
	"testing"
	"time"
)

func TestCivilDays(t *testing.T) {
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2210; d = d.AddDate(0, 0, 1) {
		want := int(d.Sub(epoch).Hours() / 24)
		if got := daysFromCivil(d.Year(), int(d.Month()), d.Day()); got != want {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", d.Format(time.DateOnly), got, want)
		}
		y, m, dd := civilFromDays(want)
		if y != d.Year() || m != int(d.Month()) || dd != d.Day() {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", want, y, m, dd, d.Format(time.DateOnly))
		}
		if got := string(appendDate(nil, want)); got != d.Format(time.DateOnly) {
			t.Fatalf("appendDate = %s, want %s", got, d.Format(time.DateOnly))
		}
		for _, n := range []int{1, 18, 41} {
			if got, want := addYears(want, n), int(d.AddDate(n, 0, 0).Sub(epoch).Hours()/24); got != want {
				t.Fatalf("addYears(%s, %d) = %d, want %d", d.Format(time.DateOnly), n, got, want)
			}
		}
	}
}

func TestAges(t *testing.T) {
	for _, c := range []struct {
		born, at string
		age      int
	}{
		{"2000-01-01", "2018-01-01", 18},
		{"2000-01-02", "2018-01-01", 17},
		{"2004-02-29", "2022-02-28", 17},
		{"2004-02-29", "2022-03-01", 18},
		{"2004-02-29", "2024-02-29", 20},
	} {
		b, _ := time.Parse(time.DateOnly, c.born)
		a, _ := time.Parse(time.DateOnly, c.at)
		bd := daysFromCivil(b.Year(), int(b.Month()), b.Day())
		ad := daysFromCivil(a.Year(), int(a.Month()), a.Day())
		if got := ageAt(bd, ad); got != c.age {
			t.Errorf("ageAt(%s, %s) = %d, want %d", c.born, c.at, got, c.age)
		}
		// yearsBefore gives the last birthday on which one is age at day.
		last := yearsBefore(ad, c.age)
		if ageAt(last, ad) != c.age || ageAt(last+1, ad) != c.age-1 {
			t.Errorf("yearsBefore(%s, %d) = %s is not the last birth day of that age", c.at, c.age, appendDate(nil, last))
		}
	}
}
