package sample

// Dates are counted in days since 1970-01-01 in the proleptic Gregorian
// calendar, which keeps member generation free of time.Time arithmetic.

// daysFromCivil returns the day number of y-m-d (m 1..12, d 1..31).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// civil is a calendar date, for the arithmetic that needs its parts.
type civil struct{ y, m, d int }

func toCivil(day int) civil {
	y, m, d := civilFromDays(day)
	return civil{y, m, d}
}

// after returns the day n years after c, the way time.Time.AddDate counts:
// 29 February becomes 1 March in a common year. Someone born on c turns n
// on that day.
func (c civil) after(n int) int {
	y, m, d := c.y+n, c.m, c.d
	if m == 2 && d == 29 && !isLeap(y) {
		m, d = 3, 1
	}
	return daysFromCivil(y, m, d)
}

// before returns the day n years before c on the same month and day, or
// 28 February for a 29 February that year lacks: the last day on which
// someone is born who is n years old on c.
func (c civil) before(n int) int {
	y, m, d := c.y-n, c.m, c.d
	if m == 2 && d == 29 && !isLeap(y) {
		d = 28
	}
	return daysFromCivil(y, m, d)
}

// yearsTo returns the age on at, in whole years, of someone born on c.
func (c civil) yearsTo(at civil) int {
	age := at.y - c.y
	if at.m < c.m || at.m == c.m && at.d < c.d {
		age--
	}
	return age
}

// addYears moves a day n years on; see civil.after.
func addYears(day, n int) int { return toCivil(day).after(n) }

// yearsBefore moves a day n years back; see civil.before.
func yearsBefore(day, n int) int { return toCivil(day).before(n) }

// ageAt returns the age in whole years, on day at, of someone born on born.
func ageAt(born, at int) int { return toCivil(born).yearsTo(toCivil(at)) }

// appendDate appends day as YYYY-MM-DD (schema.DateLayout).
func appendDate(b []byte, day int) []byte { return appendCivil(b, toCivil(day)) }

func appendCivil(b []byte, c civil) []byte {
	b = appendPadded(b, c.y, 4)
	b = append(b, '-')
	b = appendPadded(b, c.m, 2)
	b = append(b, '-')
	return appendPadded(b, c.d, 2)
}

// appendPadded appends the non-negative v in decimal, zero-padded to width.
func appendPadded(b []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}
