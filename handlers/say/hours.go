package say

import (
	"fmt"
	"jinqiu"
	"time"
)

func HoursNeedNumber() string {
	return lines(
		"请写上服务了几个小时。",
		"例如发送：时长 2 打扫楼道",
	)
}

func (w Words) HoursReported(r jinqiu.HoursReport) string {
	note := ""
	if r.Note != "" {
		note = "（" + inert(r.Note) + "）"
	}
	return lines(
		fmt.Sprintf("已记录：%s 服务 %s 小时%s，编号 %d，等书记审核。", w.Day(r.ServedOn), Hours(r.Centihours), note, r.ID),
		"查看记录请发送：我的",
		fmt.Sprintf("书记审核请发送：通过 %d", r.ID),
	)
}

func (w Words) HoursDayLimit(on time.Time, used, limit int) string {
	left := limit - used
	if left <= 0 {
		return lines(
			fmt.Sprintf("一天最多记 %s 小时，您%s已经记满了。", Hours(limit), w.Day(on)),
			"查看记录请发送：我的",
		)
	}
	return lines(
		fmt.Sprintf("一天最多记 %s 小时，您%s已记 %s 小时，最多还能记 %s 小时。", Hours(limit), w.Day(on), Hours(used), Hours(left)),
		fmt.Sprintf("请重新发送，例如：时长 %s", Hours(left)),
	)
}

func (w Words) HoursFuture(on time.Time) string {
	return lines(
		fmt.Sprintf("%s还没到，不能提前记时长。", w.Day(on)),
		"请发送当天或以前的，例如：时长 2 打扫楼道",
	)
}

func (w Words) HoursTooOld(on time.Time, days int) string {
	return lines(
		fmt.Sprintf("只能补记 %d 天以内的时长，%s已经超过了。", days, w.Day(on)),
		"如有疑问请联系支部书记；查看记录请发送：我的",
	)
}

func ReportNotFound(id int64) string {
	return lines(
		fmt.Sprintf("没有找到 %d号时长记录。", id),
		"查看待审核的请发送：通过",
	)
}

func ReportDecided(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%d号时长记录已经审核过了（%s）。", r.ID, reportStates[r.State]),
		"查看待审核的请发送：通过",
	)
}

func NothingPending() string {
	return lines(
		"目前没有待审核的时长。",
		"查看活动请发送：活动",
	)
}

func PickReport(approve bool, opts []string) string {
	if approve {
		return Pick("待审核的时长（回复编号即通过）：", opts, "不处理请回复：算了")
	}
	return Pick("待审核的时长（回复编号即驳回）：", opts, "不处理请回复：算了")
}

func (w Words) ConfirmApprove(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("是通过 %s 吗？", w.Report(r)),
		"确认请回复：是；不处理请回复：算了",
	)
}

func (w Words) RejectAskReason(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("要驳回 %s，请回复驳回的原因，如：日期不对", w.Report(r)),
		"不驳回了请回复：算了",
	)
}

func (w Words) Approved(r jinqiu.HoursReport, stillPending int) string {
	next := "待审核的都处理完了。查看活动请发送：活动"
	if stillPending > 0 {
		next = fmt.Sprintf("还有 %d 条待审核，请发送：通过", stillPending)
	}
	return lines(fmt.Sprintf("已通过：%s。", w.Report(r)), next)
}

func Rejected(r jinqiu.HoursReport, stillPending int) string {
	next := "待审核的都处理完了。查看活动请发送：活动"
	if stillPending > 0 {
		next = fmt.Sprintf("还有 %d 条待审核，请发送：通过", stillPending)
	}
	return lines(fmt.Sprintf("已驳回 %d号，已把原因告诉%s。", r.ID, inert(r.MemberName)), next)
}

// ApprovedNotice goes to the group with an @mention of the member.
func (w Words) ApprovedNotice(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%s您%s的 %s 小时服务时长已通过审核，谢谢您！", namePrefix(r.MemberName), w.Day(r.ServedOn), Hours(r.Centihours)),
		"查看记录请发送：我的",
	)
}

// CorrectedNotice goes to the group with an @mention of the member whose
// entry was corrected after its 公示: the one change a final entry takes,
// told to the person it is about, as a decision is.
func (w Words) CorrectedNotice(r jinqiu.HoursReport, before, after int, reason string) string {
	return lines(
		fmt.Sprintf("%s您%s的服务时长已更正：%s 小时改为 %s 小时，原因：%s。", namePrefix(r.MemberName), w.Day(r.ServedOn), Hours(before), Hours(after), inert(reason)),
		"如有疑问请联系支部书记；查看记录请发送：我的",
	)
}

// RejectedNotice goes to the group with an @mention of the member.
func (w Words) RejectedNotice(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%s您%s的 %s 小时服务时长没有通过审核，原因：%s。", namePrefix(r.MemberName), w.Day(r.ServedOn), Hours(r.Centihours), inert(r.Reason)),
		"如有疑问请联系支部书记；重新上报请发送：时长 小时数 做了什么",
	)
}

// OwnReport: a secretary's own hours are decided by another.
func OwnReport(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%d号是您自己的时长，不能自己审核。", r.ID),
		"请本支部其他书记或老干部局审核；查看待审核的请发送：待审核",
	)
}

// Pending is 待审核: n reports await a decision; ls are this page's.
func Pending(n int, ls []string, first int64) (head string, body []string) {
	return fmt.Sprintf("待审核的时长，共 %d 条：", n), append(ls,
		fmt.Sprintf("通过请发送：通过 %d；驳回请发送：驳回 %d 原因", first, first))
}

// OwnMark marks a secretary's own report in a list.
func OwnMark() string { return "（您本人的，需其他书记审核）" }

// DecideButtons are the secretary's taps under the first pending report.
func DecideButtons(id int64) []jinqiu.Button {
	return []jinqiu.Button{
		{Text: "通过", Command: fmt.Sprintf("通过 %d", id)},
		{Text: "驳回", Command: fmt.Sprintf("驳回 %d", id)},
	}
}
