package say

import (
	"fmt"
	"strings"
	"time"
)

// MaskName masks a name for a 公示 of someone who has not said 同意公示:
// the first and last characters stay (张*明, 欧**明), a two-character name
// keeps its first (李*), one character is only *.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0, 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// ExportPrivately: a workbook link is never posted in a group.
func ExportPrivately() string {
	return lines("台账含党员个人信息，不在群里发送。", "请私聊金秋助手发送：导出")
}

// ExportNoURL: the service has no public address configured.
func ExportNoURL() string {
	return lines("下载地址还没有配置（console.base_url），暂时不能导出。", "请联系管理员，或在服务器上运行：jinqiu export --out 台账.xlsx")
}

// ExportLink is the reply with a workbook's download link.
func (w Words) ExportLink(scope, span, url string, expires time.Time) string {
	return lines(fmt.Sprintf("%s台账（%s）已准备好，请在 %s 前下载：", scope, span, Clock(expires)), url,
		"链接只发给您本人，请勿转发。")
}

// DistrictScope and BranchScope name what a workbook covers.
func DistrictScope() string { return "全区" }

// PublicityNone: nothing approved in the period that is not yet published.
func PublicityNone(span string) string {
	return lines(fmt.Sprintf("%s没有待公示的已通过时长。", span), "查看待审核请发送：待审核")
}

// PublicityNoGroup refuses a 公示 of a branch with no group configured.
func PublicityNoGroup() string {
	return lines("本支部没有能推送消息的群（没有配置支部群，或群没有配置 webhook 或长连接），公示无处发布，没有发布。", "请联系老干部局在配置里补上后再公示。")
}

// PublicityList is the 公示 pushed to the branch group.
func (w Words) PublicityList(branch, span string, closes time.Time, rows []string) string {
	head := fmt.Sprintf("【志愿服务时长公示】%s %s", Inert(branch), span)
	tail := []string{fmt.Sprintf("公示至 %s，如有异议请在此前发送：有异议 编号 理由", w.DayOfWeek(closes)),
		"未同意公示姓名的已隐去部分姓名；愿意显示全名请发送：同意公示"}
	return lines(append(append([]string{head}, rows...), tail...)...)
}

// PublicityRow is one entry of a 公示: 17号 张＊明 11月25日 2小时 清理楼道
// (Inert writes the mask's * full width, so that two masked names cannot
// make emphasis in a markdown push).
func (w Words) PublicityRow(id int64, shown string, on time.Time, centihours int, what string) string {
	s := fmt.Sprintf("%d号 %s %s %s小时", id, Inert(shown), w.Day(on), Hours(centihours))
	if what != "" {
		s += " " + Inert(what)
	}
	return s
}

// PublicityPublished is the secretary's reply after a 公示.
func (w Words) PublicityPublished(n int, closes time.Time) string {
	return lines(fmt.Sprintf("已公示 %d 条时长，已发到支部群，公示至 %s。", n, w.DayOfWeek(closes)),
		"公示期满无异议即为确认；导出台账请私聊发送：导出")
}

// ConsentGiven and ConsentWithdrawn answer 同意公示 and 不同意公示.
func ConsentGiven(changed bool) string {
	if !changed {
		return lines("您已经同意过公示姓名了。", "撤回请发送：不同意公示")
	}
	return lines("已记录：您同意在本支部群的公示里显示全名和服务时长。", "撤回请发送：不同意公示")
}

// ConsentWithdrawn answers 不同意公示.
func ConsentWithdrawn(changed bool) string {
	if !changed {
		return lines("好的，以后的公示里您的姓名会隐去部分（如 张*明）。", "同意显示全名请发送：同意公示")
	}
	return lines("已撤回：以后的公示里您的姓名会隐去部分（如 张*明）。", "同意显示全名请发送：同意公示")
}

// ObjectHow: 有异议 without a number or a reason.
func ObjectHow() string {
	return lines("请写明时长编号和理由。", "例如发送：有异议 17 日期不对")
}

// NotPublished: the entry is in no 公示.
func NotPublished(id int64) string {
	return lines(fmt.Sprintf("%d号时长不在公示中。", id), "有疑问请直接联系支部书记。")
}

// PublicityClosed: the 公示 is over and the entry is final.
func (w Words) PublicityClosed(id int64, closed time.Time) string {
	return lines(fmt.Sprintf("%d号时长的公示已于 %s 结束，已确认。", id, w.Day(closed)), "如确有错误，请联系支部书记更正。")
}

// NoSuchEntry: no entry of that number in the branch.
func NoSuchEntry(id int64) string {
	return lines(fmt.Sprintf("没有找到%d号时长。", id), "请核对公示里的编号。")
}

// Objected is the objector's reply.
func Objected(id int64) string {
	return lines(fmt.Sprintf("已收到您对%d号时长的异议，已转告支部书记。", id), "书记核实后会联系您。")
}

// ObjectionNotice is pushed to the branch group for its secretaries (the
// reason stays out of the group: the secretary reads it in the workbook).
func ObjectionNotice(id int64) string {
	return lines(fmt.Sprintf("书记您好：有党员对公示中的%d号时长提出了异议。", id), "请私聊金秋助手发送：导出，在“志愿服务台账”查看。")
}

// PublicityClosing is pushed to the branch group once a 公示 is over: how
// many entries became final, and how many have an objection still open
// (for the secretary to look at in the workbook).
func (w Words) PublicityClosing(branch, span string, closed time.Time, final, objected int) string {
	head := fmt.Sprintf("【公示期满】%s %s志愿服务时长公示已于 %s 结束。", Inert(branch), span, w.Day(closed))
	if final == 0 {
		return lines(head, "没有需要确认的时长记录。")
	}
	done := fmt.Sprintf("%d 条时长已确认，计入志愿服务台账。感谢各位老党员的付出！", final)
	if objected == 0 {
		return lines(head, done, "公示期内没有待处理的异议。")
	}
	return lines(head, done, fmt.Sprintf("其中 %d 条有异议尚未处理，请书记核实。", objected),
		"查看异议请私聊金秋助手发送：导出，在“志愿服务台账”查看。")
}

// PeriodWords names a month or a year: 2026年11月, 2026年.
func PeriodWords(year bool, from time.Time) string {
	if year {
		return fmt.Sprintf("%d年", from.Year())
	}
	return fmt.Sprintf("%d年%d月", from.Year(), from.Month())
}
