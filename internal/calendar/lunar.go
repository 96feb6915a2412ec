package calendar

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalidLunarDate is wrapped by LunarToSolar when the lunar date does not
// exist: a month outside 1–12, day 30 of a 29-day month, or a leap month the
// year does not have.
var ErrInvalidLunarDate = errors.New("calendar: invalid lunar date")

// VietnamTimeZone is the offset from UTC, in hours, for which new moons and
// solar terms are reckoned. The Vietnamese calendar uses UTC+7; the Chinese
// one uses UTC+8, which is why the two disagree in some years (Tết 1985 and
// 2007, for instance).
const VietnamTimeZone = 7

const (
	synodicMonth = 29.530588853      // mean lunation, days
	lunationBase = 2415021.076998695 // Julian day of the mean new moon of January 1900 (k = 0)
	degree       = math.Pi / 180
)

// LunarDate is a date of the Vietnamese lunisolar calendar (âm lịch).
type LunarDate struct {
	// Year is numbered like the Gregorian year in which its first day (Tết)
	// falls: lunar 1/1/2024 is 10 February 2024.
	Year int
	// Month is 1–12. A leap month repeats the number of the month before it.
	Month int
	// Day is 1–30.
	Day int
	// Leap marks the leap month (tháng nhuận).
	Leap bool
}

// String formats l as dd/mm/yyyy, with " (nhuận)" after a leap month's date.
func (l LunarDate) String() string {
	s := fmt.Sprintf("%02d/%02d/%04d", l.Day, l.Month, l.Year)
	if l.Leap {
		s += " (nhuận)"
	}
	return s
}

// SolarToLunar converts a Gregorian date to the Vietnamese lunar calendar.
func SolarToLunar(d Date) LunarDate { return solarToLunar(d, VietnamTimeZone) }

// LunarToSolar converts a Vietnamese lunar date to the Gregorian calendar. It
// returns an error wrapping ErrInvalidLunarDate if the date does not exist.
func LunarToSolar(l LunarDate) (Date, error) { return lunarToSolar(l, VietnamTimeZone) }

// LunarNewYear returns the Gregorian date of Tết (lunar 1/1) of year.
func LunarNewYear(year int) Date {
	d, err := lunarToSolar(LunarDate{Year: year, Month: 1, Day: 1}, VietnamTimeZone)
	if err != nil {
		panic(err) // every lunar year has a first month of at least 29 days
	}
	return d
}

// LeapMonth returns the number of the month that lunar year year repeats as a
// leap month, or 0 if the year has twelve months.
func LeapMonth(year int) int { return leapMonth(year, VietnamTimeZone) }

// LunarMonthDays returns the length, 29 or 30 days, of a lunar month.
func LunarMonthDays(year, month int, leap bool) (int, error) {
	s, i, err := locateMonth(LunarDate{Year: year, Month: month, Day: 1, Leap: leap}, VietnamTimeZone)
	if err != nil {
		return 0, err
	}
	return s.monthStart(i+1) - s.monthStart(i), nil
}

func solarToLunar(d Date, tz float64) LunarDate {
	j := d.dayNumber()
	year := fromDayNumber(j).Year
	// The months from month 11 of the previous Gregorian year to month 11 of
	// this one hold every day from 1 January to the start of this year's
	// month 11; later days belong to the next span.
	a := month11(year, tz)
	var s span
	if j >= a {
		s = newSpan(year+1, a, month11(year+1, tz), tz)
	} else {
		s = newSpan(year, month11(year-1, tz), a, tz)
	}
	i := int(float64(j-s.start) / synodicMonth)
	for i > 0 && s.monthStart(i) > j {
		i--
	}
	for s.monthStart(i+1) <= j {
		i++
	}
	month, leap, prev := s.label(i)
	y := s.year
	if prev {
		y--
	}
	return LunarDate{Year: y, Month: month, Day: j - s.monthStart(i) + 1, Leap: leap}
}

func lunarToSolar(l LunarDate, tz float64) (Date, error) {
	s, i, err := locateMonth(l, tz)
	if err != nil {
		return Date{}, err
	}
	start := s.monthStart(i)
	if l.Day < 1 || l.Day > s.monthStart(i+1)-start {
		return Date{}, fmt.Errorf("%w: %s: the month has %d days", ErrInvalidLunarDate, l, s.monthStart(i+1)-start)
	}
	return fromDayNumber(start + l.Day - 1), nil
}

// locateMonth finds the span holding l's month and the month's offset in it.
func locateMonth(l LunarDate, tz float64) (span, int, error) {
	if l.Month < 1 || l.Month > 12 {
		return span{}, 0, fmt.Errorf("%w: month %d is not 1–12", ErrInvalidLunarDate, l.Month)
	}
	// Months 11 and 12 of lunar year Y open the span ending at month 11 of
	// Gregorian year Y+1; months 1–10 lie in the span ending in year Y.
	y := l.Year
	if l.Month >= 11 {
		y++
	}
	s := spanOf(y, tz)
	for i := 0; i < s.months(); i++ {
		m, leap, prev := s.label(i)
		if m == l.Month && leap == l.Leap && prev == (l.Month >= 11) {
			return s, i, nil
		}
	}
	return span{}, 0, fmt.Errorf("%w: lunar year %d has no leap month %d", ErrInvalidLunarDate, l.Year, l.Month)
}

func leapMonth(year int, tz float64) int {
	// A leap month numbered 1–10 lies in the span ending in Gregorian year
	// year; a leap 11 or 12 in the next span.
	for _, y := range []int{year, year + 1} {
		s := spanOf(y, tz)
		if s.leap == 0 {
			continue
		}
		m, _, prev := s.label(s.leap)
		if prev == (y == year+1) {
			return m
		}
	}
	return 0
}

// span is the run of lunar months from month 11 of Gregorian year year-1
// (the month holding the December solstice) up to, not including, month 11
// of year year. It has 12 months, or 13 when one of them, the first that
// holds no major solar term, is a leap month.
type span struct {
	year  int
	tz    float64
	k     int // lunation number of the first month
	start int // Julian day on which the first month begins
	leap  int // offset of the leap month from the first month, or 0
}

func spanOf(year int, tz float64) span {
	return newSpan(year, month11(year-1, tz), month11(year, tz), tz)
}

func newSpan(year, a11, b11 int, tz float64) span {
	s := span{
		year:  year,
		tz:    tz,
		k:     int(math.Floor((float64(a11)-lunationBase)/synodicMonth + 0.5)),
		start: a11,
	}
	if b11-a11 > 365 {
		s.leap = s.leapOffset()
	}
	return s
}

func (s span) months() int {
	if s.leap > 0 {
		return 13
	}
	return 12
}

// monthStart returns the Julian day on which the month at offset i begins.
func (s span) monthStart(i int) int { return newMoonDay(s.k+i, s.tz) }

// label names the month at offset i: its number, whether it is the leap
// month, and whether it belongs to the lunar year before s.year (months 11
// and 12 and their leap repeats).
func (s span) label(i int) (month int, leap, prev bool) {
	n := i
	if s.leap > 0 && i >= s.leap {
		n = i - 1
		leap = i == s.leap
	}
	return (n+10)%12 + 1, leap, n < 2
}

// leapOffset returns the offset of the first month during which the sun
// enters no new 30° sector of longitude (the month without a major term).
func (s span) leapOffset() int {
	i := 1
	arc := sunSector(s.monthStart(i), s.tz)
	for i < 14 {
		last := arc
		i++
		arc = sunSector(s.monthStart(i), s.tz)
		if arc == last {
			break
		}
	}
	return i - 1
}

// month11 returns the Julian day on which lunar month 11 of Gregorian year y
// begins: the month in which the December solstice falls.
func month11(y int, tz float64) int {
	off := julianDay(y, 12, 31) - 2415021
	k := int(math.Floor(float64(off) / synodicMonth))
	nm := newMoonDay(k, tz)
	if sunSector(nm, tz) >= 9 { // the sun is past 270°: the solstice came earlier
		nm = newMoonDay(k-1, tz)
	}
	return nm
}

// newMoonDay returns the local Julian day of the k-th new moon after the one
// of January 1900, following Jean Meeus, Astronomical Formulae for
// Calculators (1979), as used in Hồ Ngọc Đức's calendar algorithm.
func newMoonDay(k int, tz float64) int {
	kf := float64(k)
	t := kf / 1236.85 // Julian centuries since 1900 January 0.5
	t2 := t * t
	t3 := t2 * t
	jd := 2415020.75933 + 29.53058868*kf + 0.0001178*t2 - 0.000000155*t3
	jd += 0.00033 * math.Sin((166.56+132.87*t-0.009173*t2)*degree)
	m := 359.2242 + 29.10535608*kf - 0.0000333*t2 - 0.00000347*t3    // sun's mean anomaly
	mpr := 306.0253 + 385.81691806*kf + 0.0107306*t2 + 0.00001236*t3 // moon's mean anomaly
	f := 21.2964 + 390.67050646*kf - 0.0016528*t2 - 0.00000239*t3    // moon's argument of latitude
	c := (0.1734-0.000393*t)*math.Sin(m*degree) + 0.0021*math.Sin(2*degree*m)
	c += -0.4068*math.Sin(mpr*degree) + 0.0161*math.Sin(degree*2*mpr)
	c -= 0.0004 * math.Sin(degree*3*mpr)
	c += 0.0104*math.Sin(degree*2*f) - 0.0051*math.Sin(degree*(m+mpr))
	c += -0.0074*math.Sin(degree*(m-mpr)) + 0.0004*math.Sin(degree*(2*f+m))
	c += -0.0004*math.Sin(degree*(2*f-m)) - 0.0006*math.Sin(degree*(2*f+mpr))
	c += 0.0010*math.Sin(degree*(2*f-mpr)) + 0.0005*math.Sin(degree*(2*mpr+m))
	var deltaT float64
	if t < -11 {
		deltaT = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltaT = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return int(math.Floor(jd + c - deltaT + 0.5 + tz/24))
}

// sunSector returns which 30° sector (0–11, 0 from the March equinox) the
// sun's true longitude is in at local midnight starting Julian day j.
func sunSector(j int, tz float64) int {
	t := (float64(j) - 0.5 - tz/24 - 2451545.0) / 36525 // Julian centuries since J2000.0
	t2 := t * t
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2 // mean anomaly
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2                  // mean longitude
	dl := (1.914600-0.004817*t-0.000014*t2)*math.Sin(degree*m) +
		(0.019993-0.000101*t)*math.Sin(degree*2*m) + 0.000290*math.Sin(degree*3*m)
	l := (l0 + dl) * degree
	l -= 2 * math.Pi * math.Floor(l/(2*math.Pi))
	return int(math.Floor(l / math.Pi * 6))
}
