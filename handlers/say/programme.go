package say

import (
	"fmt"
	"jinqiu"
	"strings"
)

// The programme report (`jinqiu report --year`) and the programme's lines
// of the district digest, in the seed's terms: the six 融入 and the outcome
// in each line.

// Outcome is the programme's outcome in a line: 城市：助力社区治理 100 人.
func Outcome(k jinqiu.BranchKind, active int) string {
	if k == jinqiu.Rural {
		return fmt.Sprintf("乡镇：参与乡村振兴 %d 人", active)
	}
	return fmt.Sprintf("城市：助力社区治理 %d 人", active)
}

func outcomes(p jinqiu.Programme) string {
	var ss []string
	for _, l := range p.Lines {
		ss = append(ss, Outcome(l.Kind, l.Active))
	}
	if len(ss) == 0 {
		return Outcome(jinqiu.Community, 0)
	}
	return strings.Join(ss, "；")
}

// postsLine counts the posts held (not the 五大员) with their kinds.
func postsLine(f jinqiu.ProgrammeFigures) string {
	posts, _ := f.PostsHeld()
	var ks []string
	for _, c := range f.Posts {
		if !c.Kind.Role() {
			ks = append(ks, fmt.Sprintf("%s %d", PostKind(c.Kind), c.N))
		}
	}
	s := fmt.Sprintf("担任小区党支部书记、业委会主任、楼栋长等职务 %d 人次", posts)
	if len(ks) > 0 {
		s += "（" + strings.Join(ks, "，") + "）"
	}
	return s
}

// rolesLine counts the 五大员 by role.
func rolesLine(f jinqiu.ProgrammeFigures) string {
	_, roles := f.PostsHeld()
	var ks []string
	for _, c := range f.Posts {
		if c.Kind.Role() {
			ks = append(ks, fmt.Sprintf("%s %d", PostKind(c.Kind), c.N))
		}
	}
	s := fmt.Sprintf("五大员 %d 名", roles)
	if len(ks) > 0 {
		s += "（" + strings.Join(ks, "，") + "）"
	}
	return s
}

func councilsLine(f jinqiu.ProgrammeFigures) string {
	return fmt.Sprintf("顾问团 %d 个，参与决策 %d 项，其中采纳 %d 项", f.Councils, f.Decisions, f.Adopted)
}

func exemplarsLine(f jinqiu.ProgrammeFigures) string {
	return fmt.Sprintf("推荐典型 %d 名，表彰 %d 名", f.Nominated, f.Commended)
}

func placesLine(p jinqiu.Programme) string {
	if len(p.PlaceKinds) == 0 {
		return "尚未登记阵地"
	}
	var ks []string
	for _, k := range p.PlaceKinds {
		ks = append(ks, fmt.Sprintf("%s %d 个（活动 %d 场，签到 %d 人次）", PlaceKind(k.Kind), k.Places, k.Activities, k.Attended))
	}
	return strings.Join(ks, "；")
}

// Programme is the year's programme report, a line at a time: the six
// 融入 with their figures, then the outcome in each line and the 阵地 one
// by one.
func (w Words) Programme(p jinqiu.Programme) []string {
	var ls []string
	add := func(format string, args ...any) { ls = append(ls, fmt.Sprintf(format, args...)) }
	head := fmt.Sprintf("%d年“双融双助”工作情况", p.Year)
	if p.AsOf.Before(p.To) {
		head += fmt.Sprintf("（截至%s）", w.Day(p.AsOf.In(p.From.Location())))
	}
	add("%s", head)
	t := p.Total
	var per []string
	for _, l := range p.Lines {
		per = append(per, fmt.Sprintf("%s %d 个", LineName(l.Kind), l.Branches))
	}
	add("全区临时党支部 %d 个（%s）", t.Branches, strings.Join(per, "，"))
	var reg []string
	for _, l := range p.Lines {
		reg = append(reg, fmt.Sprintf("%s %d 人", LineName(l.Kind), l.Registered))
	}
	add("一、组织融入：离退休干部党员到社区（村）报到 %d 人（%s）", t.Registered, strings.Join(reg, "，"))
	add("二、阵地融入：%s", placesLine(p))
	add("三、岗位融入：%s", postsLine(t))
	add("四、人才融入：%s", rolesLine(t))
	add("五、治理融入：%s", councilsLine(t))
	add("六、典型带动：%s", exemplarsLine(t))
	add("成效：%s", outcomes(p))
	for _, l := range p.Lines {
		add("%s：报到 %d 人，%s，%s，%s，%s", LineName(l.Kind), l.Registered, postsLine(l.ProgrammeFigures), rolesLine(l.ProgrammeFigures),
			councilsLine(l.ProgrammeFigures), exemplarsLine(l.ProgrammeFigures))
	}
	if len(p.Places) > 0 {
		add("阵地明细：")
		for _, u := range p.Places {
			add("- %s（%s，%s）：活动 %d 场，签到 %d 人次", inert(u.Name), PlaceKind(u.Kind), u.Branch, u.Activities, u.Attended)
		}
	}
	return ls
}

// LineName is a line's short name: 城市, 乡镇.
func LineName(k jinqiu.BranchKind) string {
	if k == jinqiu.Rural {
		return "乡镇"
	}
	return "城市"
}

// ProgrammeHead heads the programme's figures of the year so far.
const ProgrammeHead = "双融双助（今年以来）"

// ProgrammeSummary are the programme's figures in a few lines: the outcome
// in each line, posts and 五大员, 顾问团, 典型, 阵地.
func ProgrammeSummary(p jinqiu.Programme) []string {
	t := p.Total
	return []string{outcomes(p), postsLine(t) + "；" + rolesLine(t), councilsLine(t), exemplarsLine(t), "阵地：" + placesLine(p)}
}

// programmeLines are the programme's lines of the district digest: the
// year so far.
func programmeLines(p jinqiu.Programme) []string {
	ls := []string{"**" + ProgrammeHead + "**"}
	for _, l := range ProgrammeSummary(p) {
		ls = append(ls, "- "+l)
	}
	return ls
}
