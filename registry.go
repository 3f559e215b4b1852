package jinqiu

import (
	"strings"
	"time"
)

// The programme's registries: the posts retirees hold in their community
// or village (and the 五大员 roles among them), the decisions the 顾问团 took
// part in, and the 典型 the bureau holds up. Each is a history: a post
// ends, it is never overwritten.

// PostKind is what kind of post a position is, read from the known word
// it contains (PostKindOf).
type PostKind string

// Post kinds, in the order the bureau reports them. The five roles from
// Navigator to Teacher are the 五大员.
const (
	EstateSecretary  PostKind = "estate_secretary"  // 小区党支部书记
	BranchCommittee  PostKind = "branch_committee"  // 党支部委员
	OwnersChair      PostKind = "owners_chair"      // 业委会主任
	OwnersMember     PostKind = "owners_member"     // 业委会委员
	BuildingHead     PostKind = "building_head"     // 楼栋长
	UnitHead         PostKind = "unit_head"         // 单元长
	GridHead         PostKind = "grid_head"         // 网格长
	GridWorker       PostKind = "grid_worker"       // 网格员
	ResidentsCouncil PostKind = "residents_council" // 居委会委员
	VillageCommittee PostKind = "village_committee" // 村两委委员
	VillageSecretary PostKind = "village_secretary" // 村党支部书记
	Mediator         PostKind = "mediator"          // 调解员
	AdvisoryMember   PostKind = "advisory_member"   // 顾问团成员
	FarmAdviser      PostKind = "farm_adviser"      // 农技顾问
	VolunteerLeader  PostKind = "volunteer_leader"  // 志愿服务队队长
	Navigator        PostKind = "navigator"         // 导航员
	Instructor       PostKind = "instructor"        // 指导员
	Coordinator      PostKind = "coordinator"       // 协管员
	Exemplar         PostKind = "exemplar"          // 示范员
	Teacher          PostKind = "teacher"           // 教研员
	OtherPost        PostKind = "other"             // 其他
)

// postWords are the known words of each kind, as people write them; the
// position's longest one decides.
var postWords = []struct {
	kind PostKind
	word string
}{
	{EstateSecretary, "小区党支部书记"}, {BranchCommittee, "党支部委员"}, {OwnersChair, "业委会主任"},
	{OwnersMember, "业委会委员"}, {BuildingHead, "楼栋长"}, {UnitHead, "单元长"}, {GridHead, "网格长"},
	{GridWorker, "网格员"}, {ResidentsCouncil, "居委会委员"}, {VillageCommittee, "村两委委员"},
	{VillageSecretary, "村党支部书记"}, {Mediator, "调解员"}, {AdvisoryMember, "顾问团成员"},
	{FarmAdviser, "农技顾问"}, {VolunteerLeader, "志愿服务队队长"}, {Navigator, "导航员"},
	{Instructor, "指导员"}, {Coordinator, "协管员"}, {Exemplar, "示范员"}, {Teacher, "教研员"},
}

// PostKinds returns every kind in the order the bureau reports them, 其他
// last.
func PostKinds() []PostKind {
	out := make([]PostKind, 0, len(postWords)+1)
	for _, w := range postWords {
		out = append(out, w.kind)
	}
	return append(out, OtherPost)
}

// Role reports whether the kind is one of the 五大员.
func (k PostKind) Role() bool {
	switch k {
	case Navigator, Instructor, Coordinator, Exemplar, Teacher:
		return true
	}
	return false
}

// Word is the kind's own word (小区党支部书记 …), "" for OtherPost.
func (k PostKind) Word() string {
	for _, w := range postWords {
		if w.kind == k {
			return w.word
		}
	}
	return ""
}

// PostKindOf is the kind of a position written in simplified form (the
// caller folds it): the longest known word it contains, else OtherPost.
// 3号楼楼栋长 is a 楼栋长; 村党支部书记 is not a 党支部委员.
func PostKindOf(position string) PostKind {
	kind, best := OtherPost, 0
	for _, w := range postWords {
		if len(w.word) > best && strings.Contains(position, w.word) {
			kind, best = w.kind, len(w.word)
		}
	}
	return kind
}

// Post is a position a member holds or held. EndedOn is zero while it is
// held.
type Post struct {
	ID         int64     `db:"id"`
	MemberID   int64     `db:"member_id"`
	BranchID   string    `db:"branch_id"`
	Position   string    `db:"position"` // as written
	Kind       PostKind  `db:"kind"`
	StartedOn  time.Time `db:"started_on"`
	EndedOn    time.Time `db:"-"`
	RecorderID int64     `db:"recorder_id"`
	MsgID      string    `db:"msg_id"`
	CreatedAt  time.Time `db:"created_at"`
}

// Held reports whether the post is still held.
func (p Post) Held() bool { return p.EndedOn.IsZero() }

// Decision is a community or village decision the branch's 顾问团 took part
// in. Adopted is nil when it was not said.
type Decision struct {
	ID         int64     `db:"id"`
	BranchID   string    `db:"branch_id"`
	Topic      string    `db:"topic"`
	DecidedOn  time.Time `db:"decided_on"`
	Present    int       `db:"present"`
	Adopted    *bool     `db:"-"`
	RecorderID int64     `db:"recorder_id"`
	MsgID      string    `db:"msg_id"`
	CreatedAt  time.Time `db:"created_at"`
}

// NominationState is where a 典型 stands.
type NominationState string

// Nomination states: a secretary nominates, the bureau commends.
const (
	Nominated NominationState = "nominated"
	Commended NominationState = "commended"
)

// Nomination is a member put forward as a 典型, with their deeds.
type Nomination struct {
	ID          int64           `db:"id"`
	MemberID    int64           `db:"member_id"`
	MemberName  string          `db:"member_name"`
	BranchID    string          `db:"branch_id"`
	Deeds       string          `db:"deeds"`
	State       NominationState `db:"state"`
	NominatedBy int64           `db:"nominated_by"`
	NominatedAt time.Time       `db:"nominated_at"`
	CommendedBy int64           `db:"-"`
	CommendedAt time.Time       `db:"-"`
	MsgID       string          `db:"msg_id"`
}

// PlaceKind is the kind of a 阵地, a venue of the programme.
type PlaceKind string

// Place kinds, in the order the bureau reports them.
const (
	ActivityRoom PlaceKind = "党员活动室"
	Lectern      PlaceKind = "金秋讲堂"
	Station      PlaceKind = "党员驿站"
	TeachingSite PlaceKind = "教学点"
	OtherPlace   PlaceKind = "其他"
)

// PlaceKinds returns the kinds in the order the bureau reports them.
func PlaceKinds() []PlaceKind {
	return []PlaceKind{ActivityRoom, Lectern, Station, TeachingSite, OtherPlace}
}

// Valid reports whether k is one of the kinds.
func (k PlaceKind) Valid() bool {
	for _, p := range PlaceKinds() {
		if p == k {
			return true
		}
	}
	return false
}

// Place is a 阵地 of a branch. An activity whose place names it is counted
// there (PlaceOf).
type Place struct {
	BranchID string    `db:"branch_id"`
	Name     string    `db:"name"`
	Kind     PlaceKind `db:"kind"`
}

// PlaceOf is the branch's place that an activity's place (as written, in
// folded form, as are the names) names: the longest name it contains; ok
// is false when it names none.
func PlaceOf(places []Place, where string) (Place, bool) {
	var found Place
	best := 0
	for _, p := range places {
		if p.Name != "" && len(p.Name) > best && strings.Contains(where, p.Name) {
			found, best = p, len(p.Name)
		}
	}
	return found, best > 0
}

// DivisionLine is the line a 12-digit 统计用区划代码 belongs to: digits 7–9
// name the township, whose first digit is 0 for a 街道 (城市) and 1 for a
// 镇, 2 or 3 for a 乡 (乡镇). ok is false for a code of another shape.
func DivisionLine(code string) (BranchKind, bool) {
	if len(code) != 12 || strings.Trim(code, "0123456789") != "" {
		return "", false
	}
	switch code[6] {
	case '0':
		return Community, true
	case '1', '2', '3':
		return Rural, true
	}
	return "", false
}

// Programme is what the bureau reports of its programme over a span (a
// year, or the year so far in a digest): the outcome in each line, the
// posts and 五大员, the 顾问团 and their decisions, the 典型 and the 阵地.
type Programme struct {
	From, To time.Time // [From, To) at midnight in the zone
	AsOf     time.Time // figures count up to here
	Year     int
	Total    ProgrammeFigures
	Lines    []ProgrammeLine // 城市, 乡镇: only lines that have branches
	// Places are the 阵地 by kind (kinds that have one), and each place.
	PlaceKinds []PlaceFigures
	Places     []PlaceUse
}

// ProgrammeLine is one line's programme figures.
type ProgrammeLine struct {
	Kind BranchKind
	ProgrammeFigures
}

// ProgrammeFigures are the programme's counts of a line or the district.
type ProgrammeFigures struct {
	Branches   int
	Registered int // 报到 in the span
	// Active are the distinct retirees with an approved participation in
	// the span: in 城市 they 助力社区治理, in 乡镇 they 参与乡村振兴.
	Active int
	// Posts are the posts held at some time in the span, by kind (kinds
	// with none left out), the 五大员 among them.
	Posts []PostCount
	// Councils are the branches whose 顾问团 took part in a decision in the
	// span; Decisions those decisions, Adopted the ones adopted.
	Councils, Decisions, Adopted int
	// Nominated and Commended are the 典型 nominated and commended in the
	// span.
	Nominated, Commended int
	// Places are the configured 阵地; Activities the activities held at
	// one, Attended their check-ins.
	Places, Activities, Attended int
}

// PostCount is how many posts of a kind.
type PostCount struct {
	Kind PostKind
	N    int
}

// PostsHeld is the number of posts that are not 五大员 roles; Roles the
// number of 五大员.
func (f ProgrammeFigures) PostsHeld() (posts, roles int) {
	for _, p := range f.Posts {
		if p.Kind.Role() {
			roles += p.N
		} else {
			posts += p.N
		}
	}
	return posts, roles
}

// PlaceFigures are the 阵地 of one kind: how many, the activities held at
// them and their check-ins.
type PlaceFigures struct {
	Kind                         PlaceKind
	Places, Activities, Attended int
}

// PlaceUse is one 阵地 and what was held there.
type PlaceUse struct {
	Place
	Branch               string // the branch's name
	Activities, Attended int
}
