package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"lienthong/internal/calendar"
	"lienthong/internal/datadir"
	"lienthong/internal/report"
)

// ruleSettings maps the config file's rule names to the report settings.
func ruleSettings(c *report.Config) map[string]*int {
	return map[string]*int{
		"transfer_present_days":     &c.TransferPresentDays,
		"transfer_start_days":       &c.TransferStartDays,
		"leave_warn_days":           &c.LeaveWarnDays,
		"leave_max_months":          &c.LeaveMaxMonths,
		"exemption_rate_percent":    &c.ExemptionRatePercent,
		"residence_accept_days":     &c.ResidenceAcceptDays,
		"meeting_months":            &c.MeetingMonths,
		"absence_threshold":         &c.AbsenceThreshold,
		"probation_months":          &c.ProbationMonths,
		"probation_warn_days":       &c.ProbationWarnDays,
		"inactive_months":           &c.InactiveMonths,
		"excellent_percent_of_good": &c.ExcellentPercentOfGood,
	}
}

// reportConfig builds the alert rules from the config file: the defaults of
// DOMAIN.md, with the numbers and the calendar's extra days it overrides.
func reportConfig(cfg datadir.Config) (report.Config, error) {
	rc := report.DefaultConfig()
	settings := ruleSettings(&rc)
	for name, v := range cfg.Rules {
		p, ok := settings[name]
		if !ok {
			names := make([]string, 0, len(settings))
			for n := range settings {
				names = append(names, n)
			}
			sort.Strings(names)
			return rc, fmt.Errorf("config: unknown rule %q; known rules: %s", name, strings.Join(names, ", "))
		}
		*p = v
	}
	if len(cfg.Holidays) > 0 || len(cfg.Workdays) > 0 {
		opts := calendar.DefaultOptions()
		for _, list := range []struct {
			in  []string
			out *[]calendar.Date
		}{{cfg.Holidays, &opts.ExtraHolidays}, {cfg.Workdays, &opts.ExtraWorkdays}} {
			for _, s := range list.in {
				d, err := calendar.Parse(s)
				if err != nil {
					return rc, fmt.Errorf("config: day %q: want YYYY-MM-DD", s)
				}
				*list.out = append(*list.out, d)
			}
		}
		cal, err := calendar.New(opts)
		if err != nil {
			return rc, fmt.Errorf("config: %w", err)
		}
		rc.Calendar = cal
	}
	if err := rc.Validate(); err != nil {
		return rc, fmt.Errorf("config: %w", err)
	}
	return rc, nil
}

// ruleNames lists the rule settings, for help texts.
func ruleNames() string {
	var rc report.Config
	names := make([]string, 0, 12)
	for n := range ruleSettings(&rc) {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
