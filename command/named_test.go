package command

import "testing"

// TestCancelSignupByDay checks 取消 naming the sign-up of a day's activity
// (COMMANDS.md: an activity named by its title or its day): the 报名 after
// 取消 is what is cancelled, not a second command.
func TestCancelSignupByDay(t *testing.T) {
	now := mustParseNow(t) // Friday 2026-11-27
	for _, c := range []struct{ in, want string }{
		{"取消 明天的报名", `{"intent":"cancel_signup","args":{"activity_date":"2026-11-28"}}`},
		{"取消明天的报名", `{"intent":"cancel_signup","args":{"activity_date":"2026-11-28"}}`},
		{"麻烦取消一下明天的报名 谢谢", `{"intent":"cancel_signup","args":{"activity_date":"2026-11-28"}}`},
		{"取消 周日的报名", `{"intent":"cancel_signup","args":{"activity_date":"2026-11-29"}}`},
		{"取消 12月5日的报名", `{"intent":"cancel_signup","args":{"activity_date":"2026-12-05"}}`},
		{"取消 周六的金秋讲堂报名", `{"intent":"cancel_signup","args":{"activity_title":"金秋讲堂","activity_date":"2026-11-28"}}`},
		{"取消 金秋讲堂報名", `{"intent":"cancel_signup","args":{"activity_title":"金秋讲堂"}}`},
		{"取消 3号的报名", `{"intent":"cancel_signup","args":{"activity":3}}`},
		// 报名 after another command word is still a second command.
		{"签到 明天的报名", `{"intent":"unknown"}`},
		// A day that does not exist is named, never guessed.
		{"取消 2月30日的报名", `{"intent":"cancel_signup","args":{"bad_date":"2月30日"}}`},
	} {
		wantParseJSON(t, now, c.in, c.want)
	}
}

// TestCapitalNumeralsInText checks that the 大写 numerals that are also
// surnames and place names stay text inside a title (陆家嘴, 小陆), and are
// numbers where they stand apart.
func TestCapitalNumeralsInText(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ in, want string }{
		{"签到 叁", `{"intent":"checkin","args":{"activity":3}}`},
		{"签到叁", `{"intent":"checkin","args":{"activity":3}}`},
		{"签到 拾贰号", `{"intent":"checkin","args":{"activity":12}}`},
		{"取消报名 伍", `{"intent":"cancel_signup","args":{"activity":5}}`},
		{"时长 贰小时 打扫楼道", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27","note":"打扫楼道"}}`},
		{"报名 陆家嘴健步走", `{"intent":"signup","args":{"activity_title":"陆家嘴健步走"}}`},
		{"报名 周六的伍家岗健步走", `{"intent":"signup","args":{"activity_title":"伍家岗健步走","activity_date":"2026-11-28"}}`},
		{"报名 周六的小陆讲堂", `{"intent":"signup","args":{"activity_title":"小陆讲堂","activity_date":"2026-11-28"}}`},
	} {
		wantParseJSON(t, now, c.in, c.want)
	}
	if got, ok := ParseReplyNumber("叁"); !ok || got != 3 {
		t.Errorf("ParseReplyNumber(叁) = %d, %v; want 3, true", got, ok)
	}
}
