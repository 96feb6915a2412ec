package sample

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidOptions is wrapped by the errors of options that cannot shape a
// tree or members; the message names each wrong option.
var ErrInvalidOptions = errors.New("sample: invalid options")

// Levels used by generated trees; each is one of schema.DefaultLevels.
const (
	LevelProvince   = "province"
	LevelDistrict   = "district"
	LevelCommune    = "commune"
	LevelGrassroots = "grassroots"
	LevelCell       = "cell"
)

// Defaults of Options.
const (
	DefaultCommunes                 = 10
	DefaultCellsPerCommune          = 8
	DefaultWorkplaceCellsPerCommune = 2
	DefaultWorkplaces               = 16
	DefaultCellsPerWorkplace        = 5
	DefaultProbationaryShare        = 0.03
	DefaultFemaleShare              = 0.36
	DefaultResidenceShare           = 0.6
)

// DefaultReference is the reference date of DefaultOptions: the "today" of
// generated data.
var DefaultReference = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// membersPerCommune is about how many members a commune and its share of
// the workplace committees hold in a realistic tree (cells of 30 to 40).
const membersPerCommune = 700

// Options shape a generated tree and its members. The counts are means:
// each commune or workplace draws its own number of cells between half and
// one and a half times the mean, so trees are not uniform.
type Options struct {
	// Top is the level of the office at the top of the tree: LevelProvince
	// (a Tỉnh ủy or Thành ủy, the structure since July 2025) or
	// LevelDistrict (a Huyện ủy, Quận ủy or Thị ủy, as before).
	Top string
	// Province places the tree, its addresses and the codes of its citizen
	// IDs; one of ProvinceNames, or "" to let the seed choose one of the 34
	// provinces and cities of 2025.
	Province string

	Communes                 int // communes and wards under the top office
	CellsPerCommune          int // residential cells per commune (at least one each)
	WorkplaceCellsPerCommune int // cells of schools, health stations, police in a commune
	Workplaces               int // workplace grassroots committees under the top office
	CellsPerWorkplace        int // cells per workplace committee; 0 makes grassroots cells

	// Reference is the date the data describes: ages, probation and badges
	// are counted to it. Only its calendar date matters.
	Reference time.Time
	// ProbationaryShare is the share of members admitted within the 12
	// months before Reference.
	ProbationaryShare float64
	// FemaleShare is the share of women.
	FemaleShare float64
	// ResidenceShare is the share of members of workplace cells registered
	// with the committee of the commune they live in (213 members).
	ResidenceShare float64
}

// DefaultOptions returns the options of a provincial tree of about 180
// cells, suited to a few thousand members.
func DefaultOptions() Options {
	return Options{
		Top:                      LevelProvince,
		Communes:                 DefaultCommunes,
		CellsPerCommune:          DefaultCellsPerCommune,
		WorkplaceCellsPerCommune: DefaultWorkplaceCellsPerCommune,
		Workplaces:               DefaultWorkplaces,
		CellsPerWorkplace:        DefaultCellsPerWorkplace,
		Reference:                DefaultReference,
		ProbationaryShare:        DefaultProbationaryShare,
		FemaleShare:              DefaultFemaleShare,
		ResidenceShare:           DefaultResidenceShare,
	}
}

// ScaledOptions returns DefaultOptions with as many communes and workplace
// committees as members people need, so that cells keep a realistic size
// (30 to 40 members on average) at any scale.
func ScaledOptions(members int) Options {
	o := DefaultOptions()
	o.Communes = max(1, (members+membersPerCommune/2)/membersPerCommune)
	o.Workplaces = max(1, o.Communes*8/5)
	return o
}

func (o Options) validate() error {
	var errs []error
	if o.Top != LevelProvince && o.Top != LevelDistrict {
		errs = append(errs, fmt.Errorf("top level %q: want %q or %q", o.Top, LevelProvince, LevelDistrict))
	}
	if o.Province != "" && lookupProvince(o.Province) == nil {
		errs = append(errs, fmt.Errorf("province %q: want one of ProvinceNames, or \"\" to let the seed choose", o.Province))
	}
	for _, c := range []struct {
		name string
		v    int
	}{
		{"communes", o.Communes},
		{"cells per commune", o.CellsPerCommune},
		{"workplace cells per commune", o.WorkplaceCellsPerCommune},
		{"workplaces", o.Workplaces},
		{"cells per workplace", o.CellsPerWorkplace},
	} {
		if c.v < 0 {
			errs = append(errs, fmt.Errorf("%s is %d: want zero or more", c.name, c.v))
		}
	}
	if o.Communes+o.Workplaces <= 0 {
		errs = append(errs, errors.New("no communes and no workplaces: want at least one of either"))
	}
	if y := o.Reference.Year(); y < 1990 || y > 2199 {
		errs = append(errs, fmt.Errorf("reference date %s: want a date between 1990 and 2199", o.Reference.Format("2006-01-02")))
	}
	for _, s := range []struct {
		name string
		v    float64
	}{
		{"probationary share", o.ProbationaryShare},
		{"female share", o.FemaleShare},
		{"residence share", o.ResidenceShare},
	} {
		if !(s.v >= 0 && s.v <= 1) {
			errs = append(errs, fmt.Errorf("%s is %v: want a number from 0 to 1", s.name, s.v))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidOptions, errors.Join(errs...))
	}
	return nil
}
