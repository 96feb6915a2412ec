package schema_test

import (
	"errors"
	"testing"
	"time"

	"lienthong/schema"
)

func TestCheckDates(t *testing.T) {
	today := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	record := map[string]string{"name": "Lò Văn Páo", "born": "1980-02-03", "admitted": "2005-06-07", "full": "2006-06-07"}
	odd := map[string]string{"born": "1980-02-03", "admitted": "1979-01-01"} // from before the check
	for _, c := range []struct {
		name           string
		current, write map[string]string
		field          string // "" for no error
	}{
		{"a new member", nil, record, ""},
		{"born today", nil, map[string]string{"born": "2026-11-28"}, ""},
		{"a day ahead (time zones)", nil, map[string]string{"admitted": "2026-11-29"}, ""},
		{"born in the future", nil, map[string]string{"born": "2090-01-01"}, "born"},
		{"admitted in the future", record, map[string]string{"admitted": "2027-01-01", "full": ""}, "admitted"},
		{"full in the future", record, map[string]string{"full": "2026-12-01"}, "full"},
		{"admitted before born", nil, map[string]string{"born": "1990-01-01", "admitted": "1985-01-01"}, "admitted"},
		{"admitted on the birthday", nil, map[string]string{"born": "1990-01-01", "admitted": "1990-01-01"}, "admitted"},
		{"born moved after the admission", record, map[string]string{"born": "2010-01-01"}, "born"},
		{"full before admitted", nil, map[string]string{"admitted": "2015-01-01", "full": "2010-01-01"}, "full"},
		{"full set before the stored admission", record, map[string]string{"full": "2004-01-01"}, "full"},
		{"admission moved after full", record, map[string]string{"admitted": "2007-01-01"}, "admitted"},
		{"full on the admission day", nil, map[string]string{"admitted": "2015-01-01", "full": "2015-01-01"}, ""},
		{"clearing the admission", record, map[string]string{"admitted": ""}, ""},
		{"an old odd record, other field written", odd, map[string]string{"phone": "0912345678"}, ""},
		{"an old odd record, admission fixed", odd, map[string]string{"admitted": "2001-01-01"}, ""},
	} {
		err := schema.CheckDates(c.current, c.write, today)
		if c.current == nil && len(c.write) == 1 && err == nil {
			for k, v := range c.write {
				if schema.CheckPast(k, v, today) != nil {
					t.Errorf("%s: CheckPast refuses what CheckDates takes", c.name)
				}
			}
		}
		var fe *schema.FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, schema.ErrInvalidField)):
			t.Errorf("%s: got %v, want an error on field %s", c.name, err, c.field)
		}
	}
}
