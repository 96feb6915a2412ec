package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"lienthong/crdt"
	"lienthong/node"
	"lienthong/schema"
)

// step builds a workflow body from the member's state and the date of the
// step (--at, default today).
type step func(s *session, l *crdt.Ledger, at string) (any, error)

// stepCmd is a command that appends one workflow op to a member's ledger.
func (a *app) stepCmd(use, short string, flags func(*pflag.FlagSet), build step) *cobra.Command {
	var at string
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseLedger(args[0])
			if err != nil {
				return err
			}
			if at != "" {
				if err := schema.ValidateField("born", at); err != nil {
					return usagef("--at %q: want a date as YYYY-MM-DD", at)
				}
			}
			return a.withNode(func(s *session) error {
				l, err := s.node.Ledger(id)
				if err != nil {
					return err
				}
				date := at
				if date == "" {
					date = s.node.Today()
				}
				body, err := build(s, l, date)
				if err != nil {
					return err
				}
				op, err := s.node.Write(id, body)
				if err != nil {
					return err
				}
				k, _ := schema.KindOf(body)
				return a.emit(map[string]any{"id": id.String(), "op": op.String(), "kind": k.String()},
					fmt.Sprintf("%s recorded as op %s", k, op.Short()))
			})
		},
	}
	c.Flags().StringVar(&at, "at", "", "date of the step, YYYY-MM-DD (default today)")
	if flags != nil {
		flags(c.Flags())
	}
	return c
}

func committeeFlag(name, v string) (schema.CommitteeID, error) {
	if v == "" {
		return "", usagef("--%s COMMITTEE_ID is required", name)
	}
	id, err := schema.ParseCommitteeID(v)
	if err != nil {
		return "", usagef("--%s: %v", name, err)
	}
	return id, nil
}

func (a *app) residenceCmd() *cobra.Command {
	c := &cobra.Command{Use: "residence", Short: "Members registered at their place of residence (213, formerly 76)"}
	var to, address, exemptCat, note string
	intro := a.stepCmd("introduce --dir D MEMBER --to RESIDENCE_COMMITTEE --address ADDRESS [--exempt-category CAT] [--at DATE]",
		"Introduce a member to the residence committee (Mẫu 1-213)", func(f *pflag.FlagSet) {
			f.StringVar(&to, "to", "", "the residence committee (commune/ward party committee)")
			f.StringVar(&address, "address", "", "residence address")
			f.StringVar(&exemptCat, "exempt-category", "", "exempt from residence activity, for this reason: "+strings.Join(schema.ExemptCategories, ", "))
			f.StringVar(&note, "note", "", "note on the letter")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			res, err := committeeFlag("to", to)
			if err != nil {
				return nil, err
			}
			if address == "" {
				address = l.Field("address")
			}
			return &schema.ResidenceIntroBody{Residence: res, Address: address, Date: at, ExemptActivity: exemptCat != "", ExemptCategory: exemptCat, Note: note}, nil
		})
	var cell string
	accept := a.stepCmd("accept --dir D MEMBER --cell RESIDENCE_CELL [--at DATE]",
		"Accept an introduced member and assign a residence cell (return slip)", func(f *pflag.FlagSet) {
			f.StringVar(&cell, "cell", "", "the residence cell the member joins")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindResidenceAccept)
			if err != nil {
				return nil, err
			}
			cid, err := committeeFlag("cell", cell)
			if err != nil {
				return nil, err
			}
			return &schema.ResidenceAcceptBody{Ref: ref, Date: at, Cell: cid}, nil
		})
	var meeting, status, reason string
	attend := a.stepCmd("attend --dir D MEMBER --meeting DATE --status present|excused|absent [--reason R]",
		"Record attendance at a residence meeting", func(f *pflag.FlagSet) {
			f.StringVar(&meeting, "meeting", "", "date of the meeting (default: --at)")
			f.StringVar(&status, "status", "", "present, excused (absent with a reason) or absent")
			f.StringVar(&reason, "reason", "", "reason of an absence")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindResidenceAccept)
			if err != nil {
				return nil, err
			}
			if meeting == "" {
				meeting = at
			}
			return &schema.AttendanceBody{Ref: ref, Meeting: meeting, Status: status, Reason: reason}, nil
		})
	var year int
	request := a.stepCmd("request --dir D MEMBER --year YEAR [--at DATE]",
		"Ask the residence committee for the annual comment (Mẫu 3-213)", func(f *pflag.FlagSet) {
			f.IntVar(&year, "year", 0, "year commented on")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindResidenceAccept)
			if err != nil {
				return nil, err
			}
			return &schema.CommentRequestBody{Ref: ref, Year: yearOr(year, at), Date: at}, nil
		})
	var text string
	var fulfilled bool
	comment := a.stepCmd("comment --dir D MEMBER --year YEAR --text TEXT [--fulfilled=false] [--at DATE]",
		"Write the residence committee's annual comment", func(f *pflag.FlagSet) {
			f.IntVar(&year, "year", 0, "year commented on")
			f.StringVar(&text, "text", "", "the comment")
			f.BoolVar(&fulfilled, "fulfilled", true, "civic duties at the place of residence fulfilled")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindResidenceAccept)
			if err != nil {
				return nil, err
			}
			return &schema.ResidenceCommentBody{Ref: ref, Year: yearOr(year, at), Date: at, Fulfilled: fulfilled, Text: text}, nil
		})
	end := a.stepCmd("end --dir D MEMBER --reason R [--at DATE]",
		"End the residence link (move, retirement, transfer)", func(f *pflag.FlagSet) {
			f.StringVar(&reason, "reason", "", "why the link ends")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindResidenceAccept)
			if err != nil {
				return nil, err
			}
			return schema.Tagged{Kind: schema.KindResidenceEnd, Body: &schema.EndBody{Ref: ref, Date: at, Reason: reason}}, nil
		})
	c.AddCommand(intro, accept, attend, request, comment, end)
	return c
}

func yearOr(y int, at string) int {
	if y != 0 {
		return y
	}
	var v int
	fmt.Sscanf(at, "%d", &v)
	return v
}

func (a *app) transferCmd() *cobra.Command {
	c := &cobra.Command{Use: "transfer", Short: "Transfers of party activity (official or temporary)"}
	var to, typ, until, card, profile, regLine, letterLine, dues, movedOn, lateReason string
	var study bool
	issue := a.stepCmd("issue --dir D MEMBER --to COMMITTEE --type official|temporary [--until DATE] [--at DATE] [...]",
		"Issue the transfer letter; the destination sees it at once", func(f *pflag.FlagSet) {
			f.StringVar(&to, "to", "", "destination committee")
			f.StringVar(&typ, "type", schema.TransferOfficial, "official or temporary")
			f.StringVar(&until, "until", "", "end of a temporary transfer")
			f.BoolVar(&study, "study", false, "temporary transfer for full-time study (up to 24 months)")
			f.StringVar(&card, "card", "", "card number (default: the record's)")
			f.StringVar(&profile, "profile", "", "profile number (default: the record's)")
			f.StringVar(&regLine, "register-line", "", "line in the member register (default: the record's)")
			f.StringVar(&letterLine, "letter-line", "", "line in the transfer letter register")
			f.StringVar(&dues, "dues-through", "", "party dues paid through month, YYYY-MM")
			f.StringVar(&movedOn, "moved-on", "", "date of the decision or move (the 60 working days run from it)")
			f.StringVar(&lateReason, "late-reason", "", "why the procedure started late")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			dest, err := committeeFlag("to", to)
			if err != nil {
				return nil, err
			}
			return &schema.TransferIssueBody{Type: typ, Destination: dest, Date: at, Card: or(card, l.Field("card")),
				Profile: or(profile, l.Field("profile")), RegisterLine: or(regLine, l.Field("register_line")), LetterLine: letterLine,
				DuesThrough: dues, Until: until, Study: study, MovedOn: movedOn, LateReason: lateReason}, nil
		})
	present := a.stepCmd("present --dir D MEMBER [--late-reason R] [--at DATE]",
		"Record that the member presented the letter (destination)", func(f *pflag.FlagSet) {
			f.StringVar(&lateReason, "late-reason", "", "why the letter was presented late")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindTransferEnd)
			if err != nil {
				return nil, err
			}
			return schema.Tagged{Kind: schema.KindTransferPresent, Body: &schema.TransferStepBody{Ref: ref, Date: at, LateReason: lateReason}}, nil
		})
	var cell string
	accept := a.stepCmd("accept --dir D MEMBER [--cell CELL] [--at DATE]",
		"Accept the member (destination); an official transfer moves the records here", func(f *pflag.FlagSet) {
			f.StringVar(&cell, "cell", "", "the cell the member joins (default: the destination itself)")
			f.StringVar(&lateReason, "late-reason", "", "why the letter was presented late")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindTransferEnd)
			if err != nil {
				return nil, err
			}
			var cid schema.CommitteeID
			if cell != "" {
				if cid, err = committeeFlag("cell", cell); err != nil {
					return nil, err
				}
			}
			return schema.Tagged{Kind: schema.KindTransferAccept, Body: &schema.TransferStepBody{Ref: ref, Date: at, Cell: cid, LateReason: lateReason}}, nil
		})
	var reason string
	extend := a.stepCmd("extend --dir D MEMBER --until DATE [--reason R] [--at DATE]",
		"Extend a temporary transfer (by less than a year)", func(f *pflag.FlagSet) {
			f.StringVar(&until, "until", "", "new end date")
			f.StringVar(&reason, "reason", "", "why")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindTransferEnd)
			if err != nil {
				return nil, err
			}
			return schema.Tagged{Kind: schema.KindTransferExtend, Body: &schema.ExtendBody{Ref: ref, Until: until, Date: at, Reason: reason}}, nil
		})
	end := a.stepCmd("end --dir D MEMBER [--reason R] [--at DATE]",
		"End a temporary transfer, or cancel a transfer not yet accepted", func(f *pflag.FlagSet) {
			f.StringVar(&reason, "reason", "", "why")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindTransferEnd)
			if err != nil {
				return nil, err
			}
			return schema.Tagged{Kind: schema.KindTransferEnd, Body: &schema.EndBody{Ref: ref, Date: at, Reason: reason}}, nil
		})
	c.AddCommand(issue, present, accept, extend, end)
	return c
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (a *app) exemptionCmd() *cobra.Command {
	c := &cobra.Command{Use: "exemption", Short: "Exemptions from party work and activity"}
	var typ, category, from, until, decider, reason string
	grant := a.stepCmd("grant --dir D MEMBER --type permanent|temporary --category CAT [--from DATE] [--until DATE] [--decider D] [--reason R]",
		"Grant an exemption", func(f *pflag.FlagSet) {
			f.StringVar(&typ, "type", "", "permanent or temporary")
			f.StringVar(&category, "category", "", strings.Join(schema.ExemptCategories, ", "))
			f.StringVar(&from, "from", "", "start (default: --at)")
			f.StringVar(&until, "until", "", "end of a temporary exemption")
			f.StringVar(&decider, "decider", "", "who decided (body, decision number)")
			f.StringVar(&reason, "reason", "", "reason")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			return &schema.ExemptionBody{Type: typ, Category: category, From: or(from, at), Until: until, Decider: decider, Reason: reason}, nil
		})
	end := a.stepCmd("end --dir D MEMBER [--reason R] [--at DATE]",
		"End an exemption: the member resumes activity", func(f *pflag.FlagSet) {
			f.StringVar(&reason, "reason", "", "why")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindExemptionEnd)
			if err != nil {
				return nil, err
			}
			return schema.Tagged{Kind: schema.KindExemptionEnd, Body: &schema.EndBody{Ref: ref, Date: at, Reason: reason}}, nil
		})
	c.AddCommand(grant, end)
	return c
}

func (a *app) leaveCmd() *cobra.Command {
	c := &cobra.Command{Use: "leave", Short: "Away-work leaves (đi làm ăn xa)"}
	var from, until, to, place, reason, text string
	var itinerant bool
	grant := a.stepCmd("grant --dir D MEMBER --from DATE --until DATE [--to COMMITTEE] [--place P] [--itinerant]",
		"Grant an away-work leave (under 12 months)", func(f *pflag.FlagSet) {
			f.StringVar(&from, "from", "", "start (default: --at)")
			f.StringVar(&until, "until", "", "end")
			f.StringVar(&to, "to", "", "party organisation at the destination, if any")
			f.StringVar(&place, "place", "", "where the member works")
			f.BoolVar(&itinerant, "itinerant", false, "itinerant work (no destination organisation)")
			f.StringVar(&reason, "reason", "", "reason")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			var dest schema.CommitteeID
			if to != "" {
				var err error
				if dest, err = committeeFlag("to", to); err != nil {
					return nil, err
				}
			}
			return &schema.LeaveBody{From: or(from, at), Until: until, Destination: dest, Place: place, Itinerant: itinerant, Reason: reason}, nil
		})
	extend := a.stepCmd("extend --dir D MEMBER --until DATE [--at DATE]", "Extend the leave", func(f *pflag.FlagSet) {
		f.StringVar(&until, "until", "", "new end date")
		f.StringVar(&reason, "reason", "", "why")
	}, func(s *session, l *crdt.Ledger, at string) (any, error) {
		ref, err := node.RefFor(l, schema.KindLeaveEnd)
		if err != nil {
			return nil, err
		}
		return schema.Tagged{Kind: schema.KindLeaveExtend, Body: &schema.ExtendBody{Ref: ref, Until: until, Date: at, Reason: reason}}, nil
	})
	review := func(kind schema.Kind, use, short string) *cobra.Command {
		return a.stepCmd(use, short, func(f *pflag.FlagSet) {
			f.StringVar(&text, "text", "", "the text")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, kind)
			if err != nil {
				return nil, err
			}
			return schema.Tagged{Kind: kind, Body: &schema.ReviewBody{Ref: ref, Date: at, Text: text}}, nil
		})
	}
	end := a.stepCmd("end --dir D MEMBER [--at DATE]", "End the leave: the member is back", nil,
		func(s *session, l *crdt.Ledger, at string) (any, error) {
			ref, err := node.RefFor(l, schema.KindLeaveEnd)
			if err != nil {
				return nil, err
			}
			return schema.Tagged{Kind: schema.KindLeaveEnd, Body: &schema.EndBody{Ref: ref, Date: at}}, nil
		})
	c.AddCommand(grant, extend,
		review(schema.KindLeaveSelfReview, "self-review --dir D MEMBER --text TEXT [--at DATE]", "Record the member's self-review (home)"),
		review(schema.KindLeaveComment, "comment --dir D MEMBER --text TEXT [--at DATE]", "Write the destination committee's comment"),
		end)
	return c
}

func (a *app) ratingCmd() *cobra.Command {
	c := &cobra.Command{Use: "rating", Short: "Year-end ratings"}
	var year, score int
	var self, decision string
	set := a.stepCmd("set --dir D MEMBER --year YEAR --score N [--self TEXT] [--decision D] [--at DATE]",
		"Decide a member's rating for a year (level from the score; the year's residence comment is attached)", func(f *pflag.FlagSet) {
			f.IntVar(&year, "year", 0, "year rated")
			f.IntVar(&score, "score", -1, "score, 0 to 100 (≥90 excellent, 70–89 good, 50–69 fulfilled, <50 not fulfilled)")
			f.StringVar(&self, "self", "", "the member's self-assessment")
			f.StringVar(&decision, "decision", "", "decision")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			if score < 0 {
				return nil, usagef("--score is required (0 to 100)")
			}
			y := yearOr(year, at)
			b := &schema.RatingBody{Year: y, Score: score, Level: schema.LevelForScore(score), SelfAssessment: self, Decision: decision, Date: at}
			for _, r := range l.Residence {
				for _, cm := range r.Comments {
					if cm.Year == y {
						b.Comment = cm.Op
					}
				}
			}
			return b, nil
		})
	c.AddCommand(set)
	return c
}

func (a *app) memberInactiveCmd() *cobra.Command {
	var month, reason string
	var valid bool
	return a.stepCmd("inactive --dir D MEMBER --month YYYY-MM [--valid --reason R]",
		"Record a month without party activity or dues", func(f *pflag.FlagSet) {
			f.StringVar(&month, "month", "", "the month, YYYY-MM")
			f.BoolVar(&valid, "valid", false, "the member had a valid reason")
			f.StringVar(&reason, "reason", "", "the reason")
		}, func(s *session, l *crdt.Ledger, at string) (any, error) {
			return &schema.InactiveBody{Month: month, Valid: valid, Reason: reason}, nil
		})
}
