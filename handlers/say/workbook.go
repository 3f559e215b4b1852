package say

import (
	"fmt"
	"jinqiu"
	"time"
)

// The workbook's sheets, in the order of their tabs.
const (
	SheetSummary       = "汇总"
	SheetBranches      = "支部"
	SheetActivities    = "活动"
	SheetLedger        = "志愿服务台账"
	SheetMeetings      = "三会一课台账"
	SheetRegistrations = "报到台账"
	SheetProgramme     = "双融双助"
)

// SheetPart names the continuation of a sheet past its last row:
// 志愿服务台账(2).
func SheetPart(sheet string, part int) string { return fmt.Sprintf("%s(%d)", sheet, part) }

// ProgrammeHeader heads 双融双助: the programme's figures of the period, of
// the district, each line and each 阵地.
func ProgrammeHeader() []string {
	return []string{"范围", "名称", "支部数", "报到人数", "活跃人数（城市助力社区治理/乡镇参与乡村振兴）", "担任职务(人次)", "五大员(名)",
		"顾问团(个)", "参与决策(项)", "其中采纳(项)", "推荐典型(名)", "表彰典型(名)", "阵地(个)", "阵地活动(场)", "阵地签到(人次)", "统计期间"}
}

// ScopePlace names a 阵地's row in 双融双助.
const ScopePlace = "阵地"

// SummaryHeader is the 汇总 sheet's header row.
func SummaryHeader() []string {
	return []string{"范围", "名称", "支部数", "党员数", "新报到", "活跃党员", "活动场次", "报名人次", "签到人次", "出勤率(%)",
		"志愿时长(小时)", "其中公示确认(小时)", "会议应开", "会议已开", "统计期间"}
}

// Summary scopes: the district, a line, a town.
const (
	ScopeDistrict = "全区"
	ScopeLine     = "条线"
	ScopeTown     = "乡镇(街道)"
)

// BranchesHeader is the 支部 sheet's header row: the branch's figures,
// then for each meeting kind the periods due and held, and the meetings'
// attendance.
func BranchesHeader() []string {
	h := []string{"支部编号", "支部", "乡镇(街道)", "条线", "党员数", "新报到", "活跃党员", "活动场次", "报名人次", "签到人次", "出勤率(%)",
		"志愿时长(小时)", "其中公示确认(小时)"}
	for _, k := range jinqiu.MeetingKinds() {
		h = append(h, Kind(k)+"应开(期)", Kind(k)+"已开(期)", Kind(k)+"各期")
	}
	return append(h, "会议次数", "应到人次", "实到人次", "送学上门人次")
}

// MeetingPeriod marks one period of a meeting kind in the 支部 sheet:
// 11月✓, 第四季度✗.
func MeetingPeriod(every jinqiu.Period, from time.Time, held bool) string {
	mark := "✗"
	if held {
		mark = "✓"
	}
	return PeriodName(every, from) + mark
}

// ActivitiesHeader is the 活动 sheet's header row.
func ActivitiesHeader() []string {
	return []string{"活动编号", "支部编号", "支部", "活动名称", "地点", "开始时间", "结束时间", "名额", "状态", "报名人数", "报名且签到", "签到人数(含现场)"}
}

var activityStates = map[string]string{
	jinqiu.ActivityOpen:      "正常",
	jinqiu.ActivityCancelled: "已取消",
}

// ActivityState names an activity's state.
func ActivityState(s string) string {
	if n, ok := activityStates[s]; ok {
		return n
	}
	return s
}

// LedgerHeader is the 志愿服务台账 sheet's header row: one approved entry
// a row.
func LedgerHeader() []string {
	return []string{"编号", "姓名", "支部编号", "记录单位", "活动", "服务内容", "服务日期", "服务时长(小时)", "审核人", "审核时间", "公示状态", "公示截止", "异议", "更正", "消息编号"}
}

// PublicityState is an entry's 公示 status in the ledger.
func PublicityState(published, final bool) string {
	switch {
	case final:
		return "已确认"
	case published:
		return "公示中"
	}
	return "未公示"
}

// MeetingsHeader is the 三会一课台账 sheet's header row.
func MeetingsHeader() []string {
	return []string{"编号", "支部编号", "支部", "会议类型", "召开日期", "主题", "应到", "实到", "送学上门", "不足半数", "记录人", "记录时间", "消息编号"}
}

// YesNo is 是 or empty.
func YesNo(b bool) string {
	if b {
		return "是"
	}
	return ""
}

// RegistrationsHeader is the 报到台账 sheet's header row.
func RegistrationsHeader() []string {
	return []string{"编号", "姓名", "平台", "支部编号", "报到支部", "转出支部", "报到日期", "记录时间", "消息编号"}
}

// WorkbookFile is the download name of a workbook: 金秋助手台账_2026-11.xlsx.
func WorkbookFile(period string) string { return "金秋助手台账_" + period + ".xlsx" }

// WorkbookLine is a line's name in the workbook: 城市线, 乡镇线.
func WorkbookLine(k jinqiu.BranchKind) string { return LineName(k) + "线" }

// PeriodSpan is the period a workbook covers: 2026-11-01 至 2026-11-30.
func PeriodSpan(from, to time.Time) string {
	return fmt.Sprintf("%s 至 %s", from.Format(time.DateOnly), jinqiu.AddDays(to, -1).Format(time.DateOnly))
}
