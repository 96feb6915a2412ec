package calendar

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrInvalidOptions is wrapped by New when Options fail validation.
var ErrInvalidOptions = errors.New("calendar: invalid options")

// Defaults for Options; see DefaultOptions.
const (
	// DefaultTetDaysBefore: the last day of the old lunar year (29 or 30 of
	// month 12) is off.
	DefaultTetDaysBefore = 1
	// DefaultTetDaysAfter: lunar 2/1, 3/1 and 4/1 are off after 1/1, making
	// the five days of Tết of Labour Code 2019 Art. 112(1)(b).
	DefaultTetDaysAfter = 3
	// DefaultNationalDayAdjacent puts the second day of National Day on
	// 1 September.
	DefaultNationalDayAdjacent = -1
	// MaxTetDays bounds TetDaysBefore and TetDaysAfter, which keeps every Tết
	// day inside the Gregorian year of the lunar new year.
	MaxTetDays = 10
)

// Options configure a Calendar. Start from DefaultOptions.
type Options struct {
	// TetDaysBefore is the number of days off just before lunar 1/1, and
	// TetDaysAfter the number just after it; 1/1 itself is always off.
	// Each is 0–MaxTetDays.
	TetDaysBefore int
	TetDaysAfter  int
	// NationalDayAdjacent places the second day of National Day: -1 for
	// 1 September, +1 for 3 September. Art. 112(3) lets the Prime Minister
	// fix the days of Tết and of National Day each year; set this, the Tết
	// counts and the extra lists to match the year's notice.
	NationalDayAdjacent int
	// Compensate gives a day off in lieu (nghỉ bù) when a public holiday
	// falls on the weekly rest day: the next day that is neither a rest day,
	// a holiday nor an extra day off (Labour Code 2019 Art. 111(3)).
	Compensate bool
	// Weekend lists the weekly rest days: 1 to 6 distinct weekdays.
	Weekend []time.Weekday
	// ExtraHolidays are further days off, such as the days the government
	// adds around Tết or National Day in a given year.
	ExtraHolidays []Date
	// ExtraWorkdays are days worked whatever the other rules say, such as a
	// Saturday worked in exchange for a bridge day. They override holidays,
	// compensation and the weekend. A date may not be in both lists.
	ExtraWorkdays []Date
}

// DefaultOptions returns the rules of Labour Code 2019 as usually applied to
// party and state offices: Saturday and Sunday off; Tết from the last day of
// the lunar year to 4/1; National Day on 1 and 2 September; compensation on.
func DefaultOptions() Options {
	return Options{
		TetDaysBefore:       DefaultTetDaysBefore,
		TetDaysAfter:        DefaultTetDaysAfter,
		NationalDayAdjacent: DefaultNationalDayAdjacent,
		Compensate:          true,
		Weekend:             []time.Weekday{time.Saturday, time.Sunday},
	}
}

func (o Options) validate() error {
	if o.TetDaysBefore < 0 || o.TetDaysBefore > MaxTetDays {
		return fmt.Errorf("%w: TetDaysBefore is %d, want 0–%d", ErrInvalidOptions, o.TetDaysBefore, MaxTetDays)
	}
	if o.TetDaysAfter < 0 || o.TetDaysAfter > MaxTetDays {
		return fmt.Errorf("%w: TetDaysAfter is %d, want 0–%d", ErrInvalidOptions, o.TetDaysAfter, MaxTetDays)
	}
	if o.NationalDayAdjacent != -1 && o.NationalDayAdjacent != 1 {
		return fmt.Errorf("%w: NationalDayAdjacent is %d, want -1 (1 September) or +1 (3 September)", ErrInvalidOptions, o.NationalDayAdjacent)
	}
	if len(o.Weekend) == 0 {
		return fmt.Errorf("%w: Weekend is empty, want at least one rest day", ErrInvalidOptions)
	}
	var seen [7]bool
	for _, w := range o.Weekend {
		if w < time.Sunday || w > time.Saturday {
			return fmt.Errorf("%w: Weekend holds %d, not a weekday", ErrInvalidOptions, int(w))
		}
		if seen[w] {
			return fmt.Errorf("%w: Weekend lists %s twice", ErrInvalidOptions, w)
		}
		seen[w] = true
	}
	if len(o.Weekend) == 7 {
		return fmt.Errorf("%w: Weekend lists every day, leaving no working day", ErrInvalidOptions)
	}
	off := make(map[Date]bool, len(o.ExtraHolidays))
	for _, d := range o.ExtraHolidays {
		if !d.IsValid() {
			return fmt.Errorf("%w: ExtraHolidays holds %s, not a valid date", ErrInvalidOptions, d)
		}
		off[d] = true
	}
	for _, d := range o.ExtraWorkdays {
		if !d.IsValid() {
			return fmt.Errorf("%w: ExtraWorkdays holds %s, not a valid date", ErrInvalidOptions, d)
		}
		if off[d] {
			return fmt.Errorf("%w: %s is both an extra holiday and an extra workday", ErrInvalidOptions, d)
		}
	}
	return nil
}

// HolidayKind says why a day is off.
type HolidayKind uint8

const (
	// PublicHoliday is one of the days of Labour Code 2019 Art. 112(1).
	PublicHoliday HolidayKind = iota + 1
	// CompensatoryDay is a day off in lieu of a public holiday that fell on
	// the weekly rest day.
	CompensatoryDay
	// ExtraDayOff comes from Options.ExtraHolidays.
	ExtraDayOff
)

// Holiday is a day off other than the weekly rest day.
type Holiday struct {
	Date   Date
	Name   string // Vietnamese, for display
	NameEN string
	Kind   HolidayKind
}

// Calendar answers working-day questions under one set of Options. It is
// immutable after New and safe for concurrent use; the holidays of a year are
// computed on first use and kept.
type Calendar struct {
	opts      Options
	weekend   [7]bool
	extraOff  map[int]bool // Julian day → off
	extraWork map[int]bool // Julian day → worked
	years     sync.Map     // int → *yearInfo
}

// yearInfo is the resolved calendar of one Gregorian year.
type yearInfo struct {
	first    int       // Julian day of 1 January
	holidays []Holiday // by date; none is an extra workday
	working  []bool    // by day of year, 0 = 1 January
	cum      []int     // cum[i]: working days among days 0..i-1 of the year
}

// New returns a Calendar for opts, or an error wrapping ErrInvalidOptions.
func New(opts Options) (*Calendar, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := &Calendar{
		opts: Options{
			TetDaysBefore:       opts.TetDaysBefore,
			TetDaysAfter:        opts.TetDaysAfter,
			NationalDayAdjacent: opts.NationalDayAdjacent,
			Compensate:          opts.Compensate,
			Weekend:             slices.Clone(opts.Weekend),
			ExtraHolidays:       slices.Clone(opts.ExtraHolidays),
			ExtraWorkdays:       slices.Clone(opts.ExtraWorkdays),
		},
		extraOff:  make(map[int]bool, len(opts.ExtraHolidays)),
		extraWork: make(map[int]bool, len(opts.ExtraWorkdays)),
	}
	for _, w := range opts.Weekend {
		c.weekend[w] = true
	}
	for _, d := range opts.ExtraHolidays {
		c.extraOff[d.dayNumber()] = true
	}
	for _, d := range opts.ExtraWorkdays {
		c.extraWork[d.dayNumber()] = true
	}
	return c, nil
}

// Options returns a copy of the options c was built with.
func (c *Calendar) Options() Options {
	o := c.opts
	o.Weekend = slices.Clone(o.Weekend)
	o.ExtraHolidays = slices.Clone(o.ExtraHolidays)
	o.ExtraWorkdays = slices.Clone(o.ExtraWorkdays)
	return o
}

// IsWorkingDay reports whether d is a working day: not a weekly rest day and
// not a holiday, unless it is one of the extra workdays.
func (c *Calendar) IsWorkingDay(d Date) bool {
	j := d.dayNumber()
	y := c.yearAt(j)
	return y.working[j-y.first]
}

// Holidays returns the days off of year other than the weekly rest days, in
// date order: public holidays, compensatory days and extra days off, less
// the extra workdays. Two public holidays may share a date. The slice is the
// caller's.
func (c *Calendar) Holidays(year int) []Holiday {
	return slices.Clone(c.year(year).holidays)
}

// AddWorkingDays returns the date on which a period of n working days that
// starts after from ends: the n-th working day after from, not counting from
// itself. A letter issued on a Friday with n = 1 is due on Monday, or later
// if Monday is a holiday. For n = 0 it returns from; for n < 0, the -n-th
// working day before from.
//
// For n > 0 the result is a working day and
// WorkingDaysBetween(from, AddWorkingDays(from, n)) == n.
// The cost grows with n.
func (c *Calendar) AddWorkingDays(from Date, n int) Date {
	j := from.dayNumber()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	y := c.yearAt(j)
	for n > 0 {
		j += step
		if j < y.first || j >= y.first+len(y.working) {
			y = c.yearAt(j)
		}
		if y.working[j-y.first] {
			n--
		}
	}
	return fromDayNumber(j)
}

// WorkingDaysBetween counts the working days after a up to and including b;
// if b is before a, it returns minus the count after b up to and including a.
// So a letter issued on a and presented on b was presented
// WorkingDaysBetween(a, b) working days after issue, and is late for a limit
// of n days when the result exceeds n.
func (c *Calendar) WorkingDaysBetween(a, b Date) int {
	ja, jb := a.dayNumber(), b.dayNumber()
	sign := 1
	if jb < ja {
		ja, jb, sign = jb, ja, -1
	}
	n := 0
	for lo := ja + 1; lo <= jb; {
		y := c.yearAt(lo)
		hi := min(jb, y.first+len(y.working)-1)
		n += y.cum[hi-y.first+1] - y.cum[lo-y.first]
		lo = hi + 1
	}
	return sign * n
}

func (c *Calendar) yearAt(j int) *yearInfo { return c.year(fromDayNumber(j).Year) }

func (c *Calendar) year(y int) *yearInfo {
	if v, ok := c.years.Load(y); ok {
		return v.(*yearInfo)
	}
	v, _ := c.years.LoadOrStore(y, c.build(y))
	return v.(*yearInfo)
}

// Names of the public holidays, Vietnamese then English.
const (
	nameNewYear       = "Tết Dương lịch"
	nameNewYearEN     = "New Year's Day"
	nameTet           = "Tết Nguyên đán"
	nameTetEN         = "Lunar New Year (Tết)"
	nameHungKings     = "Giỗ Tổ Hùng Vương"
	nameHungKingsEN   = "Hùng Kings' Commemoration Day"
	nameVictory       = "Ngày Chiến thắng"
	nameVictoryEN     = "Victory Day"
	nameLabour        = "Ngày Quốc tế Lao động"
	nameLabourEN      = "International Labour Day"
	nameNational      = "Ngày Quốc khánh"
	nameNationalEN    = "National Day"
	prefixInLieu      = "Nghỉ bù "
	prefixInLieuEN    = "Day off in lieu of "
	nameExtraDayOff   = "Ngày nghỉ bổ sung"
	nameExtraDayOffEN = "Additional day off"
)

// build resolves year y. Every public holiday falls between 11 January and
// early March (Tết) or in April, May and early September, so neither they
// nor their compensatory days leave the year.
func (c *Calendar) build(y int) *yearInfo {
	first := julianDay(y, 1, 1)
	info := &yearInfo{first: first, working: make([]bool, julianDay(y+1, 1, 1)-first)}

	var public []Holiday
	add := func(j int, name, en string) {
		public = append(public, Holiday{Date: fromDayNumber(j), Name: name, NameEN: en, Kind: PublicHoliday})
	}
	add(first, nameNewYear, nameNewYearEN)
	tet := LunarNewYear(y).dayNumber()
	for j := tet - c.opts.TetDaysBefore; j <= tet+c.opts.TetDaysAfter; j++ {
		add(j, nameTet, nameTetEN)
	}
	hung, err := LunarToSolar(LunarDate{Year: y, Month: 3, Day: 10})
	if err != nil {
		panic(err) // month 3 exists in every lunar year and has day 10
	}
	add(hung.dayNumber(), nameHungKings, nameHungKingsEN)
	add(julianDay(y, 4, 30), nameVictory, nameVictoryEN)
	add(julianDay(y, 5, 1), nameLabour, nameLabourEN)
	national := julianDay(y, 9, 2)
	add(min(national, national+c.opts.NationalDayAdjacent), nameNational, nameNationalEN)
	add(max(national, national+c.opts.NationalDayAdjacent), nameNational, nameNationalEN)
	slices.SortStableFunc(public, func(a, b Holiday) int { return a.Date.Compare(b.Date) })

	off := make(map[int]bool)
	for _, h := range public {
		off[h.Date.dayNumber()] = true
	}
	holidays := slices.Clone(public)
	if c.opts.Compensate {
		taken := make(map[int]bool)
		for i, h := range public {
			j := h.Date.dayNumber()
			if i > 0 && public[i-1].Date == h.Date {
				continue // one rest day, one day in lieu
			}
			if !c.weekend[weekdayOf(j)] || c.extraWork[j] {
				continue
			}
			k := j + 1
			for c.weekend[weekdayOf(k)] || off[k] || c.extraOff[k] || taken[k] {
				k++
			}
			taken[k] = true
			holidays = append(holidays, Holiday{
				Date:   fromDayNumber(k),
				Name:   prefixInLieu + h.Name,
				NameEN: prefixInLieuEN + h.NameEN,
				Kind:   CompensatoryDay,
			})
		}
	}
	for j := range c.extraOff {
		if j >= first && j < first+len(info.working) && !off[j] {
			holidays = append(holidays, Holiday{Date: fromDayNumber(j), Name: nameExtraDayOff, NameEN: nameExtraDayOffEN, Kind: ExtraDayOff})
		}
	}
	holidays = slices.DeleteFunc(holidays, func(h Holiday) bool { return c.extraWork[h.Date.dayNumber()] })
	slices.SortStableFunc(holidays, func(a, b Holiday) int {
		if n := a.Date.Compare(b.Date); n != 0 {
			return n
		}
		return int(a.Kind) - int(b.Kind)
	})
	info.holidays = holidays

	for i := range info.working {
		info.working[i] = !c.weekend[weekdayOf(first+i)]
	}
	for _, h := range holidays {
		info.working[h.Date.dayNumber()-first] = false
	}
	for j := range c.extraWork {
		if j >= first && j < first+len(info.working) {
			info.working[j-first] = true
		}
	}
	info.cum = make([]int, len(info.working)+1)
	for i, w := range info.working {
		info.cum[i+1] = info.cum[i]
		if w {
			info.cum[i+1]++
		}
	}
	return info
}
