package calendar

import (
	"errors"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) Date { return NewDate(y, m, d) }

// Tết (lunar 1/1) as published in Vietnamese calendars.
var tetDates = map[int]Date{
	1968: date(1968, time.January, 29),  // North Vietnam, first year on UTC+7
	1985: date(1985, time.January, 21),  // China: 20 February
	2007: date(2007, time.February, 17), // China: 18 February
	2020: date(2020, time.January, 25),
	2021: date(2021, time.February, 12),
	2022: date(2022, time.February, 1),
	2023: date(2023, time.January, 22),
	2024: date(2024, time.February, 10),
	2025: date(2025, time.January, 29),
	2026: date(2026, time.February, 17),
	2027: date(2027, time.February, 6),
	2028: date(2028, time.January, 26),
	2029: date(2029, time.February, 13),
	// The new moon is at 16:07 UTC on 2 February 2030: 23:07 in Hanoi,
	// 00:07 on 3 February in Beijing. Tết is 2 February in Vietnam,
	// 3 February in China.
	2030: date(2030, time.February, 2),
}

func TestLunarNewYear(t *testing.T) {
	for y, want := range tetDates {
		if got := LunarNewYear(y); got != want {
			t.Errorf("LunarNewYear(%d) = %s, want %s", y, got, want)
		}
		if got := SolarToLunar(want); got != (LunarDate{Year: y, Month: 1, Day: 1}) {
			t.Errorf("SolarToLunar(%s) = %+v, want 1/1/%d", want, got, y)
		}
		// The day before Tết is the last day of month 12 of the old year.
		eve := SolarToLunar(want.AddDays(-1))
		if eve.Year != y-1 || eve.Month != 12 || eve.Leap || (eve.Day != 29 && eve.Day != 30) {
			t.Errorf("SolarToLunar(%s) = %+v, want 29 or 30/12/%d", want.AddDays(-1), eve, y-1)
		}
	}
}

// The time zone is what separates the Vietnamese calendar from the Chinese.
func TestTimeZoneMatters(t *testing.T) {
	china := map[int]Date{
		1985: date(1985, time.February, 20),
		2007: date(2007, time.February, 18),
		2030: date(2030, time.February, 3),
		2024: date(2024, time.February, 10), // same in both
	}
	for y, want := range china {
		got, err := lunarToSolar(LunarDate{Year: y, Month: 1, Day: 1}, 8)
		if err != nil || got != want {
			t.Errorf("Tết %d at UTC+8 = %s, %v; want %s", y, got, err, want)
		}
	}
}

func TestHungKingsDay(t *testing.T) {
	for _, tc := range []struct {
		year int
		want Date
	}{
		{2020, date(2020, time.April, 2)},
		{2021, date(2021, time.April, 21)},
		{2022, date(2022, time.April, 10)},
		{2023, date(2023, time.April, 29)}, // after the leap 2nd month
		{2024, date(2024, time.April, 18)},
		{2025, date(2025, time.April, 7)},
		{2026, date(2026, time.April, 26)},
	} {
		got, err := LunarToSolar(LunarDate{Year: tc.year, Month: 3, Day: 10})
		if err != nil || got != tc.want {
			t.Errorf("10/3/%d = %s, %v; want %s", tc.year, got, err, tc.want)
		}
	}
}

func TestLeapMonths(t *testing.T) {
	for _, tc := range []struct {
		year, leap int
		start      Date // 1st of the leap month
	}{
		{2020, 4, date(2020, time.May, 23)},
		{2023, 2, date(2023, time.March, 22)},
		{2025, 6, date(2025, time.July, 25)},
		{2028, 5, date(2028, time.June, 23)},
		{2033, 11, date(2033, time.December, 22)},
	} {
		if got := LeapMonth(tc.year); got != tc.leap {
			t.Errorf("LeapMonth(%d) = %d, want %d", tc.year, got, tc.leap)
		}
		l := LunarDate{Year: tc.year, Month: tc.leap, Day: 1, Leap: true}
		got, err := LunarToSolar(l)
		if err != nil || got != tc.start {
			t.Errorf("LunarToSolar(%s) = %s, %v; want %s", l, got, err, tc.start)
		}
		if back := SolarToLunar(tc.start); back != l {
			t.Errorf("SolarToLunar(%s) = %+v, want %+v", tc.start, back, l)
		}
		// The regular month of the same number comes first.
		regular, err := LunarToSolar(LunarDate{Year: tc.year, Month: tc.leap, Day: 1})
		if err != nil || !regular.Before(tc.start) || tc.start.Sub(regular) > 30 {
			t.Errorf("month %d of %d starts %s, %v; want the month before %s", tc.leap, tc.year, regular, err, tc.start)
		}
	}
	for _, y := range []int{2021, 2022, 2024, 2026, 2027, 2029, 2030} {
		if got := LeapMonth(y); got != 0 {
			t.Errorf("LeapMonth(%d) = %d, want 0", y, got)
		}
	}
}

func TestLunarToSolarRejects(t *testing.T) {
	for _, l := range []LunarDate{
		{Year: 2024, Month: 3, Day: 1, Leap: true}, // 2024 has no leap month
		{Year: 2023, Month: 3, Day: 1, Leap: true}, // 2023 repeats month 2, not 3
		{Year: 2024, Month: 13, Day: 1},
		{Year: 2024, Month: 0, Day: 1},
		{Year: 2024, Month: 1, Day: 0},
		{Year: 2024, Month: 1, Day: 31},
	} {
		if d, err := LunarToSolar(l); !errors.Is(err, ErrInvalidLunarDate) {
			t.Errorf("LunarToSolar(%+v) = %s, %v; want ErrInvalidLunarDate", l, d, err)
		}
	}
	// Day 30 exists only in long months.
	for m := 1; m <= 12; m++ {
		n, err := LunarMonthDays(2024, m, false)
		if err != nil || (n != 29 && n != 30) {
			t.Fatalf("LunarMonthDays(2024, %d) = %d, %v", m, n, err)
		}
		_, err = LunarToSolar(LunarDate{Year: 2024, Month: m, Day: 30})
		if (n == 30) != (err == nil) {
			t.Errorf("month %d/2024 has %d days, but 30/%d gives error %v", m, n, m, err)
		}
	}
}

// Every day of 1900–2100 converts to lunar and back, and consecutive days
// have consecutive lunar dates: day+1 in the same month, or day 1 of the
// next month after a 29th or 30th, the next month being the leap repeat of
// the same number or the following number (12 → 1 of the next year).
func TestRoundTripAndContinuity(t *testing.T) {
	first, last := julianDay(1900, 1, 1), julianDay(2100, 12, 31)
	prev := SolarToLunar(fromDayNumber(first - 1))
	leaps := map[int]int{}
	for j := first; j <= last; j++ {
		d := fromDayNumber(j)
		l := SolarToLunar(d)
		back, err := LunarToSolar(l)
		if err != nil || back != d {
			t.Fatalf("%s → %+v → %s, %v", d, l, back, err)
		}
		switch {
		case l.Day == prev.Day+1:
			if l.Year != prev.Year || l.Month != prev.Month || l.Leap != prev.Leap {
				t.Fatalf("%s: %+v follows %+v", d, l, prev)
			}
		case l.Day == 1 && (prev.Day == 29 || prev.Day == 30):
			next := LunarDate{Year: prev.Year, Month: prev.Month + 1, Day: 1}
			if next.Month == 13 {
				next = LunarDate{Year: prev.Year + 1, Month: 1, Day: 1}
			}
			leapRepeat := LunarDate{Year: prev.Year, Month: prev.Month, Day: 1, Leap: true}
			if l != next && !(l == leapRepeat && !prev.Leap) {
				t.Fatalf("%s: %+v follows %+v", d, l, prev)
			}
		default:
			t.Fatalf("%s: %+v follows %+v", d, l, prev)
		}
		if l.Leap && l.Day == 1 {
			leaps[l.Year]++
		}
		prev = l
	}
	for y, n := range leaps {
		if n != 1 {
			t.Errorf("lunar year %d has %d leap months", y, n)
		}
	}
	// About 7 leap months in 19 years.
	if n := len(leaps); n < 72 || n > 76 {
		t.Errorf("%d leap years in 1900–2100, want about 74", n)
	}
}

func TestSpanEndsWhereNextBegins(t *testing.T) {
	for y := 1800; y <= 2200; y++ {
		s := spanOf(y, VietnamTimeZone)
		if s.monthStart(0) != s.start {
			t.Fatalf("span %d: lunation %d starts %d, want %d", y, s.k, s.monthStart(0), s.start)
		}
		if got, want := s.monthStart(s.months()), month11(y, VietnamTimeZone); got != want {
			t.Fatalf("span %d: %d months end on %d, want %d", y, s.months(), got, want)
		}
	}
}

func TestLunarDateString(t *testing.T) {
	if got := (LunarDate{Year: 2023, Month: 2, Day: 5, Leap: true}).String(); got != "05/02/2023 (nhuận)" {
		t.Errorf("String = %q", got)
	}
	if got := (LunarDate{Year: 2024, Month: 3, Day: 10}).String(); got != "10/03/2024" {
		t.Errorf("String = %q", got)
	}
}

func BenchmarkSolarToLunar(b *testing.B) {
	d := date(2026, time.February, 10)
	for b.Loop() {
		SolarToLunar(d)
	}
}
