// Package register moves clerks' member registers (CSV, .xlsx) in and out of
// a node: the glue between internal/tabular and node, shared by the CLI and
// the HTTP API.
package register

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"

	"lienthong/internal/tabular"
	"lienthong/internal/vnname"
	"lienthong/node"
	"lienthong/schema"
)

// Report is what an import did.
type Report struct {
	File    string `json:"file,omitempty"`
	Rows    int    `json:"rows"`
	Created int    `json:"created"`
	Updated int    `json:"updated"`
	Foreign int    `json:"foreign_ids"`
	// Matched counts rows without an id that were taken for the member
	// this node holds with the same card number and name: importing a
	// register twice updates its members rather than creating them again.
	Matched  int                `json:"matched_by_card"`
	Rejected []tabular.RowError `json:"rejected"`
	Warnings []string           `json:"warnings,omitempty"`
}

// chunkRows is how many rows are read before they are committed.
const chunkRows = 5000

// Import reads a register and creates or updates its members (home: new
// members' home committee, empty for this node's). Bad rows are reported
// and skipped; progress, if not nil, is called after each chunk.
func Import(n *node.Node, r io.Reader, format tabular.Format, home schema.CommitteeID, progress func(tabular.Progress)) (*Report, error) {
	rd, err := tabular.NewReader(r, format, tabular.ReadOptions{})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	rep := &Report{Rejected: []tabular.RowError{}}
	var pending []node.MemberInput
	cards := map[string]int{} // card number → the row that carries it
	// The members held before the import, by card number: a later row with
	// the card of an earlier one is refused, so no row need be matched with
	// a member this import creates.
	held, err := n.CardIndex()
	if err != nil {
		return nil, err
	}
	var lines []int // the row of each pending input
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		st, err := n.Import(pending, nil)
		rep.Created += st.Created
		rep.Updated += st.Updated
		rep.Foreign += st.Foreign
		for _, r := range st.Refused {
			var fe *schema.FieldError
			if !errors.As(r.Err, &fe) {
				fe = &schema.FieldError{Field: "", Reason: r.Err.Error()}
			}
			rep.Rejected = append(rep.Rejected, rd.RowErrorOf(lines[r.Index], fe))
		}
		pending, lines = pending[:0], lines[:0]
		if progress != nil {
			progress(rd.Progress())
		}
		return err
	}
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var bad *tabular.BadRowError
		if errors.As(err, &bad) {
			rep.Rows++
			rep.Rejected = append(rep.Rejected, bad.Errors...)
			continue
		}
		if err != nil {
			return rep, err
		}
		rep.Rows++
		in := node.MemberInput{Home: home, Fields: row.Fields}
		if row.ID != "" {
			if in.ID, err = schema.ParseLedgerID(row.ID); err != nil {
				rep.Rejected = append(rep.Rejected, tabular.RowError{Line: row.Line, Field: tabular.IDColumn, Value: row.ID, Reason: err.Error()})
				continue
			}
		}
		if card := row.Fields["card"]; card != "" {
			if first, again := cards[card]; again {
				rep.Rejected = append(rep.Rejected, rd.RowErrorOf(row.Line, &schema.FieldError{Field: "card", Value: card,
					Reason: fmt.Sprintf("the same card number as row %d: one card is one member", first)}))
				continue
			}
			cards[card] = row.Line
			if in.ID != (schema.LedgerID{}) {
				// A row naming its member: the card must not be another's.
				if other := slices.IndexFunc(held[card], func(id schema.LedgerID) bool { return id != in.ID }); other >= 0 {
					rep.Rejected = append(rep.Rejected, rd.RowErrorOf(row.Line, n.CardTaken(card, held[card][other])))
					continue
				}
			} else {
				id, err := matchByCard(n, held[card], card, row.Fields["name"])
				var fe *schema.FieldError
				if errors.As(err, &fe) {
					rep.Rejected = append(rep.Rejected, rd.RowErrorOf(row.Line, fe))
					continue
				} else if err != nil {
					return rep, err
				}
				if id != (schema.LedgerID{}) {
					in.ID = id
					rep.Matched++
				}
			}
		}
		pending, lines = append(pending, in), append(lines, row.Line)
		if len(pending) >= chunkRows {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	// Rows refused when their chunk was applied come after those refused
	// as they were read: put them back in row order.
	slices.SortStableFunc(rep.Rejected, func(a, b tabular.RowError) int { return a.Line - b.Line })
	rep.Warnings = rd.Warnings()
	if rep.Foreign > 0 {
		w := fmt.Sprintf("%d rows carry member IDs this node does not hold (a register from another network?): they were created as new members", rep.Foreign)
		if rep.Foreign == 1 {
			w = "1 row carries a member ID this node does not hold (a register from another network?): it was created as a new member"
		}
		rep.Warnings = append(rep.Warnings, w)
	}
	return rep, nil
}

// Export writes every member this node holds, sorted by given name, as a
// register that Import reads back.
//
// Each member's values are kept, until the sort, as a row in the order of
// schema.Fields rather than as its view (which holds the whole ledger):
// about a tenth of the memory.
func Export(n *node.Node, w io.Writer, format tabular.Format) (int, error) {
	type exported struct {
		id     string
		vals   []string          // by schema.Fields
		extras map[string]string // fields schema.Fields does not list
	}
	var rows []exported
	err := n.EachMember(func(m *node.Member) bool {
		r := exported{id: m.ID, vals: make([]string, len(schema.Fields))}
		for k, v := range m.Fields {
			if i := fieldIndex(k); i >= 0 {
				r.vals[i] = v
			} else {
				if r.extras == nil {
					r.extras = map[string]string{}
				}
				r.extras[k] = v
			}
		}
		rows = append(rows, r)
		return true
	})
	if err != nil {
		return 0, err
	}
	name := fieldIndex("name")
	vnname.Sort(rows, func(r exported) string { return r.vals[name] })
	tw, err := tabular.NewWriter(w, format, tabular.WriteOptions{})
	if err != nil {
		return 0, err
	}
	for i, r := range rows {
		fields := maps.Clone(r.extras)
		if fields == nil {
			fields = map[string]string{}
		}
		for j, v := range r.vals {
			if v != "" {
				fields[schema.Fields[j].Name] = v
			}
		}
		if err := tw.Write(tabular.Row{Line: i + 2, ID: r.id, Fields: fields}); err != nil {
			return i, err
		}
	}
	return len(rows), tw.Close()
}

// fieldIndex is the place of a field in schema.Fields, -1 if it has none.
func fieldIndex(name string) int {
	if i, ok := fieldPlaces()[name]; ok {
		return i
	}
	return -1
}

var fieldPlaces = sync.OnceValue(func() map[string]int {
	out := make(map[string]int, len(schema.Fields))
	for i, f := range schema.Fields {
		out[f.Name] = i
	}
	return out
})

// matchByCard picks, of ids, the members held here with card number card,
// the one a register row without an id names: the zero ID if there is none. A member with
// that card and another name, or several members with it, fail the row: a
// mistyped card must not rename somebody else.
func matchByCard(n *node.Node, ids []schema.LedgerID, card, name string) (schema.LedgerID, error) {
	if len(ids) == 0 {
		return schema.LedgerID{}, nil
	}
	if len(ids) > 1 {
		return schema.LedgerID{}, &schema.FieldError{Field: "card", Value: card,
			Reason: fmt.Sprintf("%d members here have this card number (see 'reconcile'); put the member's id in the id column", len(ids))}
	}
	l, err := n.Ledger(ids[0])
	if err != nil {
		return schema.LedgerID{}, err
	}
	if held := l.Field("name"); name != "" && !sameName(held, name) {
		return schema.LedgerID{}, &schema.FieldError{Field: "card", Value: card,
			Reason: fmt.Sprintf("this card number belongs to %s (%s) here; check the number, or put that member's id in the id column to change the name", held, l.ID)}
	}
	return ids[0], nil
}

// sameName compares two full names as people read them: case, Unicode
// normalisation and spacing aside.
func sameName(a, b string) bool {
	clean := func(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }
	return strings.EqualFold(clean(a), clean(b))
}
