package report

import (
	"errors"
	"fmt"
	"time"

	"lienthong/internal/calendar"
)

// ErrInvalidConfig is wrapped by Config.Validate.
var ErrInvalidConfig = errors.New("report: invalid config")

// Defaults of Config: the numbers of DOMAIN.md.
const (
	DefaultTransferPresentDays    = 30 // working days from issue to presentation (QĐ 294)
	DefaultTransferStartDays      = 60 // working days from the move to the issue (QĐ 294 §6.3.1)
	DefaultLeaveWarnDays          = 30 // days before a leave ends (01-HD/TW §10.3)
	DefaultLeaveMaxMonths         = 12 // months away in all before a transfer is due
	DefaultLeaveChainGapDays      = 31 // a leave this close after the last one continues it
	DefaultExemptionRatePercent   = 10 // a unit's exemption rate above this is reviewed
	DefaultResidenceAcceptDays    = 30 // working days from introduction to acceptance
	DefaultMeetingMonths          = 6  // months between residence meetings (213 Art. 4)
	DefaultAbsenceThreshold       = 3  // unexcused absences in a year to notify the workplace
	DefaultProbationMonths        = 12 // probation before full membership
	DefaultProbationWarnDays      = 30 // days before probation ends
	DefaultInactiveMonths         = 3  // months without activity or dues in a year (Charter Art. 8)
	DefaultExcellentPercentOfGood = 20 // excellent ≤ this share of good (366-QĐ/TW)
)

// MonthDay is a day of the year: 1 October is MonthDay{time.October, 1}.
type MonthDay struct {
	Month time.Month
	Day   int
}

// In returns the date of md in year.
func (md MonthDay) In(year int) calendar.Date { return calendar.NewDate(year, md.Month, md.Day) }

func (md MonthDay) valid() bool {
	return calendar.NewDate(2001, md.Month, md.Day).IsValid()
}

// Config holds every number the rules use. Start from DefaultConfig.
type Config struct {
	// Calendar counts working days; nil means calendar.DefaultOptions.
	Calendar *calendar.Calendar

	// TransferPresentDays: a transfer letter is presented at the
	// destination within this many working days of its issue.
	TransferPresentDays int
	// TransferStartDays: the sending side issues the letter within this
	// many working days of the decision or move (MovedOn), or records why
	// not (LateReason).
	TransferStartDays int

	// LeaveWarnDays: an away-work leave is flagged this many days before
	// its current end.
	LeaveWarnDays int
	// LeaveMaxMonths: a member away this many months in all (consecutive
	// leaves) should transfer their party activity instead.
	LeaveMaxMonths int
	// LeaveChainGapDays: a leave that starts within this many days of the
	// end of the one before continues the same absence.
	LeaveChainGapDays int

	// ExemptionRatePercent: a unit whose share of exempt members is
	// strictly above this percentage is flagged.
	ExemptionRatePercent int

	// ResidenceAcceptDays: a residence introduction is accepted within
	// this many working days of its date.
	ResidenceAcceptDays int
	// MeetingMonths: a registered member attends a residence meeting at
	// least this often (months since acceptance or the last meeting).
	MeetingMonths int
	// AbsenceThreshold: this many unexcused absences from residence
	// meetings in a calendar year are reported to the workplace.
	AbsenceThreshold int
	// RequestFrom: from this day the home committee should have asked for
	// the year's residence comment.
	RequestFrom MonthDay
	// CommentFrom: from this day (or from the request, if earlier) the
	// residence committee owes the year's comment.
	CommentFrom MonthDay

	// ProbationMonths: probation lasts this long from admission.
	ProbationMonths int
	// ProbationWarnDays: full membership is flagged this many days before
	// probation ends.
	ProbationWarnDays int

	// InactiveMonths: this many months without activity or dues, without a
	// valid reason, in a calendar year call for a removal proposal.
	InactiveMonths int

	// RatingFrom: from this day every member not exempt should be rated for
	// the year.
	RatingFrom MonthDay
	// ExcellentPercentOfGood: in a unit, members rated excellent may be at
	// most this percentage of those rated good.
	ExcellentPercentOfGood int
}

// DefaultConfig returns the numbers of DOMAIN.md and the default
// working-day calendar.
func DefaultConfig() Config {
	return Config{
		Calendar:               defaultCalendar(),
		TransferPresentDays:    DefaultTransferPresentDays,
		TransferStartDays:      DefaultTransferStartDays,
		LeaveWarnDays:          DefaultLeaveWarnDays,
		LeaveMaxMonths:         DefaultLeaveMaxMonths,
		LeaveChainGapDays:      DefaultLeaveChainGapDays,
		ExemptionRatePercent:   DefaultExemptionRatePercent,
		ResidenceAcceptDays:    DefaultResidenceAcceptDays,
		MeetingMonths:          DefaultMeetingMonths,
		AbsenceThreshold:       DefaultAbsenceThreshold,
		RequestFrom:            MonthDay{time.October, 1},
		CommentFrom:            MonthDay{time.November, 1},
		ProbationMonths:        DefaultProbationMonths,
		ProbationWarnDays:      DefaultProbationWarnDays,
		InactiveMonths:         DefaultInactiveMonths,
		RatingFrom:             MonthDay{time.December, 1},
		ExcellentPercentOfGood: DefaultExcellentPercentOfGood,
	}
}

func defaultCalendar() *calendar.Calendar {
	c, err := calendar.New(calendar.DefaultOptions())
	if err != nil {
		panic(fmt.Sprintf("report: the default calendar options are invalid: %v", err))
	}
	return c
}

// Validate reports the numbers that cannot drive the rules. The report
// functions do not call it: they use what they are given, so a command
// that reads a config file validates it once.
func (c Config) Validate() error {
	var errs []error
	for _, n := range []struct {
		name string
		v    int
		min  int
	}{
		{"transfer_present_days", c.TransferPresentDays, 1},
		{"transfer_start_days", c.TransferStartDays, 1},
		{"leave_warn_days", c.LeaveWarnDays, 0},
		{"leave_max_months", c.LeaveMaxMonths, 1},
		{"leave_chain_gap_days", c.LeaveChainGapDays, 0},
		{"exemption_rate_percent", c.ExemptionRatePercent, 0},
		{"residence_accept_days", c.ResidenceAcceptDays, 1},
		{"meeting_months", c.MeetingMonths, 1},
		{"absence_threshold", c.AbsenceThreshold, 1},
		{"probation_months", c.ProbationMonths, 1},
		{"probation_warn_days", c.ProbationWarnDays, 0},
		{"inactive_months", c.InactiveMonths, 1},
		{"excellent_percent_of_good", c.ExcellentPercentOfGood, 0},
	} {
		if n.v < n.min {
			errs = append(errs, fmt.Errorf("%s is %d, want %d or more", n.name, n.v, n.min))
		}
	}
	if c.ExemptionRatePercent > 100 {
		errs = append(errs, fmt.Errorf("exemption_rate_percent is %d, want at most 100", c.ExemptionRatePercent))
	}
	for _, d := range []struct {
		name string
		v    MonthDay
	}{{"request_from", c.RequestFrom}, {"comment_from", c.CommentFrom}, {"rating_from", c.RatingFrom}} {
		if !d.v.valid() {
			errs = append(errs, fmt.Errorf("%s is month %d day %d, not a day of the year", d.name, int(d.v.Month), d.v.Day))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
	}
	return nil
}

func (c Config) calendar() *calendar.Calendar {
	if c.Calendar != nil {
		return c.Calendar
	}
	return fallbackCalendar
}

var fallbackCalendar = defaultCalendar()
