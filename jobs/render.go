package jobs

import (
	"fmt"
	"jinqiu"
	"strconv"
	"strings"

	"jinqiu/bot"
)

// Byte limits of one message: WeCom group robot markdown 4096 B; DingTalk
// about 20000 B, of which bot/dingtalk uses 18000.
const (
	WeComMarkdownBytes    = 4096
	DingTalkMarkdownBytes = 18000
)

// MaxBranchLines bounds the per-branch lines of a district digest: beyond
// it (a province-sized configuration) only towns are listed, so that the
// digest stays a handful of messages within the robots' 20 a minute.
const MaxBranchLines = 300

// maxOverdueNames bounds the overdue branches named per meeting kind.
const maxOverdueNames = 60

// RenderWeCom renders d as WeCom group-robot markdown: parts of at most
// 4096 bytes each, split between lines, in order.
func RenderWeCom(d Digest) []string {
	return split(renderLines(d, "\n"), WeComMarkdownBytes)
}

// RenderDingTalk renders d as DingTalk markdown: the preview title and
// parts of at most 18000 bytes each, split between lines, in order.
func RenderDingTalk(d Digest) (title string, parts []string) {
	return digestTitle(d), split(renderLines(d, "\n\n"), DingTalkMarkdownBytes)
}

// DigestReplies returns d as the replies to push to a group of the
// platform (bot.WeCom or bot.DingTalk), one per message.
func DigestReplies(platform jinqiu.Platform, d Digest) []jinqiu.Reply {
	var out []jinqiu.Reply
	if platform == bot.DingTalk {
		title, parts := RenderDingTalk(d)
		for _, p := range parts {
			out = append(out, jinqiu.Reply{Markdown: p, Title: title, Text: p})
		}
		return out
	}
	for _, p := range RenderWeCom(d) {
		out = append(out, jinqiu.Reply{Markdown: p, Text: p})
	}
	return out
}

func digestTitle(d Digest) string {
	who := "全区"
	if d.BranchID != "" {
		who = d.BranchName
	}
	return fmt.Sprintf("%s周报 %d年第%d周", who, d.Year, d.Week)
}

// split cuts the markdown into parts within limit; every part after the
// first starts with a "(续 k/n)" line, so a reader sees the order even if
// the messages arrive out of it.
func split(md string, limit int) []string {
	const reserve = 40 // the 续 line
	parts := bot.SplitLines(md, limit-reserve)
	if len(parts) < 2 {
		return bot.SplitLines(md, limit)
	}
	for i := 1; i < len(parts); i++ {
		parts[i] = fmt.Sprintf("（续 %d/%d）\n%s", i+1, len(parts), parts[i])
	}
	return parts
}

// Hours formats centihours: 1250 → "12.5".
func Hours(centihours int) string {
	s := strconv.FormatFloat(float64(centihours)/100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func sayFigures(f Figures, withBranches bool) string {
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

// renderLines writes the digest as markdown lines joined by sep (WeCom
// keeps single newlines; DingTalk needs a blank line between paragraphs).
func renderLines(d Digest, sep string) string {
	var ls []string
	add := func(format string, args ...any) { ls = append(ls, fmt.Sprintf(format, args...)) }
	add("## %s", digestTitle(d))
	span := fmt.Sprintf("%d月%d日—%d月%d日", d.From.Month(), d.From.Day(), jinqiu.AddDays(d.To, -1).Month(), jinqiu.AddDays(d.To, -1).Day())
	if d.AsOf.Before(d.To) {
		span += fmt.Sprintf("（截至%d月%d日 %s）", d.AsOf.In(d.From.Location()).Month(), d.AsOf.In(d.From.Location()).Day(), sayClock(d.AsOf.In(d.From.Location())))
	}
	add("%s", span)

	if d.BranchID == "" {
		add("**全区**：%s", sayFigures(d.Total, true))
		for _, l := range d.Lines {
			add("**%s**：%s", l.Name, sayFigures(l.Figures, true))
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
				line := fmt.Sprintf("- %s（%s）：%s", c.Name, c.Period, state)
				for _, o := range c.Overdue {
					line += fmt.Sprintf("；%s%s逾期未开", o.Period, c.Name)
				}
				add("%s", line)
				continue
			}
			add("- %s（%s）：已开 %d/%d", c.Name, c.Period, c.Done, c.Due)
		}
		if d.BranchID == "" {
			var overdue []string
			n := 0
			for _, c := range d.Meetings {
				for _, o := range c.Overdue {
					n++
					if len(overdue) < maxOverdueNames {
						overdue = append(overdue, fmt.Sprintf("%s（%s%s）", o.Branch, o.Period, c.Name))
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

	if len(d.Top) > 0 {
		add("**志愿之星**（本周审核通过的服务时长）")
		for i, v := range d.Top {
			if d.BranchID == "" && v.Branch != "" {
				add("%d. %s（%s）%s 小时", i+1, bot.Inert(v.Name), v.Branch, Hours(v.Centihours))
			} else {
				add("%d. %s %s 小时", i+1, bot.Inert(v.Name), Hours(v.Centihours))
			}
		}
	}

	switch {
	case d.BranchID != "" && len(d.InactiveNames) > 0:
		add("**%d天未参加活动**：%d 人：%s", d.InactiveDays, d.Total.Inactive, strings.Join(limitNames(inertAll(d.InactiveNames), 100), "、"))
	default:
		add("**%d天未参加活动**：%d 人", d.InactiveDays, d.Total.Inactive)
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
				if len(b.Overdue) > 0 {
					line += "，逾期：" + strings.Join(b.Overdue, "、")
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
	return strings.Join(ls, sep)
}
