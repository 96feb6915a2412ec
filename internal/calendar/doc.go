// Package calendar is the Vietnamese working-day calendar: the lunar
// calendar (âm lịch), the public holidays of Labour Code 2019 Art. 112 and the
// arithmetic of deadlines counted in working days ("present the transfer
// letter within 30 working days").
//
// It owns three things:
//
//   - Date, a civil date (year, month, day) without time of day or zone, with
//     parsing and formatting for YYYY-MM-DD (data) and dd/mm/yyyy (people).
//     Code holding a time.Time converts with DateOf in the zone it means;
//     Date.Time gives midnight UTC back.
//   - The conversion between Gregorian and lunar dates, SolarToLunar and
//     LunarToSolar, computed with Hồ Ngọc Đức's algorithm: new moons and the
//     sun's longitude per Meeus, reckoned for UTC+7. Months begin on the day
//     of the new moon; month 11 holds the December solstice; in a span of 13
//     months between two months 11, the first month holding no major solar
//     term is the leap month and repeats the number of the month before it.
//     No table of years is typed in.
//   - Calendar, which decides whether a day is worked under Options: weekly
//     rest days, public holidays (1 January; Tết; Hùng Kings day, 10/3
//     lunar; 30 April; 1 May; 2 September and a day beside it), days off in
//     lieu, and configured extra days off and extra workdays.
//
// Invariants:
//
//   - Everything is pure: no clock, no I/O, no randomness; the same input
//     always gives the same output. A Calendar is immutable after New and
//     safe for concurrent use; it computes each year's holidays once, on
//     first use.
//   - For every valid Date d, LunarToSolar(SolarToLunar(d)) == d. Lunar
//     months have 29 or 30 days and a lunar year 12 months, or 13 with one
//     leap month.
//   - A day is a working day iff it is an extra workday, or it is neither a
//     weekly rest day nor listed by Holidays. Extra workdays win over every
//     other rule.
//   - For n > 0, AddWorkingDays(a, n) is a working day after a and
//     WorkingDaysBetween(a, AddWorkingDays(a, n)) == n: the first day is the
//     day after a, as in "within n working days of issue".
//
// Limits: the holiday rules of Labour Code 2019 (in force since 2021) are
// applied to every year; earlier years had other rules and can be corrected
// only through the extra lists. The lunar calendar is computed for UTC+7 in
// every year; before 1968 Vietnam followed the UTC+8 (Chinese) reckoning, so
// older lunar dates can differ from those then in use (Tết 1968 falls on
// 29 January here, 30 January in the South at the time). The astronomical
// series are accurate for roughly 1800–2199.
package calendar
