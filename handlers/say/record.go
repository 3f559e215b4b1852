package say

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"

	"jinqiu/storage"
)

func (w Words) MyStats(name string, s storage.MemberStats, mine []storage.MySignup, loc *time.Location) (head string, body []string) {
	head = fmt.Sprintf("%s您的服务记录：", namePrefix(name))
	body = append(body, fmt.Sprintf("本月 %s 小时，今年 %s 小时，今年签到 %d 次", Hours(s.MonthCentihours), Hours(s.YearCentihours), s.YearCheckins))
	if s.PendingCount > 0 {
		body = append(body, fmt.Sprintf("待审核 %s 小时（%d 条）", Hours(s.PendingCentihours), s.PendingCount))
	} else {
		body = append(body, "没有待审核的时长")
	}
	if len(mine) > 0 {
		var ss []string
		for _, m := range mine {
			t := fmt.Sprintf("%d号【%s】%s", m.ID, inert(m.Title), w.When(m.StartsAt.In(loc)))
			if m.SignupState == jinqiu.SignupWaiting {
				t += fmt.Sprintf("（候补第%d位）", m.Position)
			}
			ss = append(ss, t)
		}
		body = append(body, "已报名："+strings.Join(ss, "；"))
		body = append(body, fmt.Sprintf("到场后请发送：签到 %d", mine[0].ID))
	} else {
		body = append(body, "看活动请发送：活动")
	}
	return head, body
}
