package say

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"
)

// Span names the period of 周报 or 月报: 本周（11月23日–11月29日）.
func (w Words) Span(week bool, offset int, from, to time.Time) string {
	last := to.AddDate(0, 0, -1)
	name := map[bool]map[int]string{
		true:  {0: "本周", -1: "上周", 1: "下周"},
		false: {0: "本月", -1: "上月", 1: "下月"},
	}[week][offset]
	if name == "" {
		name = "这段时间"
	}
	return fmt.Sprintf("%s（%s–%s）", name, w.Day(from), w.Day(last))
}

// BranchDigest is 月报 for a branch: its own figures and the meetings it
// held in the period.
func BranchDigest(period string, d jinqiu.Digest) (head string, body []string) {
	meetings := "本期没有会议记录"
	if len(d.Held) > 0 {
		var ks []string
		for _, k := range d.Held {
			ks = append(ks, Kind(k))
		}
		meetings = "本期开过：" + strings.Join(ks, "、")
	}
	f := d.Total
	return fmt.Sprintf("【%s】%s：", d.BranchName, period), []string{
		fmt.Sprintf("新报到 %d 人，现有 %d 人；活动 %d 场，报名 %d 人次，签到 %d 人次", f.NewMembers, f.Members, f.Activities, f.Signups, f.Attended),
		fmt.Sprintf("服务时长 %s 小时；%s", Hours(f.Centihours), meetings),
		"查看三会一课请发送：三会一课",
	}
}

// BureauDigest is 月报 for the bureau: the programme's two lines.
func BureauDigest(period string, d jinqiu.Digest) (head string, body []string) {
	head = fmt.Sprintf("全区%s：", period)
	for _, l := range d.Lines {
		f := l.Figures
		body = append(body, fmt.Sprintf("%s %d 个支部：新报到 %d 人，活动 %d 场，签到 %d 人次，服务 %s 小时",
			Line(l.Kind), f.Branches, f.NewMembers, f.Activities, f.Attended, Hours(f.Centihours)))
	}
	if p := d.Programme; p != nil {
		posts, roles := p.Total.PostsHeld()
		body = append(body, "今年以来："+outcomes(*p),
			fmt.Sprintf("担任职务 %d 人次，五大员 %d 名；顾问团 %d 个参与决策 %d 项；表彰典型 %d 名", posts, roles, p.Total.Councils, p.Total.Decisions, p.Total.Commended))
	}
	return head, append(body, "查看开会情况请发送：三会一课")
}

// MaxBranchLines bounds the per-branch lines of a district digest: beyond
// it (a province-sized configuration) only towns are listed, so that the
// digest stays a handful of messages within the robots' 20 a minute.
const MaxBranchLines = 300

// maxOverdueNames bounds the overdue branches named per meeting kind.
const maxOverdueNames = 60

// DigestTitle is the digest's title: 全区周报 2026年第48周.
func DigestTitle(d jinqiu.Digest) string {
	who := "全区"
	if d.BranchID != "" {
		who = d.BranchName
	}
	return fmt.Sprintf("%s周报 %d年第%d周", who, d.Year, d.Week)
}

// Digest is the weekly digest (the Monday push and 周报) as a document:
// markdown of one line per line, titled; each platform lays it out and
// cuts it into messages its own way.
func Digest(d jinqiu.Digest) jinqiu.Reply {
	md := strings.Join(digestLines(d), "\n")
	return jinqiu.Reply{Title: DigestTitle(d), Markdown: md, Text: md}
}

// Continued heads every part of a long message after the first, so that a
// reader sees the order even if the messages arrive out of it.
func Continued(i, n int) string { return fmt.Sprintf("（续 %d/%d）", i, n) }

func sayFigures(f jinqiu.Figures, withBranches bool) string {
	var b strings.Builder
	if withBranches {
		fmt.Fprintf(&b, "%d个支部，", f.Branches)
	}
	fmt.Fprintf(&b, "党员 %d 人，新报到 %d 人，活跃 %d 人；活动 %d 场，报名 %d 人次，", f.Members, f.NewMembers, f.ActiveMembers, f.Activities, f.Signups)
	if pct, ok := f.Attendance(); ok {
		fmt.Fprintf(&b, "出勤率 %d%%，", pct)
	} else {
		b.WriteString("出勤率 —，")
	}
	fmt.Fprintf(&b, "服务时长 %s 小时", Hours(f.Centihours))
	return b.String()
}

func missed(every jinqiu.Period, from time.Time, kind jinqiu.MeetingKind) string {
	return PeriodName(every, from) + Kind(kind)
}

// digestLines writes the digest as markdown, a line at a time.
func digestLines(d jinqiu.Digest) []string {
	var ls []string
	add := func(format string, args ...any) { ls = append(ls, fmt.Sprintf(format, args...)) }
	add("## %s", DigestTitle(d))
	span := fmt.Sprintf("%d月%d日—%d月%d日", d.From.Month(), d.From.Day(), jinqiu.AddDays(d.To, -1).Month(), jinqiu.AddDays(d.To, -1).Day())
	if d.AsOf.Before(d.To) {
		span += fmt.Sprintf("（截至%d月%d日 %s）", d.AsOf.In(d.From.Location()).Month(), d.AsOf.In(d.From.Location()).Day(), Clock(d.AsOf.In(d.From.Location())))
	}
	add("%s", span)

	if d.BranchID == "" {
		add("**全区**：%s", sayFigures(d.Total, true))
		for _, l := range d.Lines {
			add("**%s**：%s", Line(l.Kind), sayFigures(l.Figures, true))
		}
	} else {
		add("**本支部**：%s", sayFigures(d.Total, false))
	}

	if len(d.Meetings) > 0 {
		add("**三会一课与主题党日**")
		for _, c := range d.Meetings {
			if d.BranchID != "" {
				state := "已开 ✓"
				if c.Done == 0 {
					state = "未开"
				}
				line := fmt.Sprintf("- %s（%s）：%s", Kind(c.Kind), PeriodName(c.Every, c.From), state)
				for _, o := range c.Overdue {
					line += fmt.Sprintf("；%s逾期未开", missed(c.Every, o.From, c.Kind))
				}
				add("%s", line)
				continue
			}
			add("- %s（%s）：已开 %d/%d", Kind(c.Kind), PeriodName(c.Every, c.From), c.Done, c.Due)
		}
		if d.BranchID == "" {
			var overdue []string
			n := 0
			for _, c := range d.Meetings {
				for _, o := range c.Overdue {
					n++
					if len(overdue) < maxOverdueNames {
						overdue = append(overdue, fmt.Sprintf("%s（%s）", o.Branch, missed(c.Every, o.From, c.Kind)))
					}
				}
			}
			if n > 0 {
				line := fmt.Sprintf("逾期未开 %d 项：%s", n, strings.Join(overdue, "、"))
				if n > len(overdue) {
					line += fmt.Sprintf(" 等（其余 %d 项见各镇街明细）", n-len(overdue))
				}
				add("> %s", line)
			} else {
				add("> 没有逾期未开的会议。")
			}
		}
	}
	var thin []string
	for _, t := range d.Towns {
		for _, b := range t.Branches {
			for _, m := range b.Inquorate {
				thin = append(thin, fmt.Sprintf("%s（%d月%d日，应到%d人实到%d人）", b.Name, m.HeldOn.Month(), m.HeldOn.Day(), m.Expected, m.Present))
			}
		}
	}
	if len(thin) > 0 {
		add("> 支部党员大会不足半数 %d 次：%s", len(thin), strings.Join(thin, "、"))
	}

	if len(d.Top) > 0 {
		add("**志愿之星**（本周审核通过的服务时长）")
		for i, v := range d.Top {
			if d.BranchID == "" && v.Branch != "" {
				add("%d. %s（%s）%s 小时", i+1, inert(v.Name), v.Branch, Hours(v.Centihours))
			} else {
				add("%d. %s %s 小时", i+1, inert(v.Name), Hours(v.Centihours))
			}
		}
	}

	switch {
	case d.BranchID != "" && len(d.InactiveNames) > 0:
		add("**%d天未参加活动**：%d 人：%s", d.InactiveDays, d.Total.Inactive, Names(d.InactiveNames, 100))
	default:
		add("**%d天未参加活动**：%d 人", d.InactiveDays, d.Total.Inactive)
	}

	if d.BranchID == "" && d.Programme != nil {
		ls = append(ls, programmeLines(*d.Programme)...)
	}

	if d.BranchID == "" && len(d.Towns) > 0 {
		add("**各镇街**")
		lines := 0
		for _, t := range d.Towns {
			lines += len(t.Branches)
		}
		for _, t := range d.Towns {
			name := t.Name
			if name == "" {
				name = "未填镇街"
			}
			add("**%s**：%s", name, sayFigures(t.Figures, true))
			if lines > MaxBranchLines {
				continue
			}
			for _, b := range t.Branches {
				line := fmt.Sprintf("- %s：新报到 %d，活跃 %d，活动 %d，报名 %d", b.Name, b.NewMembers, b.ActiveMembers, b.Activities, b.Signups)
				if pct, ok := b.Attendance(); ok {
					line += fmt.Sprintf("，出勤 %d%%", pct)
				}
				line += fmt.Sprintf("，时长 %s，会议 %d/%d", Hours(b.Centihours), b.MeetingsDone, b.MeetingsDue)
				if len(b.Inquorate) > 0 {
					line += fmt.Sprintf("，不足半数 %d 次", len(b.Inquorate))
				}
				if len(b.Overdue) > 0 {
					var ms []string
					for _, m := range b.Overdue {
						ms = append(ms, missed(m.Every, m.From, m.Kind))
					}
					line += "，逾期：" + strings.Join(ms, "、")
				}
				add("%s", line)
			}
		}
		if lines > MaxBranchLines {
			add("（共 %d 个支部，篇幅所限只列镇街；各支部书记可发送“周报”查看本支部）", lines)
		}
	}
	if d.BranchID == "" {
		add("查看本周最新情况请发送：周报；查看会议情况请发送：三会一课")
	} else {
		add("开完会请发送：已开会 会议名称；查看会议情况请发送：三会一课")
	}
	return ls
}
