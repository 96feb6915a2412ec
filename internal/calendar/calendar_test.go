package calendar

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func mustNew(t testing.TB, o Options) *Calendar {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func defaultCalendar(t testing.TB) *Calendar { return mustNew(t, DefaultOptions()) }

type day struct {
	d    Date
	kind HolidayKind
	name string
}

func holidayDays(hs []Holiday) []day {
	var out []day
	for _, h := range hs {
		out = append(out, day{h.Date, h.Kind, h.Name})
	}
	return out
}

func TestHolidays2026(t *testing.T) {
	// Tết Bính Ngọ is Tuesday 17 February; the last day of Ất Tỵ is Monday 16.
	// Hùng Kings day (10/3) is Sunday 26 April, so Monday 27 is off in lieu.
	want := []day{
		{date(2026, time.January, 1), PublicHoliday, "Tết Dương lịch"},
		{date(2026, time.February, 16), PublicHoliday, "Tết Nguyên đán"},
		{date(2026, time.February, 17), PublicHoliday, "Tết Nguyên đán"},
		{date(2026, time.February, 18), PublicHoliday, "Tết Nguyên đán"},
		{date(2026, time.February, 19), PublicHoliday, "Tết Nguyên đán"},
		{date(2026, time.February, 20), PublicHoliday, "Tết Nguyên đán"},
		{date(2026, time.April, 26), PublicHoliday, "Giỗ Tổ Hùng Vương"},
		{date(2026, time.April, 27), CompensatoryDay, "Nghỉ bù Giỗ Tổ Hùng Vương"},
		{date(2026, time.April, 30), PublicHoliday, "Ngày Chiến thắng"},
		{date(2026, time.May, 1), PublicHoliday, "Ngày Quốc tế Lao động"},
		{date(2026, time.September, 1), PublicHoliday, "Ngày Quốc khánh"},
		{date(2026, time.September, 2), PublicHoliday, "Ngày Quốc khánh"},
	}
	got := holidayDays(defaultCalendar(t).Holidays(2026))
	if !slices.Equal(got, want) {
		t.Errorf("Holidays(2026) =\n%v\nwant\n%v", got, want)
	}
}

func TestHolidays2023Compensation(t *testing.T) {
	// 2023 put many holidays on weekends:
	//   1 Jan Sunday → Monday 2 Jan off.
	//   Tết Quý Mão is Sunday 22 Jan: Tết days are Sat 21 – Wed 25; Saturday
	//   and Sunday give Thursday 26 and Friday 27.
	//   Hùng Kings day Saturday 29 Apr and 30 Apr Sunday: Monday 1 May is
	//   itself a holiday, so they give Tuesday 2 and Wednesday 3 May.
	//   National Day Friday 1 and Saturday 2 Sep: Monday 4 Sep.
	want := []Date{
		date(2023, time.January, 1), date(2023, time.January, 2),
		date(2023, time.January, 21), date(2023, time.January, 22), date(2023, time.January, 23),
		date(2023, time.January, 24), date(2023, time.January, 25),
		date(2023, time.January, 26), date(2023, time.January, 27),
		date(2023, time.April, 29), date(2023, time.April, 30),
		date(2023, time.May, 1), date(2023, time.May, 2), date(2023, time.May, 3),
		date(2023, time.September, 1), date(2023, time.September, 2), date(2023, time.September, 4),
	}
	c := defaultCalendar(t)
	var got []Date
	for _, h := range c.Holidays(2023) {
		got = append(got, h.Date)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Holidays(2023) = %v\nwant %v", got, want)
	}
	if c.IsWorkingDay(date(2023, time.September, 4)) || !c.IsWorkingDay(date(2023, time.September, 5)) {
		t.Error("4 Sep 2023 should be off in lieu of Saturday 2 Sep, 5 Sep worked")
	}

	o := DefaultOptions()
	o.Compensate = false
	off := mustNew(t, o)
	for _, d := range []Date{date(2023, time.January, 2), date(2023, time.January, 26), date(2023, time.May, 2), date(2023, time.September, 4)} {
		if !off.IsWorkingDay(d) {
			t.Errorf("without compensation %s should be worked", d)
		}
	}
}

// Two holidays on one weekly rest day earn one day in lieu, not two.
func TestCoincidingHolidays(t *testing.T) {
	// In 1803, 10/3 lunar fell on Saturday 30 April, with Labour Day on
	// Sunday 1 May: days in lieu are Monday 2 and Tuesday 3 May.
	c := defaultCalendar(t)
	var lieu []Date
	same := 0
	for _, h := range c.Holidays(1803) {
		if h.Kind == CompensatoryDay && h.Date.Month >= time.April && h.Date.Month <= time.May {
			lieu = append(lieu, h.Date)
		}
		if h.Date == date(1803, time.April, 30) {
			same++
		}
	}
	if same != 2 {
		t.Errorf("30 Apr 1803 listed %d times, want 2 (Hùng Kings day and Victory Day)", same)
	}
	if want := []Date{date(1803, time.May, 2), date(1803, time.May, 3)}; !slices.Equal(lieu, want) {
		t.Errorf("days in lieu in April–May 1803 = %v, want %v", lieu, want)
	}
}

func TestTransferLetterBeforeTet2026(t *testing.T) {
	c := defaultCalendar(t)
	issued := date(2026, time.February, 10) // Tuesday
	// Working days after issue, with the days skipped:
	//   Wed 11, Thu 12, Fri 13 Feb                    1–3
	//   skip Sat 14, Sun 15; Tết Mon 16 – Fri 20 (last day of Ất Tỵ and
	//   1/1–4/1 Bính Ngọ); Sat 21, Sun 22
	//   Mon 23 – Fri 27 Feb                           4–8
	//   skip Sat 28 Feb, Sun 1 Mar
	//   2–6, 9–13, 16–20, 23–27 Mar                   9–28
	//   skip the weekends between
	//   Mon 30, Tue 31 Mar                            29–30
	// So the letter must be presented by Tuesday 31 March 2026.
	due := c.AddWorkingDays(issued, 30)
	if want := date(2026, time.March, 31); due != want {
		t.Errorf("30 working days after %s = %s, want %s", issued, due, want)
	}
	if n := c.WorkingDaysBetween(issued, due); n != 30 {
		t.Errorf("WorkingDaysBetween(%s, %s) = %d, want 30", issued, due, n)
	}
	if n := c.WorkingDaysBetween(issued, due.AddDays(1)); n != 31 {
		t.Errorf("presented on %s: %d working days, want 31 (late)", due.AddDays(1), n)
	}
	// The 60-day limit for starting the procedure goes on:
	//   Wed 1 – Fri 3 Apr                              31–33
	//   6–10, 13–17, 20–24 Apr                         34–48
	//   skip Sat 25, Sun 26 (Hùng Kings day), Mon 27 (in lieu)
	//   Tue 28, Wed 29 Apr                             49–50
	//   skip Thu 30 Apr, Fri 1 May, Sat 2, Sun 3
	//   4–8, 11–15 May                                 51–60
	if got, want := c.AddWorkingDays(issued, 60), date(2026, time.May, 15); got != want {
		t.Errorf("60 working days after %s = %s, want %s", issued, got, want)
	}
}

func TestAddWorkingDaysFromFriday(t *testing.T) {
	c := defaultCalendar(t)
	for _, tc := range []struct {
		from Date
		n    int
		want Date
	}{
		{date(2026, time.March, 6), 1, date(2026, time.March, 9)},          // Friday → Monday
		{date(2026, time.April, 24), 1, date(2026, time.April, 28)},        // Monday 27 is off in lieu
		{date(2025, time.August, 29), 1, date(2025, time.September, 3)},    // 1–2 Sep off
		{date(2026, time.March, 7), 1, date(2026, time.March, 9)},          // from a Saturday
		{date(2026, time.March, 9), 0, date(2026, time.March, 9)},          // n = 0
		{date(2026, time.March, 9), -1, date(2026, time.March, 6)},         // Monday back to Friday
		{date(2026, time.February, 23), -1, date(2026, time.February, 13)}, // back over Tết
		{date(2025, time.December, 31), 1, date(2026, time.January, 2)},    // over New Year's Day
	} {
		if got := c.AddWorkingDays(tc.from, tc.n); got != tc.want {
			t.Errorf("AddWorkingDays(%s %s, %d) = %s, want %s", tc.from.Weekday(), tc.from, tc.n, got, tc.want)
		}
	}
}

func TestWeekends(t *testing.T) {
	c := defaultCalendar(t)
	off := map[Date]bool{}
	for _, h := range c.Holidays(2026) {
		off[h.Date] = true
	}
	for d := date(2026, time.January, 1); d.Year == 2026; d = d.AddDays(1) {
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		if got, want := c.IsWorkingDay(d), !weekend && !off[d]; got != want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v", d.Weekday(), d, got, want)
		}
	}
	// 2026 has 365 days, 104 weekend days and 11 weekday holidays.
	if n := c.WorkingDaysBetween(date(2025, time.December, 31), date(2026, time.December, 31)); n != 365-104-11 {
		t.Errorf("working days in 2026 = %d, want %d", n, 365-104-11)
	}

	o := DefaultOptions()
	o.Weekend = []time.Weekday{time.Sunday}
	six := mustNew(t, o)
	if !six.IsWorkingDay(date(2026, time.March, 7)) || six.IsWorkingDay(date(2026, time.March, 8)) {
		t.Error("with only Sunday off, Saturday 7 Mar 2026 should be worked and Sunday 8 off")
	}
}

func TestNationalDayAdjacent(t *testing.T) {
	def := defaultCalendar(t)
	o := DefaultOptions()
	o.NationalDayAdjacent = 1
	after := mustNew(t, o)
	for _, tc := range []struct {
		d          Date
		def, after bool // worked
	}{
		{date(2025, time.September, 1), false, true}, // Monday
		{date(2025, time.September, 2), false, false},
		{date(2025, time.September, 3), true, false}, // Wednesday
		{date(2025, time.September, 4), true, true},
	} {
		if got := def.IsWorkingDay(tc.d); got != tc.def {
			t.Errorf("default: IsWorkingDay(%s) = %v", tc.d, got)
		}
		if got := after.IsWorkingDay(tc.d); got != tc.after {
			t.Errorf("3 September: IsWorkingDay(%s) = %v", tc.d, got)
		}
	}
}

func TestTetLength(t *testing.T) {
	// Tết Ất Tỵ is Wednesday 29 Jan 2025. By default Tue 28 Jan – Sat 1 Feb
	// are off and Saturday 1 Feb gives Monday 3 Feb in lieu.
	def := defaultCalendar(t)
	for d := date(2025, time.January, 27); d.Before(date(2025, time.February, 5)); d = d.AddDays(1) {
		want := d == date(2025, time.January, 27) || d == date(2025, time.February, 4)
		if got := def.IsWorkingDay(d); got != want {
			t.Errorf("default: IsWorkingDay(%s) = %v, want %v", d, got, want)
		}
	}
	// Two days before and two after: Mon 27 – Fri 31 Jan, no weekend, no day
	// in lieu.
	o := DefaultOptions()
	o.TetDaysBefore, o.TetDaysAfter = 2, 2
	c := mustNew(t, o)
	for d := date(2025, time.January, 27); d.Before(date(2025, time.February, 4)); d = d.AddDays(1) {
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		want := !weekend && d.After(date(2025, time.January, 31))
		if got := c.IsWorkingDay(d); got != want {
			t.Errorf("2+1+2: IsWorkingDay(%s) = %v, want %v", d, got, want)
		}
	}
}

func TestExtraDays(t *testing.T) {
	// A swap of the kind the government announces for Tết: Monday 27 Jan
	// 2025 off, Saturday 8 Feb worked instead.
	o := DefaultOptions()
	o.ExtraHolidays = []Date{date(2025, time.January, 27), date(2025, time.January, 29)} // 29 Jan is Tết anyway
	o.ExtraWorkdays = []Date{date(2025, time.February, 8), date(2025, time.February, 3), date(2025, time.September, 1)}
	c := mustNew(t, o)
	def := defaultCalendar(t)

	if c.IsWorkingDay(date(2025, time.January, 27)) || !def.IsWorkingDay(date(2025, time.January, 27)) {
		t.Error("27 Jan 2025 should be off only with the extra holiday")
	}
	if !c.IsWorkingDay(date(2025, time.February, 8)) || def.IsWorkingDay(date(2025, time.February, 8)) {
		t.Error("Saturday 8 Feb 2025 should be worked only with the extra workday")
	}
	// Extra workdays win over a day in lieu and over a public holiday.
	if !c.IsWorkingDay(date(2025, time.February, 3)) || !c.IsWorkingDay(date(2025, time.September, 1)) {
		t.Error("extra workdays 3 Feb and 1 Sep 2025 should be worked")
	}
	if got := c.AddWorkingDays(date(2025, time.February, 7), 1); got != date(2025, time.February, 8) {
		t.Errorf("day after Friday 7 Feb 2025 = %s, want Saturday 8", got)
	}
	if got := c.WorkingDaysBetween(date(2025, time.January, 24), date(2025, time.January, 31)); got != 0 {
		t.Errorf("working days 25–31 Jan 2025 = %d, want 0", got)
	}

	var extra, first, lieu []Date
	for _, h := range c.Holidays(2025) {
		switch {
		case h.Kind == ExtraDayOff:
			extra = append(extra, h.Date)
		case h.Kind == CompensatoryDay:
			lieu = append(lieu, h.Date)
		case h.Date.Month == time.September:
			first = append(first, h.Date)
		}
	}
	if !slices.Equal(extra, []Date{date(2025, time.January, 27)}) {
		t.Errorf("extra days off in 2025 = %v, want [2025-01-27]", extra)
	}
	if len(lieu) != 0 {
		t.Errorf("days in lieu in 2025 = %v, want none: 3 Feb is an extra workday", lieu)
	}
	if !slices.Equal(first, []Date{date(2025, time.September, 2)}) {
		t.Errorf("September holidays = %v, want only 2 Sep", first)
	}
}

// An extra day off pushes a day in lieu further.
func TestCompensationSkipsExtraDays(t *testing.T) {
	// Saturday 2 Sep 2023 would give Monday 4; with Monday already off the
	// day in lieu is Tuesday 5.
	o := DefaultOptions()
	o.ExtraHolidays = []Date{date(2023, time.September, 4)}
	c := mustNew(t, o)
	for _, d := range []Date{date(2023, time.September, 4), date(2023, time.September, 5)} {
		if c.IsWorkingDay(d) {
			t.Errorf("%s should be off", d)
		}
	}
	if !c.IsWorkingDay(date(2023, time.September, 6)) {
		t.Error("6 Sep 2023 should be worked")
	}
}

// A public holiday that is an extra workday earns no day in lieu.
func TestWorkedHolidayEarnsNoDayInLieu(t *testing.T) {
	o := DefaultOptions()
	o.ExtraWorkdays = []Date{date(2023, time.September, 2)} // Saturday
	c := mustNew(t, o)
	for _, d := range []Date{date(2023, time.September, 2), date(2023, time.September, 4)} {
		if !c.IsWorkingDay(d) {
			t.Errorf("%s should be worked", d)
		}
	}
	if c.IsWorkingDay(date(2023, time.September, 1)) {
		t.Error("1 Sep 2023 should stay off")
	}
}

func TestOptionsValidate(t *testing.T) {
	mod := func(f func(*Options)) Options {
		o := DefaultOptions()
		f(&o)
		return o
	}
	for name, o := range map[string]Options{
		"zero":            {},
		"before negative": mod(func(o *Options) { o.TetDaysBefore = -1 }),
		"before too long": mod(func(o *Options) { o.TetDaysBefore = MaxTetDays + 1 }),
		"after too long":  mod(func(o *Options) { o.TetDaysAfter = MaxTetDays + 1 }),
		"adjacent zero":   mod(func(o *Options) { o.NationalDayAdjacent = 0 }),
		"adjacent two":    mod(func(o *Options) { o.NationalDayAdjacent = 2 }),
		"no weekend":      mod(func(o *Options) { o.Weekend = nil }),
		"weekend twice":   mod(func(o *Options) { o.Weekend = []time.Weekday{time.Sunday, time.Sunday} }),
		"bad weekday":     mod(func(o *Options) { o.Weekend = []time.Weekday{7} }),
		"all week": mod(func(o *Options) {
			o.Weekend = []time.Weekday{0, 1, 2, 3, 4, 5, 6}
		}),
		"bad holiday": mod(func(o *Options) { o.ExtraHolidays = []Date{date(2025, time.February, 29)} }),
		"bad workday": mod(func(o *Options) { o.ExtraWorkdays = []Date{{}} }),
		"both lists": mod(func(o *Options) {
			o.ExtraHolidays = []Date{date(2025, time.May, 2)}
			o.ExtraWorkdays = []Date{date(2025, time.May, 2)}
		}),
	} {
		if _, err := New(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: New = %v, want ErrInvalidOptions", name, err)
		}
	}
	if err := mod(func(o *Options) { o.TetDaysBefore, o.TetDaysAfter = 0, MaxTetDays }).validate(); err != nil {
		t.Errorf("bounds rejected: %v", err)
	}
}

func TestCalendarKeepsItsOwnCopies(t *testing.T) {
	o := DefaultOptions()
	o.ExtraHolidays = []Date{date(2025, time.May, 2)}
	c := mustNew(t, o)
	o.ExtraHolidays[0] = date(2025, time.May, 5)
	got := c.Options()
	got.ExtraHolidays[0] = date(2025, time.May, 6)
	hs := c.Holidays(2025)
	hs[0].Name = "changed"
	if c.IsWorkingDay(date(2025, time.May, 2)) || !c.IsWorkingDay(date(2025, time.May, 5)) || !c.IsWorkingDay(date(2025, time.May, 6)) {
		t.Error("changes to the caller's slices reached the calendar")
	}
	if c.Holidays(2025)[0].Name != "Tết Dương lịch" {
		t.Error("Holidays returned the cached slice")
	}
}

// AddWorkingDays and WorkingDaysBetween agree with day-by-day counting.
func TestArithmeticAgainstNaiveCount(t *testing.T) {
	o := DefaultOptions()
	o.ExtraHolidays = []Date{date(2024, time.December, 30), date(2031, time.January, 2)}
	o.ExtraWorkdays = []Date{date(2025, time.January, 4), date(2030, time.December, 28)}
	c := mustNew(t, o)
	count := func(a, b Date) int { // working days in (a, b]
		n := 0
		for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
			if c.IsWorkingDay(d) {
				n++
			}
		}
		return n
	}
	rng := rand.New(rand.NewPCG(1, 2))
	base := date(2020, time.January, 1)
	for range 2000 {
		a := base.AddDays(rng.IntN(12 * 366))
		b := a.AddDays(rng.IntN(800))
		if got, want := c.WorkingDaysBetween(a, b), count(a, b); got != want {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", a, b, got, want)
		}
		if got, want := c.WorkingDaysBetween(b, a), -count(a, b); got != want {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, want %d", b, a, got, want)
		}
		n := rng.IntN(120)
		due := c.AddWorkingDays(a, n)
		if count(a, due) != n || (n > 0 && (!c.IsWorkingDay(due) || count(a, due.AddDays(-1)) != n-1)) {
			t.Fatalf("AddWorkingDays(%s, %d) = %s: not the %d-th working day after", a, n, due, n)
		}
		if n > 0 {
			back := c.AddWorkingDays(a, -n)
			// back is a working day and there are n working days in [back, a).
			if !c.IsWorkingDay(back) || count(back.AddDays(-1), a.AddDays(-1)) != n {
				t.Fatalf("AddWorkingDays(%s, %d) = %s: not the %d-th working day before", a, -n, back, n)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	c := defaultCalendar(t)
	var wg sync.WaitGroup
	results := make([]Date, 8)
	for i := range results {
		wg.Go(func() {
			results[i] = c.AddWorkingDays(date(2000+i, time.December, 20), 400)
		})
	}
	wg.Wait()
	for i, got := range results {
		if want := c.AddWorkingDays(date(2000+i, time.December, 20), 400); got != want {
			t.Errorf("goroutine %d: %s, want %s", i, got, want)
		}
	}
}

func BenchmarkAddWorkingDays30(b *testing.B) {
	c := defaultCalendar(b)
	d := date(2026, time.February, 10)
	for b.Loop() {
		c.AddWorkingDays(d, 30)
	}
}

func BenchmarkWorkingDaysBetweenYear(b *testing.B) {
	c := defaultCalendar(b)
	a, z := date(2026, time.February, 10), date(2027, time.February, 10)
	for b.Loop() {
		c.WorkingDaysBetween(a, z)
	}
}
