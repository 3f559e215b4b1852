package report

import (
	"context"
	"fmt"
	"time"

	"jinqiu"
	"jinqiu/command"
	"jinqiu/storage"
)

// Year is the programme report of a calendar year in the zone: the whole
// year once it is over, else the year so far.
func (x *Reporter) Year(ctx context.Context, year int) (jinqiu.Programme, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, x.Loc)
	return x.Programme(ctx, from, time.Date(year+1, 1, 1, 0, 0, 0, 0, x.Loc))
}

// Programme computes the programme's figures of the days [from, to)
// (midnights in the zone), of the whole district, counted up to now when
// the span is not over.
func (x *Reporter) Programme(ctx context.Context, from, to time.Time) (jinqiu.Programme, error) {
	asOf := to
	if now := x.Now(); now.Before(to) {
		asOf = now
	}
	if asOf.Before(from) {
		asOf = from
	}
	last := jinqiu.Midnight(asOf.Add(-time.Nanosecond), x.Loc)
	if last.Before(from) {
		last = from
	}
	st, err := x.DB.ProgrammeStats(ctx, storage.ProgrammeRange{
		From: from, To: asOf, FromDay: from, ToDay: jinqiu.AddDays(last, 1),
	})
	if err != nil {
		return jinqiu.Programme{}, fmt.Errorf("programme: %w", err)
	}
	bs, err := x.DB.Branches(ctx)
	if err != nil {
		return jinqiu.Programme{}, fmt.Errorf("programme: %w", err)
	}
	places, err := x.DB.Places(ctx)
	if err != nil {
		return jinqiu.Programme{}, fmt.Errorf("programme: %w", err)
	}
	p := jinqiu.Programme{From: from, To: to, AsOf: asOf, Year: from.Year()}
	lines := map[jinqiu.BranchKind]*jinqiu.ProgrammeFigures{}
	branch := map[string]jinqiu.Branch{}
	for _, b := range bs {
		branch[b.ID] = b
		if lines[b.Kind] == nil {
			lines[b.Kind] = &jinqiu.ProgrammeFigures{}
		}
		lines[b.Kind].Branches++
		p.Total.Branches++
	}
	line := func(k jinqiu.BranchKind) *jinqiu.ProgrammeFigures {
		if lines[k] == nil {
			lines[k] = &jinqiu.ProgrammeFigures{}
		}
		return lines[k]
	}
	for _, c := range []struct {
		counts []storage.LineCount
		field  func(f *jinqiu.ProgrammeFigures) *int
	}{
		{st.Active, func(f *jinqiu.ProgrammeFigures) *int { return &f.Active }},
		{st.Registered, func(f *jinqiu.ProgrammeFigures) *int { return &f.Registered }},
		{st.Decisions, func(f *jinqiu.ProgrammeFigures) *int { return &f.Decisions }},
		{st.Adopted, func(f *jinqiu.ProgrammeFigures) *int { return &f.Adopted }},
		{st.Councils, func(f *jinqiu.ProgrammeFigures) *int { return &f.Councils }},
		{st.Nominated, func(f *jinqiu.ProgrammeFigures) *int { return &f.Nominated }},
		{st.Commended, func(f *jinqiu.ProgrammeFigures) *int { return &f.Commended }},
	} {
		for _, lc := range c.counts {
			*c.field(line(lc.Kind)) += lc.N
			*c.field(&p.Total) += lc.N
		}
	}
	// A person active in both lines is one person of the district.
	p.Total.Active = st.ActiveTotal

	posts := map[jinqiu.BranchKind]map[jinqiu.PostKind]int{}
	total := map[jinqiu.PostKind]int{}
	for _, kc := range st.Posts {
		if posts[kc.Line] == nil {
			posts[kc.Line] = map[jinqiu.PostKind]int{}
		}
		posts[kc.Line][kc.Kind] += kc.N
		total[kc.Kind] += kc.N
	}
	ordered := func(m map[jinqiu.PostKind]int) []jinqiu.PostCount {
		var out []jinqiu.PostCount
		for _, k := range jinqiu.PostKinds() {
			if m[k] > 0 {
				out = append(out, jinqiu.PostCount{Kind: k, N: m[k]})
			}
		}
		return out
	}
	p.Total.Posts = ordered(total)
	for k, m := range posts {
		line(k).Posts = ordered(m)
	}

	// 阵地: an activity is counted at the branch's place its place names.
	byBranch := map[string][]jinqiu.Place{}
	original := map[string]string{} // folded name → as configured
	use := map[[2]string]*jinqiu.PlaceUse{}
	var order [][2]string
	for _, pl := range places {
		key := [2]string{pl.BranchID, pl.Name}
		use[key] = &jinqiu.PlaceUse{Place: pl, Branch: branch[pl.BranchID].Name}
		order = append(order, key)
		folded := pl
		folded.Name = command.Fold(pl.Name)
		byBranch[pl.BranchID] = append(byBranch[pl.BranchID], folded)
		original[folded.BranchID+"\x00"+folded.Name] = pl.Name
	}
	for _, a := range st.Activities {
		pl, ok := jinqiu.PlaceOf(byBranch[a.BranchID], command.Fold(a.Place))
		if !ok {
			continue
		}
		u := use[[2]string{pl.BranchID, original[pl.BranchID+"\x00"+pl.Name]}]
		u.Activities++
		u.Attended += a.Attended
	}
	kinds := map[jinqiu.PlaceKind]*jinqiu.PlaceFigures{}
	for _, key := range order {
		u := use[key]
		p.Places = append(p.Places, *u)
		k := kinds[u.Kind]
		if k == nil {
			k = &jinqiu.PlaceFigures{Kind: u.Kind}
			kinds[u.Kind] = k
		}
		k.Places++
		k.Activities += u.Activities
		k.Attended += u.Attended
		for _, f := range []*jinqiu.ProgrammeFigures{&p.Total, line(branch[u.BranchID].Kind)} {
			f.Places++
			f.Activities += u.Activities
			f.Attended += u.Attended
		}
	}
	for _, k := range jinqiu.PlaceKinds() {
		if f := kinds[k]; f != nil {
			p.PlaceKinds = append(p.PlaceKinds, *f)
		}
	}
	for _, k := range jinqiu.Lines() {
		if f := lines[k]; f != nil && f.Branches > 0 {
			p.Lines = append(p.Lines, jinqiu.ProgrammeLine{Kind: k, ProgrammeFigures: *f})
		}
	}
	return p, nil
}
