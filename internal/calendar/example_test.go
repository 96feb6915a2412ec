package calendar_test

import (
	"fmt"
	"time"

	"lienthong/internal/calendar"
)

func ExampleCalendar_AddWorkingDays() {
	c, err := calendar.New(calendar.DefaultOptions())
	if err != nil {
		panic(err)
	}
	issued, _ := calendar.Parse("10/02/2026")
	due := c.AddWorkingDays(issued, 30)
	fmt.Println(due.FormatDMY(), due.Weekday())
	presented := calendar.NewDate(2026, time.April, 1)
	fmt.Println(c.WorkingDaysBetween(issued, presented) > 30)
	// Output:
	// 31/03/2026 Tuesday
	// true
}

func ExampleSolarToLunar() {
	l := calendar.SolarToLunar(calendar.NewDate(2024, time.April, 18))
	fmt.Println(l)
	d, _ := calendar.LunarToSolar(calendar.LunarDate{Year: 2023, Month: 2, Day: 1, Leap: true})
	fmt.Println(d)
	// Output:
	// 10/03/2024
	// 2023-03-22
}
