package schema

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalidField is wrapped by every field validation error.
var ErrInvalidField = errors.New("invalid field")

// FieldError names the field that is wrong and why.
type FieldError struct {
	Field  string
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("field %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("field %s=%q: %s", e.Field, e.Value, e.Reason)
}

func (e *FieldError) Unwrap() error { return ErrInvalidField }

// Field describes one member record field.
type Field struct {
	Name  string // identifier used in ops, CLI, API, CSV
	Label string // Vietnamese label as clerks' registers print it
	// Aliases are other header spellings accepted on import (compared after
	// folding case and diacritics).
	Aliases []string
	check   func(string) string // "" if valid, else the reason
}

// DateLayout is the wire form of every date.
const DateLayout = "2006-01-02"

// The checks below are written out rather than as regular expressions: they
// run for every field of every op a node receives, and a regular expression
// match costs more than the rest of a field's validation together.

// isDigits reports whether v is exactly n ASCII digits.
func isDigits(v string, n int) bool {
	if len(v) != n {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func checkDigits(n int, what string) func(string) string {
	return func(v string) string {
		if !isDigits(v, n) {
			return what
		}
		return ""
	}
}

// checkProfile accepts a profile number: 6 digits, then 1 to 3 letters
// (A–Z, a–z, Đ, đ).
func checkProfile(v string) string {
	const what = "want 6 digits and 1 to 3 letters"
	if len(v) < 7 || !isDigits(v[:6], 6) {
		return what
	}
	letters := 0
	for _, r := range v[6:] {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == 'Đ' || r == 'đ') {
			return what
		}
		letters++
	}
	if letters > 3 {
		return what
	}
	return ""
}

// checkPhone accepts an optional leading +, then 8 to 15 of digits, spaces,
// dots and hyphens.
func checkPhone(v string) string {
	const what = "want a phone number of 8 to 15 digits"
	v = strings.TrimPrefix(v, "+")
	if len(v) < 8 || len(v) > 15 {
		return what
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c == ' ' || c == '.' || c == '-') {
			return what
		}
	}
	return ""
}

// checkDate accepts what time.Parse(DateLayout, v) accepts, a real date
// as YYYY-MM-DD, in the years 1900 to 2200.
func checkDate(v string) string {
	const what = "want a date as YYYY-MM-DD"
	if len(v) != 10 || v[4] != '-' || v[7] != '-' || !isDigits(v[:4], 4) || !isDigits(v[5:7], 2) || !isDigits(v[8:], 2) {
		return what
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, m, d := num(v[:4]), num(v[5:7]), num(v[8:])
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return what
	}
	if y < 1900 || y > 2200 {
		return "year out of range"
	}
	return ""
}

// daysIn is the number of days in month m of year y.
func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func checkEnum(values ...string) func(string) string {
	return func(v string) string {
		for _, x := range values {
			if v == x {
				return ""
			}
		}
		return "want one of " + strings.Join(values, ", ")
	}
}

func checkText(v string) string { return "" }

// Sex values.
const (
	SexMale   = "M"
	SexFemale = "F"
)

// Fields lists the member record fields in register order.
var Fields = []Field{
	{Name: "name", Label: "Họ và tên", Aliases: []string{"họ tên", "full name", "tên"}, check: checkText},
	{Name: "sex", Label: "Giới tính", Aliases: []string{"gender"}, check: checkEnum(SexMale, SexFemale)},
	{Name: "born", Label: "Ngày sinh", Aliases: []string{"ngày tháng năm sinh", "date of birth", "dob"}, check: checkDate},
	{Name: "birthplace", Label: "Nơi sinh", Aliases: []string{"place of birth"}, check: checkText},
	{Name: "hometown", Label: "Quê quán", Aliases: []string{"home town"}, check: checkText},
	{Name: "ethnicity", Label: "Dân tộc", check: checkText},
	{Name: "religion", Label: "Tôn giáo", check: checkText},
	{Name: "citizen_id", Label: "Số CCCD", Aliases: []string{"số căn cước công dân", "căn cước công dân", "cccd", "citizen id"}, check: checkDigits(12, "want 12 digits")},
	{Name: "address", Label: "Nơi thường trú", Aliases: []string{"địa chỉ thường trú", "thường trú", "permanent address"}, check: checkText},
	{Name: "temp_address", Label: "Nơi tạm trú", Aliases: []string{"địa chỉ tạm trú", "tạm trú", "temporary address"}, check: checkText},
	{Name: "phone", Label: "Số điện thoại", Aliases: []string{"điện thoại", "sđt"}, check: checkPhone},
	{Name: "occupation", Label: "Nghề nghiệp", check: checkText},
	{Name: "workplace", Label: "Nơi làm việc", Aliases: []string{"đơn vị công tác", "cơ quan công tác"}, check: checkText},
	{Name: "education", Label: "Trình độ học vấn", Aliases: []string{"trình độ chuyên môn", "học vấn"}, check: checkText},
	{Name: "theory", Label: "Lý luận chính trị", Aliases: []string{"trình độ lý luận chính trị"}, check: checkText},
	{Name: "card", Label: "Số thẻ đảng viên", Aliases: []string{"số thẻ", "số thẻ đv", "card number"}, check: checkDigits(8, "want 8 digits")},
	{Name: "profile", Label: "Số lý lịch", Aliases: []string{"số lý lịch đảng viên", "profile number"}, check: checkProfile},
	{Name: "register_line", Label: "Số đăng ký", Aliases: []string{"số thứ tự trong sổ", "register line"}, check: checkText},
	{Name: "admitted", Label: "Ngày vào Đảng", Aliases: []string{"ngày kết nạp", "admission date"}, check: checkDate},
	{Name: "full", Label: "Ngày chính thức", Aliases: []string{"ngày công nhận chính thức", "full membership date"}, check: checkDate},
	{Name: "badge", Label: "Huy hiệu Đảng", Aliases: []string{"huy hiệu"}, check: checkText},
}

var fieldIndex = func() map[string]*Field {
	m := make(map[string]*Field, len(Fields))
	for i := range Fields {
		m[Fields[i].Name] = &Fields[i]
	}
	return m
}()

// LookupField returns the field called name.
func LookupField(name string) (*Field, bool) {
	f, ok := fieldIndex[name]
	return f, ok
}

// FieldNames lists the field identifiers in register order.
func FieldNames() []string {
	out := make([]string, len(Fields))
	for i, f := range Fields {
		out[i] = f.Name
	}
	return out
}

// ValidateField checks one field value. An empty value clears the field and
// is valid for every field but name.
func ValidateField(name, value string) error { return validateField(name, value, false) }

// validateField is ValidateField; decoded says value was decoded from a
// CBOR text string, which the decoders accept only in valid UTF-8.
func validateField(name, value string, decoded bool) error {
	f, ok := fieldIndex[name]
	if !ok {
		return &FieldError{Field: name, Reason: "unknown field; known fields: " + strings.Join(FieldNames(), ", ")}
	}
	if !decoded && !utf8.ValidString(value) {
		return &FieldError{Field: name, Reason: "not valid UTF-8"}
	}
	if len(value) > MaxFieldValue {
		return &FieldError{Field: name, Reason: fmt.Sprintf("longer than %d bytes", MaxFieldValue)}
	}
	if value != strings.TrimSpace(value) {
		return &FieldError{Field: name, Value: value, Reason: "leading or trailing spaces"}
	}
	if value == "" {
		if name == "name" {
			return &FieldError{Field: name, Reason: "a member must have a name"}
		}
		return nil
	}
	if reason := f.check(value); reason != "" {
		return &FieldError{Field: name, Value: value, Reason: reason}
	}
	return nil
}

// ValidateFields checks a set of field writes, in name order so that the
// first error reported is stable.
func ValidateFields(fields map[string]string) error { return validateFields(fields, false) }

// validateFields is ValidateFields; decoded as for validateField.
func validateFields(fields map[string]string, decoded bool) error {
	if len(fields) == 0 {
		return &FieldError{Field: "fields", Reason: "no field given"}
	}
	if len(fields) > MaxFields {
		return &FieldError{Field: "fields", Reason: fmt.Sprintf("%d fields, limit %d", len(fields), MaxFields)}
	}
	bad := false
	for k, v := range fields {
		if validateField(k, v, decoded) != nil {
			bad = true
			break
		}
	}
	if !bad {
		return nil
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := validateField(k, fields[k], decoded); err != nil {
			return err
		}
	}
	return nil
}
