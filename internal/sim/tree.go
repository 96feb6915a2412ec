package sim

import (
	"lienthong/internal/sample"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// committeesPerCommune is about how many committees one commune adds to a
// tree of sample.DefaultOptions, with its share of workplace committees:
// the commune, 8 residential and 2 workplace cells, and 1.6 grassroots
// committees of 5 cells.
const committeesPerCommune = 20

// buildTree generates the committee tree of seed, with at least nodes
// committees.
func buildTree(seed uint64, nodes int) (*sample.Tree, sample.Options, error) {
	opts := sample.DefaultOptions()
	communes := max(1, (nodes-1)/committeesPerCommune)
	for {
		opts.Communes = communes
		opts.Workplaces = max(1, communes*8/5)
		t, err := sample.NewTree(seed, opts)
		if err != nil {
			return nil, opts, err
		}
		if len(t.Committees) >= nodes {
			return t, opts, nil
		}
		communes++
	}
}

// charters signs the charter of every committee, by its parent (the root's
// by itself), in tree order with clocks from base milliseconds.
func charters(t *sample.Tree, sites []*site, base int64) []*schema.Decoded {
	out := make([]*schema.Decoded, 0, len(t.Committees))
	var heads []schema.OpID
	hlc := schema.MakeHLC(base, 0)
	for i, c := range t.Committees {
		body := &schema.CharterBody{ID: sites[i].id, Name: c.Name, Level: c.Level, Kind: c.Kind, IssuedAt: "2025-07-01"}
		author := sites[i].signer
		if c.Parent >= 0 {
			body.Parent = sites[c.Parent].id
			author = sites[c.Parent].signer
		}
		hlc++
		d := testkit.Sign(author, testkit.Op(author, schema.DirectoryLedger, hlc, heads, body))
		heads = []schema.OpID{d.ID}
		out = append(out, d)
	}
	return out
}
