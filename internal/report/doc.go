// Package report computes, from member ledger states as one node holds
// them, what a committee and its subtree must act on (Alerts), what a list
// reconciliation with the levels above and below would flag (Reconcile),
// and the figures of its units (Stats).
//
// It is pure: no I/O, no clock, no randomness. The day of the report is an
// argument, and every number of the rules is a field of Config, whose
// DefaultConfig holds the defaults of DOMAIN.md. Dates are the civil dates
// of internal/calendar; deadlines in working days skip weekends and
// Vietnamese public holidays (Tết included) through Config.Calendar. A date
// in a ledger that does not parse makes the rule that needs it skip that
// item rather than guess.
//
// Alert rules, with their defaults. "Due" is the deadline; an alert is
// "overdue" once the deadline has passed and "due" while it is near or
// today.
//
//	transfer.presentation_overdue  letter not presented (nor accepted) 30 working days after issue;
//	                               one alert each for the destination, the sending home and its parent
//	transfer.start_late            letter issued more than 60 working days after MovedOn, no LateReason
//	                               (while the transfer is open); acting: the sending home
//	transfer.temporary_expired     temporary transfer past its (extended) end, not ended;
//	                               acting: the sending home and the destination
//	leave.expiring                 away-work leave ends within 30 days (due); acting: home
//	leave.expired                  leave past its (extended) end, not ended (overdue); acting: home
//	leave.review_missing           leave expired or ended without a self-review (acting: home) or,
//	                               with a destination organisation, without its comment (acting: it)
//	leave.prompt_transfer          open leave and the leaves it continues (gap ≤ 31 days) reach
//	                               12 months (as schema.MonthsBetween counts); acting: home
//	exemption.rate_high            a unit (each committee of the subtree, members homed at it or below,
//	                               not left) has strictly more than 10% exempt on the day; acting: the unit
//	exemption.expired              temporary exemption past its end, not ended; acting: home
//	residence.not_accepted         residence introduction not accepted 30 working days after its date;
//	                               acting: the residence committee
//	residence.no_meeting           no attendance recorded for 6 months since acceptance or the last
//	                               meeting; acting: the residence cell (or committee); not for members
//	                               exempt from residence activity
//	residence.absences             3 or more unexcused absences ("absent") in the calendar year;
//	                               acting: the home committee, to be informed
//	residence.request_missing      from 1 October no comment request for the year; due until
//	                               31 October; acting: home; not for members exempt from activity
//	residence.comment_missing      from 1 November, or from the request if earlier, no comment for
//	                               the year; due until 30 November; acting: the residence committee;
//	                               not for members exempt from activity
//	membership.full_due            probationary member whose admission + 12 months is within 30 days
//	                               or past; acting: home
//	inactivity.removal_proposal    3 or more months in a calendar year recorded inactive without a
//	                               valid reason (the last record of a month counts; months under an
//	                               exemption do not); acting: home
//	rating.missing                 from 1 December no rating for the year (due); before it, none for
//	                               the year before (overdue); members exempt at the year's end or
//	                               admitted after it are not rated; acting: home
//	rating.quota                   in a unit, ratings "excellent" above 20% of those "good", for the
//	                               year being rated (as for rating.missing); acting: the unit
//
// Members whose status is left get no alerts; what they still hold open is
// a reconciliation matter. An alert is kept when the committee that must
// act is the scope or below it.
//
// Reconcile reports, on a day, the discrepancy kinds of a list
// reconciliation, for the members it compares:
//
//	home.conflict                       concurrent values in the home register (two units at once)
//	member.duplicate                    one citizen ID on several ledgers not left (two units at once)
//	card.duplicate                      one card number on several ledgers
//	home.not_chartered                  home has no charter in this node's directory (member not left)
//	home.revoked                        home, or a superior of it, is revoked (member not left)
//	status.left_residence_active        member left, residence link still active
//	status.left_transfer_open           member left, transfer still open
//	status.left_leave_open              member left, away-work leave not ended
//	status.probationary_with_full_date  full-membership date recorded, no "full" movement
//	status.rated_while_exempt           rated for a year whose end an exemption covers
//	residence.home_changed              active residence link introduced by a former home
//	transfer.stuck                      issued, not accepted, 30 working days after issue
//	leave.expired                       past its (extended) end, not ended
//	residence.not_accepted              not accepted 30 working days after the introduction
//
// Stats gives, per committee of the subtree in tree order and in total,
// the headcounts, exemption rate, movements of a period and the ratings of
// a year.
//
// Output is deterministic: every list is sorted, and the JSON forms use
// snake_case names, dates as YYYY-MM-DD and IDs in their text forms.
package report
