package schema

import "time"

// CheckDates judges the dates of a member record that a local write would
// leave: a birth, admission or full-membership date in the future, an
// admission not after the birth, full membership before the admission.
// current is the record as it stands (nil for a new member) and write the
// fields the write sets (an empty value clears one). Only what the write
// touches is judged, so a record that already holds such dates can still be
// edited. The error is a *FieldError naming the field.
//
// It is a check on what a clerk enters, made by the node that signs the
// op; it is not a rule of the ledger. Ops from other committees are not
// judged by it, and a node's clock does not decide whether it accepts them.
// today is the writer's date; a date up to one day after it passes, for a
// clerk whose time zone is ahead of the node's clock.
func CheckDates(current, write map[string]string, today time.Time) error {
	get := func(k string) string {
		if v, ok := write[k]; ok {
			return v
		}
		return current[k]
	}
	touched := func(ks ...string) bool {
		for _, k := range ks {
			if _, ok := write[k]; ok {
				return true
			}
		}
		return false
	}
	for _, k := range []string{"born", "admitted", "full"} {
		if err := CheckPast(k, write[k], today); err != nil {
			return err
		}
	}
	born, admitted, full := get("born"), get("admitted"), get("full")
	if born != "" && admitted != "" && admitted <= born && touched("born", "admitted") {
		if _, ok := write["admitted"]; !ok {
			return &FieldError{Field: "born", Value: born, Reason: "not before the admission date " + admitted}
		}
		return &FieldError{Field: "admitted", Value: admitted, Reason: "not after the birth date " + born}
	}
	if admitted != "" && full != "" && full < admitted && touched("admitted", "full") {
		if _, ok := write["full"]; !ok {
			return &FieldError{Field: "admitted", Value: admitted, Reason: "after the full-membership date " + full}
		}
		return &FieldError{Field: "full", Value: full, Reason: "before the admission date " + admitted}
	}
	return nil
}

// CheckPast refuses the date of something that happened (a birth, a
// movement) if it is after today, allowing a day for a clerk whose time zone
// is ahead of the node's clock; an empty date passes. Like CheckDates, it
// judges local writes only.
func CheckPast(field, date string, today time.Time) error {
	if date != "" && date > today.AddDate(0, 0, 1).Format(DateLayout) {
		return &FieldError{Field: field, Value: date, Reason: "a date in the future (today is " + today.Format(DateLayout) + ")"}
	}
	return nil
}
