package command

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	_ "time/tzdata"
)

// parseCorpusPath is the repository's copy of the shared corpus, so that a
// fresh clone with nothing beside it tests the same examples;
// TestCorpusCopiesMatchShared keeps it equal to shared/corpus.
const parseCorpusPath = "testdata/commands.jsonl"

// TestCorpusCopiesMatchShared fails when a corpus copy in testdata differs
// from ../shared/corpus (when that folder is there, as in CI).
func TestCorpusCopiesMatchShared(t *testing.T) {
	for _, name := range []string{"commands.jsonl", "commands-v2.jsonl"} {
		shared, err := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", name))
		if errors.Is(err, fs.ErrNotExist) {
			t.Logf("../shared/corpus/%s is not beside the repository: the copy is not compared", name)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		mine, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mine, shared) {
			t.Errorf("command/testdata/%s differs from ../shared/corpus/%s: copy it again (cp ../shared/corpus/%s command/testdata/)", name, name, name)
		}
	}
}

type parseCorpusCase struct {
	Text string          `json:"text"`
	Want json.RawMessage `json:"want"`
}

// mustCorpus reads commands.jsonl.
func mustParseCorpus(tb testing.TB) []parseCorpusCase {
	tb.Helper()
	return mustCorpusFile(tb, parseCorpusPath)
}

// mustCorpusFile reads a corpus in the format of commands.jsonl.
func mustCorpusFile(tb testing.TB, path string) []parseCorpusCase {
	tb.Helper()
	parseCorpusPath := path
	f, err := os.Open(parseCorpusPath)
	if err != nil {
		tb.Fatalf("the command corpus %s is missing: %v", parseCorpusPath, err)
	}
	defer f.Close()
	var cases []parseCorpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c parseCorpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("corpus line %q: %v", sc.Text(), err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	if len(cases) == 0 {
		tb.Fatalf("the command corpus %s is empty", parseCorpusPath)
	}
	return cases
}

// mustNow is the corpus's "now": Friday 2026-11-27 10:00 in Asia/Shanghai.
func mustParseNow(tb testing.TB) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatalf("load zone: %v", err)
	}
	return time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
}

func sameParseJSON(tb testing.TB, got []byte, want []byte) bool {
	tb.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		tb.Fatalf("want invalid JSON %s: %v", want, err)
	}
	return reflect.DeepEqual(g, dropAbsent(w))
}

// dropAbsent removes what a corpus want gives as absent: keys whose value
// is null, and "confirm": false (a command that does not ask carries no
// confirm key).
func dropAbsent(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, x := range m {
		switch {
		case x == nil, k == "confirm" && x == false:
			delete(m, k)
		default:
			m[k] = dropAbsent(x)
		}
	}
	return m
}

func TestParseCorpus(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range mustParseCorpus(t) {
		got, err := json.Marshal(Parse(c.Text, now))
		if err != nil {
			t.Errorf("Parse(%q): marshal: %v", c.Text, err)
			continue
		}
		if !sameParseJSON(t, got, c.Want) {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.Text, got, c.Want)
		}
	}
}

// wantJSON checks the JSON rendering of Parse(text) against want.
func wantParseJSON(t *testing.T, now time.Time, text, want string) {
	t.Helper()
	got, err := json.Marshal(Parse(text, now))
	if err != nil {
		t.Fatalf("Parse(%q): marshal: %v", text, err)
	}
	if !sameParseJSON(t, got, []byte(want)) {
		t.Errorf("Parse(%q)\n got %s\nwant %s", text, got, want)
	}
}

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"mention only", "@金秋助手", ""},
		{"mention and space", "@金秋助手 ", ""},
		{"wecom four-per-em space", "@金秋助手\u2005报名 3", "报名 3"},
		{"no-break space", "@金秋助手\u00a0报名3", "报名3"},
		{"two mentions", "@金秋助手 @张三 帮助", "帮助"},
		{"full-width at sign and ideographic space", "＠金秋助手\u3000帮助", "帮助"},
		{"mention ended by comma", "@金秋助手，报名3", "报名3"},
		{"dingtalk leading space", " 报名 3", "报名 3"},
		{"mention later is kept", "报名3 @金秋助手", "报名3 @金秋助手"},
		{"full-width digits", "报名　３", "报名 3"},
		{"full-width colon and point", "时长：２．５", "时长 2.5"},
		{"chinese punctuation", "发布活动，读书会。明天14:30！", "发布活动 读书会 明天14:30"},
		{"enumeration comma and semicolon", "报名、3；5", "报名 3 5"},
		{"question marks", "怎么用？?", "怎么用"},
		{"decimal stays", "时长 12.1", "时长 12.1"},
		{"clock stays", "12月1日14:30", "12月1日14:30"},
		{"point between letters splits", "a.b c:d", "a b c d"},
		{"trailing point", "3.", "3"},
		{"colon after digit then space", "时长: 2", "时长 2"},
		{"runs of white space", "报名\t\n  3", "报名 3"},
		{"zero-width space", "报名\u200b3", "报名 3"},
		{"full-width letters", "ＨＥＬＰ", "HELP"},
		{"invalid utf-8", "报名\xff3", "报名\uFFFD3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Normalize(c.in); got != c.want {
				t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
	}{
		{"12", 12}, {"１２", 12}, {"007", 7}, {" 3 ", 3},
		{"一", 1}, {"两", 2}, {"十", 10}, {"十一", 11}, {"二十", 20}, {"二十一", 21}, {"九十九", 99},
		{"一百", 100}, {"一百零五", 105}, {"一百一十", 110}, {"一百二十", 120}, {"一百二", 120},
		{"两百五", 250}, {"三百", 300}, {"九百九十九", 999},
		{"2.5", 2.5}, {"２．５", 2.5}, {"0.5", 0.5}, {"12.25", 12.25},
		{"二点五", 2.5}, {"一点二五", 1.25}, {"2点5", 2.5},
		{"半", 0.5}, {"一个半", 1.5}, {"两个半", 2.5}, {"3个半", 3.5}, {"十个半", 10.5},
		{"壹", 1}, {"贰", 2}, {"叁", 3}, {"肆", 4}, {"伍", 5}, {"陆", 6}, {"柒", 7}, {"捌", 8}, {"玖", 9}, {"拾", 10},
		{"拾贰", 12}, {"贰拾", 20}, {"叁拾伍", 35}, {"壹佰零伍", 105}, {"贰点伍", 2.5}, {"叁个半", 3.5},
	} {
		got, ok := ParseNumber(c.in)
		if !ok || got != c.want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, true", c.in, got, ok, c.want)
		}
	}
	for _, in := range []string{"", "0", "00", "0.0", "-1", "-2.5", "零", "一千", "abc", "2.", ".5", "1e3", "1,000",
		"12345678901", "3号", "第三", "个半", "半半", "二点", "两点半", "3小时", "十十"} {
		if got, ok := ParseNumber(in); ok {
			t.Errorf("ParseNumber(%q) = %v, true; want false", in, got)
		}
	}
}

func TestParseReplyNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"3", 3}, {"3号", 3}, {"#3", 3}, {"＃３", 3}, {"第三个", 3}, {"第3个", 3}, {"三", 3}, {"三号", 3},
		{"活动3", 3}, {"3号活动", 3}, {"第5条", 5}, {"十一号", 11}, {"3 号", 3}, {"第 3 个", 3}, {"3。", 3},
		{"12", 12}, {"3号吧", 3}, {"@金秋助手 3", 3}, {"2号 金秋讲堂", 2}, {"第二个 读书会", 2},
	} {
		got, ok := ParseReplyNumber(c.in)
		if !ok || got != c.want {
			t.Errorf("ParseReplyNumber(%q) = %v, %v; want %v, true", c.in, got, ok, c.want)
		}
	}
	for _, in := range []string{"", "0", "-1", "2.5", "半", "一个半", "三个", "好的", "是", "取消", "3 5", "3号楼",
		"12345678901", "报名3"} {
		if got, ok := ParseReplyNumber(in); ok {
			t.Errorf("ParseReplyNumber(%q) = %v, true; want false", in, got)
		}
	}
}

// TestParseNumberForms checks every way COMMANDS.md allows an activity or
// report number to be written, in a command.
func TestParseNumberForms(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in   string
		want int
	}{
		{"报名 3", 3}, {"报名3号", 3}, {"报名 #3", 3}, {"报名第3个", 3}, {"报名第三个", 3}, {"报名三号", 3},
		{"报名活动3", 3}, {"报名3号活动", 3}, {"报名 第5条", 5}, {"报名 三", 3}, {"报名 十一号", 11},
		{"报名 二十一", 21}, {"报名 一百零五号", 105}, {"报名 两号", 2}, {"报名 １２", 12}, {"报名 3 号", 3},
		{"报名 第3个活动", 3}, {"报名 3 3号", 3}, {"报名 叁", 3}, {"报名叁号", 3}, {"报名 第叁个", 3}, {"报名 拾壹", 11},
	} {
		if got := Parse(c.in, now); got.Intent != IntentSignup || got.Activity != c.want {
			t.Errorf("Parse(%q) = %s %d, want signup %d", c.in, got.Intent, got.Activity, c.want)
		}
	}
	// A negative, zero, decimal or too long number is no number; two
	// different numbers are unclear. The handler asks in all these cases.
	for _, in := range []string{"报名 -1", "报名 0", "报名 0号", "报名 零", "报名 2.5", "报名 12345678901", "报名 3 5"} {
		if got := Parse(in, now); got.Intent != IntentSignup || got.Activity != 0 {
			t.Errorf("Parse(%q) = %s %d, want signup without a number", in, got.Intent, got.Activity)
		}
	}
}

// TestParseDatesPast checks each date form where hours and meetings need
// the latest such day on or before today (Friday 2026-11-27).
func TestParseDatesPast(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ in, want string }{
		// (Days after today are not taken for hours and meetings:
		// TestParseDateRules.)
		{"今天", "2026-11-27"}, {"今日", "2026-11-27"}, {"昨天", "2026-11-26"}, {"前天", "2026-11-25"},
		{"大前天", "2026-11-24"}, {"昨儿个", "2026-11-26"}, {"今儿", "2026-11-27"},
		// A weekday without a prefix: the latest on or before today.
		{"周五", "2026-11-27"}, {"周三", "2026-11-25"}, {"周一", "2026-11-23"}, {"周六", "2026-11-21"},
		{"周日", "2026-11-22"}, {"周天", "2026-11-22"}, {"星期四", "2026-11-26"}, {"星期天", "2026-11-22"},
		{"礼拜二", "2026-11-24"}, {"礼拜天", "2026-11-22"}, {"周1", "2026-11-23"},
		// With a prefix: the day of that Monday-based week.
		{"这周三", "2026-11-25"}, {"本周一", "2026-11-23"}, {"这个礼拜二", "2026-11-24"},
		{"上周三", "2026-11-18"}, {"上周日", "2026-11-22"}, {"上个星期五", "2026-11-20"}, {"上礼拜一", "2026-11-16"},
		// Calendar dates: without a year, the latest on or before today.
		{"11月25日", "2026-11-25"}, {"11月25号", "2026-11-25"}, {"11月27日", "2026-11-27"},
		{"十一月二十日", "2026-11-20"}, {"11月1日", "2026-11-01"},
		{"11/20", "2026-11-20"}, {"2026-11-20", "2026-11-20"}, {"2026/11/20", "2026-11-20"},
		{"2025-12-01", "2025-12-01"}, {"2026年11月20日", "2026-11-20"}, {"二〇二六年十一月二十日", "2026-11-20"},
		{"２０２６年１１月２０日", "2026-11-20"}, {"去年12月1日", "2025-12-01"}, {"今年11月1日", "2026-11-01"},
		{"2024年2月29日", "2024-02-29"},
		// A day of the month alone.
		{"25日", "2026-11-25"}, {"28日", "2026-10-28"}, {"二十五日", "2026-11-25"}, {"25号", "2026-11-25"},
	} {
		t.Run(c.in, func(t *testing.T) {
			text := c.in + "服务了2小时"
			got := Parse(text, now)
			if got.Intent != IntentReportHours || got.Date.Format(time.DateOnly) != c.want || got.Hours != 2 || got.Note != "" {
				t.Errorf("Parse(%q) = %s %s %v %q, want report_hours %s 2", text, got.Intent, got.Date.Format(time.DateOnly), got.Hours, got.Note, c.want)
			}
			meeting := "已开 支委会 " + c.in
			if got := Parse(meeting, now); got.Intent != IntentRecordMeeting || got.Date.Format(time.DateOnly) != c.want {
				t.Errorf("Parse(%q) = %s %s, want record_meeting %s", meeting, got.Intent, got.Date.Format(time.DateOnly), c.want)
			}
		})
	}
}

// TestParseDatesFuture checks each date form where an activity needs the
// next such day on or after today, and the 09:00 default start.
func TestParseDatesFuture(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ in, want string }{
		// (Today at 09:00 has passed at 10:00, and a date more than 183
		// days ahead is not taken: TestParseDateRules.)
		{"明天", "2026-11-28"}, {"明日", "2026-11-28"}, {"后天", "2026-11-29"}, {"明儿个", "2026-11-28"},
		{"大后天", "2026-11-30"},
		// A weekday without a prefix: the next on or after today.
		{"周六", "2026-11-28"}, {"周日", "2026-11-29"}, {"周一", "2026-11-30"},
		{"周四", "2026-12-03"}, {"星期三", "2026-12-02"}, {"礼拜天", "2026-11-29"},
		// With a prefix.
		{"下周三", "2026-12-02"}, {"下周日", "2026-12-06"}, {"下个礼拜一", "2026-11-30"}, {"下星期五", "2026-12-04"},
		{"这周日", "2026-11-29"}, {"本周六", "2026-11-28"},
		// Calendar dates: without a year, the next on or after today.
		{"12月5日", "2026-12-05"}, {"12月5号", "2026-12-05"}, {"5月1日", "2027-05-01"},
		{"十二月三日", "2026-12-03"}, {"1/5", "2027-01-05"}, {"12/31", "2026-12-31"}, {"2027-01-05", "2027-01-05"},
		{"2027年1月5日", "2027-01-05"}, {"明年3月1日", "2027-03-01"}, {"2028年2月29日", "2028-02-29"},
		{"28日", "2026-11-28"}, {"3日", "2026-12-03"},
	} {
		t.Run(c.in, func(t *testing.T) {
			text := "发布活动 读书会 " + c.in + " 图书馆"
			got := Parse(text, now)
			want := c.want + "T09:00:00+08:00"
			if got.Intent != IntentPublishActivity || got.StartsAt.Format(time.RFC3339) != want || got.Title != "读书会" || got.Place != "图书馆" {
				t.Errorf("Parse(%q) = %s %s %q %q, want publish_activity %s 读书会 图书馆", text, got.Intent, got.StartsAt.Format(time.RFC3339), got.Title, got.Place, want)
			}
		})
	}
}

// TestParseBadDates checks that a date that cannot be read is never
// replaced by a default: two dates, or a time that does not exist, make
// the message no command (a day that does not exist is bad_date:
// TestParseDateRules).
func TestParseBadDates(t *testing.T) {
	now := mustParseNow(t)
	for _, in := range []string{
		"11月20日 11月21日 时长 2", "发布活动 读书会 明天25点 图书馆", "发布活动 读书会 明天晚上12点 图书馆",
		"发布活动 读书会 明天3:60 图书馆",
	} {
		if got := Parse(in, now); got.Intent != IntentUnknown {
			t.Errorf("Parse(%q) = %s, want unknown", in, got.Intent)
		}
	}
}

// TestParseTimes checks each time form and part of day on 2026-11-28.
func TestParseTimes(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ in, want string }{
		{"明天", "09:00"}, // a date without a time
		{"明天9点", "09:00"}, {"明天7点", "07:00"}, {"明天12点", "12:00"}, {"明天0点", "00:00"}, {"明天23点", "23:00"},
		// A bare hour from 1 to 6 is the afternoon.
		{"明天1点", "13:00"}, {"明天3点", "15:00"}, {"明天6点", "18:00"},
		{"明天9点半", "09:30"}, {"明天8点一刻", "08:15"}, {"明天8点三刻", "08:45"}, {"明天9点05分", "09:05"},
		{"明天9点5分", "09:05"}, {"明天9点30", "09:30"}, {"明天九点零五", "09:05"}, {"明天九点三十分", "09:30"},
		{"明天十点", "10:00"}, {"明天两点半", "14:30"}, {"明天十二点", "12:00"}, {"明天9点整", "09:00"},
		{"明天14:30", "14:30"}, {"明天9:30", "09:30"}, {"明天3:30", "15:30"}, {"明天03:30", "03:30"},
		{"明天15时30分", "15:30"}, {"明天下午3时", "15:00"},
		// Parts of day.
		{"明天早上7点", "07:00"}, {"明天早晨6点", "06:00"}, {"明天上午10点", "10:00"}, {"明天上午3点", "03:00"},
		{"明天凌晨5点", "05:00"}, {"明天中午12点", "12:00"}, {"明天中午1点", "13:00"}, {"明天中午12点半", "12:30"},
		{"明天下午3点", "15:00"}, {"明天下午两点半", "14:30"}, {"明天下午15点", "15:00"}, {"明天傍晚6点", "18:00"},
		{"明天晚上7点半", "19:30"}, {"明天晚7点", "19:00"}, {"明天早8点", "08:00"}, {"明天下午3:30", "15:30"},
		{"明天 下午 3点", "15:00"}, {"明天下午 3点", "15:00"},
		{"明晚7点", "19:00"}, {"明早8点", "08:00"},
	} {
		t.Run(c.in, func(t *testing.T) {
			text := "发布活动 读书会 " + c.in + " 图书馆"
			got := Parse(text, now)
			want := "2026-11-28T" + c.want + ":00+08:00"
			if got.Intent != IntentPublishActivity || got.StartsAt.Format(time.RFC3339) != want || got.Place != "图书馆" {
				t.Errorf("Parse(%q) = %s %s %q, want publish_activity %s 图书馆", text, got.Intent, got.StartsAt.Format(time.RFC3339), got.Place, want)
			}
		})
	}
	// A time without a day is the next such time: today if still ahead.
	for _, c := range []struct{ in, want string }{
		{"3点", "2026-11-27T15:00:00+08:00"}, {"9点", "2026-11-28T09:00:00+08:00"}, {"10点半", "2026-11-27T10:30:00+08:00"},
	} {
		text := "发布活动 读书会 " + c.in + " 图书馆"
		if got := Parse(text, now); got.StartsAt.Format(time.RFC3339) != c.want {
			t.Errorf("Parse(%q).StartsAt = %s, want %s", text, got.StartsAt.Format(time.RFC3339), c.want)
		}
	}
	// A part of day without an hour names no time: starts_at is left out.
	for _, in := range []string{"明天下午", "明晚", "周六上午"} {
		text := "发布活动 读书会 " + in + " 图书馆"
		if got := Parse(text, now); got.Intent != IntentPublishActivity || !got.StartsAt.IsZero() || got.Place != "图书馆" {
			t.Errorf("Parse(%q) = %s %s %q, want publish_activity without starts_at", text, got.Intent, got.StartsAt, got.Place)
		}
	}
}

func TestParseHours(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in   string
		want float64
	}{
		{"时长 2", 2}, {"时长2", 2}, {"时长 2.5", 2.5}, {"时长 ２．５", 2.5}, {"时长 二点五", 2.5}, {"时长 十二", 12},
		{"时长 999", 999}, {"时长 2小时", 2}, {"时长 2 小时", 2}, {"时长 两小时", 2}, {"时长 3个小时", 3},
		{"时长 五个小时", 5}, {"时长 3h", 3}, {"时长 3H", 3}, {"时长 1.5hr", 1.5}, {"时长 半小时", 0.5},
		{"时长 半个小时", 0.5}, {"时长 一个半小时", 1.5}, {"时长 两个半小时", 2.5}, {"时长 两个钟头", 2},
		{"时长 90分钟", 1.5}, {"时长 45分钟", 0.75}, {"时长 20分钟", 0.33}, {"时长 一百二十分钟", 2},
		{"时长 1小时30分钟", 1.5}, {"时长 1小时20分", 1.33}, {"时长 两小时半", 2.5}, {"时长 2.555", 2.56},
		{"服务了3小时", 3}, {"服务两个小时", 2}, {"志愿服务了半小时", 0.5},
	} {
		got := Parse(c.in, now)
		if got.Intent != IntentReportHours || got.Hours != c.want || !got.Date.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, now.Location())) {
			t.Errorf("Parse(%q) = %s %v %s, want report_hours %v today", c.in, got.Intent, got.Hours, got.Date, c.want)
		}
	}
	// No usable amount: the report starts, the handler asks for the hours.
	for _, in := range []string{"时长", "记时长", "时长 -1", "时长 0", "时长 0小时"} {
		if got := Parse(in, now); got.Intent != IntentReportHours || got.Hours != 0 || got.Date.IsZero() {
			t.Errorf("Parse(%q) = %s %v %s, want report_hours without hours, dated today", in, got.Intent, got.Hours, got.Date)
		}
	}
	// Two amounts are unclear: never record on a guess; the handler says
	// why and asks.
	for _, in := range []string{"时长 2 3", "时长 2小时 3小时", "服务了2小时 时长 3"} {
		if got := Parse(in, now); got.Intent != IntentReportHours || got.Hours != 0 || !got.TwoAmounts {
			t.Errorf("Parse(%q) = %s %v two amounts %v, want report_hours without hours, two amounts", in, got.Intent, got.Hours, got.TwoAmounts)
		}
	}
}

// TestParseIntents checks the words of each intent and its arguments.
func TestParseIntents(t *testing.T) {
	now := mustParseNow(t)
	for _, group := range []struct {
		name  string
		cases []struct{ in, want string }
	}{
		{"help", []struct{ in, want string }{
			{"帮助", `{"intent":"help"}`}, {"菜单", `{"intent":"help"}`}, {"功能", `{"intent":"help"}`},
			{"使用说明", `{"intent":"help"}`}, {"怎么用", `{"intent":"help"}`}, {"help", `{"intent":"help"}`},
			{"HELP", `{"intent":"help"}`}, {"?", `{"intent":"help"}`}, {"？", `{"intent":"help"}`}, {"", `{"intent":"help"}`},
			{"@金秋助手", `{"intent":"help"}`}, {"请问怎么用", `{"intent":"help"}`}, {"这个机器人怎么用", `{"intent":"help"}`},
			{"你能做什么", `{"intent":"help"}`}, {"怎么报名", `{"intent":"help"}`}, {"时长怎么报", `{"intent":"help"}`},
			{"报到怎么报", `{"intent":"help"}`}, {"能报名吗", `{"intent":"help"}`},
		}},
		{"register", []struct{ in, want string }{
			{"报到", `{"intent":"register","args":{}}`}, {"社区报到", `{"intent":"register","args":{}}`},
			{"我来报到", `{"intent":"register","args":{}}`}, {"亮身份", `{"intent":"register","args":{}}`},
			{"报到 枣行社区", `{"intent":"register","args":{"community":"枣行社区"}}`},
			{"报到 史家庄村", `{"intent":"register","args":{"community":"史家庄村"}}`},
			{"报到 城关街道", `{"intent":"register","args":{"community":"城关街道"}}`},
			{"报到 阳光小区", `{"intent":"register","args":{"community":"阳光小区"}}`},
			{"报到 幸福家园", `{"intent":"register","args":{"community":"幸福家园"}}`},
			{"报到 第一党支部", `{"intent":"register","args":{"community":"第一党支部"}}`},
			{"报到 老干部局", `{"intent":"register","args":{"community":"老干部局"}}`},
			{"我在枣行社区报到", `{"intent":"register","args":{"community":"枣行社区"}}`},
			{"我是堰岭社区的，来报到", `{"intent":"register","args":{"community":"堰岭社区"}}`},
			{"亮身份 张三 枣行社区", `{"intent":"register","args":{"community":"枣行社区"}}`},
		}},
		{"checkin", []struct{ in, want string }{
			{"签到", `{"intent":"checkin","args":{}}`}, {"打卡", `{"intent":"checkin","args":{}}`},
			{"我到了", `{"intent":"checkin","args":{}}`}, {"签到 3", `{"intent":"checkin","args":{"activity":3}}`},
			{"打卡5号", `{"intent":"checkin","args":{"activity":5}}`},
			{"签到 第二个", `{"intent":"checkin","args":{"activity":2}}`},
			{"我到了 签到3号活动", `{"intent":"checkin","args":{"activity":3}}`},
			{"今天签到", `{"intent":"checkin","args":{}}`},
		}},
		{"list_activities", []struct{ in, want string }{
			{"活动", `{"intent":"list_activities"}`}, {"活动列表", `{"intent":"list_activities"}`},
			{"查看活动", `{"intent":"list_activities"}`}, {"有什么活动", `{"intent":"list_activities"}`},
			{"近期活动", `{"intent":"list_activities"}`}, {"最近有什么活动", `{"intent":"list_activities"}`},
			{"明天有什么活动", `{"intent":"list_activities"}`}, {"下周有哪些活动", `{"intent":"list_activities"}`},
			{"最近有什么活动吗", `{"intent":"list_activities"}`},
		}},
		{"signup", []struct{ in, want string }{
			{"报名", `{"intent":"signup","args":{}}`}, {"参加", `{"intent":"signup","args":{}}`},
			{"我要报名", `{"intent":"signup","args":{}}`}, {"我要参加", `{"intent":"signup","args":{}}`},
			{"算我一个", `{"intent":"signup","args":{}}`}, {"参加3号", `{"intent":"signup","args":{"activity":3}}`},
			{"我要参加第二个活动", `{"intent":"signup","args":{"activity":2}}`},
			{"算我一个 5号", `{"intent":"signup","args":{"activity":5}}`},
			{"活动报名 7", `{"intent":"signup","args":{"activity":7}}`},
			{"请帮我报名3号，谢谢", `{"intent":"signup","args":{"activity":3}}`},
		}},
		{"cancel_signup", []struct{ in, want string }{
			{"取消报名", `{"intent":"cancel_signup","args":{}}`}, {"取消", `{"intent":"cancel_signup","args":{}}`},
			{"取消 3号", `{"intent":"cancel_signup","args":{"activity":3}}`},
			{"取消报名第2个", `{"intent":"cancel_signup","args":{"activity":2}}`},
			{"退出活动 6", `{"intent":"cancel_signup","args":{"activity":6}}`},
			{"3号报名取消", `{"intent":"cancel_signup","args":{"activity":3}}`},
			{"取消5号活动", `{"intent":"cancel_signup","args":{"activity":5}}`},
			{"去不了 取消4号", `{"intent":"cancel_signup","args":{"activity":4}}`},
			// 不去了 alone asks which (or confirms the only one); naming the
			// activity is as definite as 取消 N.
			{"不去了", `{"intent":"cancel_signup","args":{}}`},
			{"3号活动我去不了了", `{"intent":"cancel_signup","args":{"activity":3}}`},
			{"5号我不去了", `{"intent":"cancel_signup","args":{"activity":5}}`},
		}},
		{"report_hours", []struct{ in, want string }{
			{"时长", `{"intent":"report_hours","args":{"date":"2026-11-27"}}`},
			{"服务时长 2", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27"}}`},
			{"志愿时长 3小时 义务理发", `{"intent":"report_hours","args":{"hours":3,"date":"2026-11-27","note":"义务理发"}}`},
			{"记时长 2 昨天 陪老人聊天", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-26","note":"陪老人聊天"}}`},
			{"我今天服务2小时打扫楼道", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27","note":"打扫楼道"}}`},
			{"时长 2 参加社区活动", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27","note":"参加社区活动"}}`},
			{"时长 2 打扫3号楼", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27","note":"打扫3号楼"}}`},
			{"时长 2 谢谢", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27"}}`},
			{"时长多少", `{"intent":"my_stats"}`},
		}},
		{"my_stats", []struct{ in, want string }{
			{"我的", `{"intent":"my_stats"}`}, {"我的时长", `{"intent":"my_stats"}`}, {"我的记录", `{"intent":"my_stats"}`},
			{"我的积分", `{"intent":"my_stats"}`}, {"查询我的服务时长", `{"intent":"my_stats"}`},
			{"我报了哪些活动", `{"intent":"my_stats"}`}, {"我报了几个活动", `{"intent":"my_stats"}`}, {"我的时长是多少", `{"intent":"my_stats"}`},
			{"查询时长", `{"intent":"my_stats"}`}, {"我参加了哪些活动", `{"intent":"my_stats"}`},
		}},
		{"publish_activity", []struct{ in, want string }{
			{"发布活动", `{"intent":"publish_activity","args":{}}`},
			{"新建活动 读书会 12月5日 图书馆", `{"intent":"publish_activity","args":{"title":"读书会","starts_at":"2026-12-05T09:00:00+08:00","place":"图书馆"}}`},
			{"发起活动 健步走 周日早上7点 人民公园 限30人", `{"intent":"publish_activity","args":{"title":"健步走","starts_at":"2026-11-29T07:00:00+08:00","place":"人民公园","capacity":30}}`},
			{"组织活动 包饺子 12月20日 上午10点 社区食堂 人数40", `{"intent":"publish_activity","args":{"title":"包饺子","starts_at":"2026-12-20T10:00:00+08:00","place":"社区食堂","capacity":40}}`},
			{"发布活动：健步走，时间：12月6日早上8点，地点：人民公园，名额：20", `{"intent":"publish_activity","args":{"title":"健步走","starts_at":"2026-12-06T08:00:00+08:00","place":"人民公园","capacity":20}}`},
			{"发布活动 太极 3号下午2点 在文化广场 20名", `{"intent":"publish_activity","args":{"title":"太极","starts_at":"2026-12-03T14:00:00+08:00","place":"文化广场","capacity":20}}`},
			{"发布活动 义诊 明天下午2点到4点 卫生室", `{"intent":"publish_activity","args":{"title":"义诊","starts_at":"2026-11-28T14:00:00+08:00","place":"卫生室"}}`},
		}},
		{"cancel_activity", []struct{ in, want string }{
			{"取消活动 5", `{"intent":"cancel_activity","args":{"activity":5}}`},
			{"撤销活动 9号", `{"intent":"cancel_activity","args":{"activity":9}}`},
			{"活动取消 3", `{"intent":"cancel_activity","args":{"activity":3}}`},
			{"取消活动", `{"intent":"cancel_activity","args":{}}`},
		}},
		{"roster", []struct{ in, want string }{
			{"名单", `{"intent":"roster","args":{}}`}, {"名单 3", `{"intent":"roster","args":{"activity":3}}`},
			{"报名名单 3", `{"intent":"roster","args":{"activity":3}}`},
			{"报名情况 4号", `{"intent":"roster","args":{"activity":4}}`},
			{"3号活动报名名单", `{"intent":"roster","args":{"activity":3}}`},
			{"3号活动都有谁", `{"intent":"roster","args":{"activity":3}}`},
		}},
		{"approve_hours", []struct{ in, want string }{
			{"通过", `{"intent":"approve_hours","args":{}}`}, {"通过 17", `{"intent":"approve_hours","args":{"report":17}}`},
			{"同意 8", `{"intent":"approve_hours","args":{"report":8}}`},
			{"批准 第5条", `{"intent":"approve_hours","args":{"report":5}}`},
			{"审核通过 #12", `{"intent":"approve_hours","args":{"report":12}}`},
		}},
		{"reject_hours", []struct{ in, want string }{
			{"驳回", `{"intent":"reject_hours","args":{}}`}, {"拒绝 5", `{"intent":"reject_hours","args":{"report":5}}`},
			{"退回 #6", `{"intent":"reject_hours","args":{"report":6}}`},
			{"审核不通过 7", `{"intent":"reject_hours","args":{"report":7}}`},
			{"不同意 9号", `{"intent":"reject_hours","args":{"report":9}}`},
		}},
		{"record_meeting", []struct{ in, want string }{
			{"已开会", `{"intent":"record_meeting","args":{"date":"2026-11-27"}}`},
			{"已召开 支部大会", `{"intent":"record_meeting","args":{"kind":"branch_assembly","date":"2026-11-27"}}`},
			{"支委会已开", `{"intent":"record_meeting","args":{"kind":"committee","date":"2026-11-27"}}`},
			{"小组会开完了", `{"intent":"record_meeting","args":{"kind":"group","date":"2026-11-27"}}`},
			{"党课讲完了 昨天", `{"intent":"record_meeting","args":{"kind":"lecture","date":"2026-11-26"}}`},
			{"党日活动已开展 11月20日 参观纪念馆", `{"intent":"record_meeting","args":{"kind":"theme_day","date":"2026-11-20","topic":"参观纪念馆"}}`},
			{"今天开了支委会", `{"intent":"record_meeting","args":{"kind":"committee","date":"2026-11-27"}}`},
			{"上周五召开了主题党日活动", `{"intent":"record_meeting","args":{"kind":"theme_day","date":"2026-11-20"}}`},
			{"党课 已上 学习党章", `{"intent":"record_meeting","args":{"kind":"lecture","date":"2026-11-27","topic":"学习党章"}}`},
			// 党课 inside a committee's topic is part of the topic, not the kind.
			{"已召开 支委会 研究党课安排", `{"intent":"record_meeting","args":{"kind":"committee","date":"2026-11-27","topic":"研究党课安排"}}`},
			{"会议记录 党员大会 11月5日 书记主持", `{"intent":"record_meeting","args":{"kind":"branch_assembly","date":"2026-11-05","topic":"书记主持"}}`},
			{"本月党课已上了吗", `{"intent":"help"}`},
		}},
		{"meeting_status", []struct{ in, want string }{
			{"三会一课", `{"intent":"meeting_status"}`}, {"会议情况", `{"intent":"meeting_status"}`},
			{"哪些会没开", `{"intent":"meeting_status"}`}, {"组织生活情况", `{"intent":"meeting_status"}`},
			{"三会一课情况", `{"intent":"meeting_status"}`}, {"支委会开了没", `{"intent":"meeting_status"}`},
		}},
		{"digest", []struct{ in, want string }{
			{"本月月报", `{"intent":"digest","args":{"period":"month","offset":0}}`},
			{"上月月报", `{"intent":"digest","args":{"period":"month","offset":-1}}`},
			{"这周的周报", `{"intent":"digest","args":{"period":"week","offset":0}}`},
			{"上星期的周报", `{"intent":"digest","args":{"period":"week","offset":-1}}`},
			{"周报 上周", `{"intent":"digest","args":{"period":"week","offset":-1}}`},
			{"请发一下本月的月报", `{"intent":"digest","args":{"period":"month","offset":0}}`},
			// A period of the other unit, or next week, says nothing about the offset.
			{"本周的月报", `{"intent":"digest","args":{"period":"month"}}`},
			{"下周周报", `{"intent":"digest","args":{"period":"week"}}`},
		}},
	} {
		t.Run(group.name, func(t *testing.T) {
			for _, c := range group.cases {
				wantParseJSON(t, now, c.in, c.want)
			}
		})
	}
}

// TestParseConflicts checks the words that contain or resemble each other.
func TestParseConflicts(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ in, want string }{
		{"取消 5", `{"intent":"cancel_signup","args":{"activity":5}}`},
		{"取消活动 5", `{"intent":"cancel_activity","args":{"activity":5}}`},
		{"取消报名 5", `{"intent":"cancel_signup","args":{"activity":5}}`},
		{"通过 5", `{"intent":"approve_hours","args":{"report":5}}`},
		{"不通过 5", `{"intent":"reject_hours","args":{"report":5}}`},
		{"审核不通过 5", `{"intent":"reject_hours","args":{"report":5}}`},
		{"同意 5", `{"intent":"approve_hours","args":{"report":5}}`},
		{"不同意 5", `{"intent":"reject_hours","args":{"report":5}}`},
		{"活动", `{"intent":"list_activities"}`},
		{"发布活动", `{"intent":"publish_activity","args":{}}`},
		{"3号活动报名名单", `{"intent":"roster","args":{"activity":3}}`},
		{"报名 3号活动", `{"intent":"signup","args":{"activity":3}}`},
		{"我的", `{"intent":"my_stats"}`},
		{"我报了哪些活动", `{"intent":"my_stats"}`},
		{"报到", `{"intent":"register","args":{}}`},
		{"报名", `{"intent":"signup","args":{}}`},
		{"签到", `{"intent":"checkin","args":{}}`},
		{"谁报名了3号", `{"intent":"roster","args":{"activity":3}}`},
		{"已开会 支委会", `{"intent":"record_meeting","args":{"kind":"committee","date":"2026-11-27"}}`},
		{"开会情况", `{"intent":"meeting_status"}`},
		{"时长 2", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27"}}`},
		{"我的时长", `{"intent":"my_stats"}`},
		{"同意时长 2", `{"intent":"approve_hours","args":{"report":2}}`},
		{"周报", `{"intent":"digest","args":{"period":"week"}}`},
		{"上周三服务了2小时", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-18"}}`},
		{"党日活动已开展", `{"intent":"record_meeting","args":{"kind":"theme_day","date":"2026-11-27"}}`},
		{"最近有什么活动", `{"intent":"list_activities"}`},
	} {
		wantParseJSON(t, now, c.in, c.want)
	}
}

// TestParsePrecision checks that chatter, statements about others and
// ambiguous text never become a sign-up, a cancellation or an hours report.
func TestParsePrecision(t *testing.T) {
	now := mustParseNow(t)
	for _, in := range []string{
		"你好", "大家好", "大家早上好！", "早上好", "今天天气不错", "收到", "好的", "谢谢", "👍👍👍", "🌹", "哈哈哈",
		"DROP TABLE members;", "' OR 1=1 --", "<script>alert(1)</script>", "报名3 @金秋助手",
		"我参加了昨天的活动，很开心", "他服务了3小时", "老王服务了两个小时", "今天打扫楼道服务了2小时",
		"我不报名", "报名3人", "签到 明天", "3号活动", "活动3", "我的天", "同意楼上",
		"我们小区的活动室装修好了", "每周报名的人很多", "已开始", "活动已开展", "党课", "2小时", "3号",
	} {
		if got := Parse(in, now); got.Intent != IntentUnknown {
			b, _ := json.Marshal(got)
			t.Errorf("Parse(%q) = %s, want unknown", in, b)
		}
	}
}

// TestParseSafeFallback checks that text mixing a command with what it
// cannot carry lands on a harmless intent: a list to choose from, or the menu.
func TestParseSafeFallback(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ in, want string }{
		{"报名 明天的活动", `{"intent":"signup","args":{"activity_date":"2026-11-28"}}`},
		{"老王报名了吗", `{"intent":"help"}`},
		{"报名 3 怎么弄", `{"intent":"help"}`},
		{"帮助 报名", `{"intent":"help"}`},
		{"help me", `{"intent":"help"}`},
	} {
		wantParseJSON(t, now, c.in, c.want)
	}
}

// TestParseZone checks that dates are days in the zone of now.
func TestParseZone(t *testing.T) {
	shanghai := mustParseNow(t)
	instant := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC) // 2026-11-28 04:00 in Shanghai
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{instant, "2026-11-27T00:00:00Z"},
		{instant.In(shanghai.Location()), "2026-11-28T00:00:00+08:00"},
	} {
		got := Parse("时长 2", c.now)
		if got.Date.Format(time.RFC3339) != c.want {
			t.Errorf("Parse at %s: date %s, want %s", c.now, got.Date.Format(time.RFC3339), c.want)
		}
	}
	got := Parse("发布活动 读书会 明天下午3点 图书馆", instant)
	if want := "2026-11-28T15:00:00Z"; got.StartsAt.Format(time.RFC3339) != want {
		t.Errorf("starts_at in UTC = %s, want %s", got.StartsAt.Format(time.RFC3339), want)
	}
}

func TestCommandMarshalJSON(t *testing.T) {
	now := mustParseNow(t)
	zero, last := 0, -1
	for _, c := range []struct {
		name string
		cmd  Command
		want string
	}{
		{"no args intent", Command{Intent: IntentHelp}, `{"intent":"help"}`},
		{"no args intent ignores fields", Command{Intent: IntentListActivities, Activity: 3}, `{"intent":"list_activities"}`},
		{"unknown", Command{Intent: IntentUnknown}, `{"intent":"unknown"}`},
		{"args intent without args", Command{Intent: IntentSignup}, `{"intent":"signup","args":{}}`},
		{"offset zero is said", Command{Intent: IntentDigest, Period: "week", Offset: &zero}, `{"intent":"digest","args":{"period":"week","offset":0}}`},
		{"offset minus one", Command{Intent: IntentDigest, Period: "month", Offset: &last}, `{"intent":"digest","args":{"period":"month","offset":-1}}`},
		{"hours integer", Command{Intent: IntentReportHours, Hours: 2, Date: now}, `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27"}}`},
		{"hours fraction", Command{Intent: IntentReportHours, Hours: 2.5, Date: now, Note: "<扫>&"}, `{"intent":"report_hours","args":{"hours":2.5,"date":"2026-11-27","note":"<扫>&"}}`},
		{"starts_at", Command{Intent: IntentPublishActivity, Title: "t", StartsAt: now, Capacity: 20}, `{"intent":"publish_activity","args":{"title":"t","starts_at":"2026-11-27T10:00:00+08:00","capacity":20}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			// MarshalJSON itself, not json.Marshal, which would re-escape <>&.
			got, err := c.cmd.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestParseOwnCases holds messages beyond the corpus: other numbers, dates,
// word orders and synonyms, as members and secretaries write them.
func TestParseOwnCases(t *testing.T) {
	now := mustParseNow(t)
	inCorpus := map[string]bool{}
	for _, c := range mustParseCorpus(t) {
		inCorpus[c.Text] = true
	}
	for _, c := range []struct{ in, want string }{
		{"@金秋助手 报名第3个活动", `{"intent":"signup","args":{"activity":3}}`},
		{"我也参加 5号", `{"intent":"signup","args":{"activity":5}}`},
		{"报个名 十二号", `{"intent":"signup","args":{"activity":12}}`},
		{"参加 #15", `{"intent":"signup","args":{"activity":15}}`},
		{"7号活动 报名", `{"intent":"signup","args":{"activity":7}}`},
		{"报名，活动8", `{"intent":"signup","args":{"activity":8}}`},
		{"报名二十号活动", `{"intent":"signup","args":{"activity":20}}`},
		{"参加活动 3", `{"intent":"signup","args":{"activity":3}}`},
		{"＠金秋助手\u3000报名\u3000１２", `{"intent":"signup","args":{"activity":12}}`},
		{"取消报名 十号", `{"intent":"cancel_signup","args":{"activity":10}}`},
		{"退出报名 第三个", `{"intent":"cancel_signup","args":{"activity":3}}`},
		{"撤销报名 2", `{"intent":"cancel_signup","args":{"activity":2}}`},
		{"有事去不了，取消5号", `{"intent":"cancel_signup","args":{"activity":5}}`},
		{"取消 第二个活动", `{"intent":"cancel_signup","args":{"activity":2}}`},
		{"签到 7号活动", `{"intent":"checkin","args":{"activity":7}}`},
		{"打卡 第一个", `{"intent":"checkin","args":{"activity":1}}`},
		{"@金秋助手\u2005签到", `{"intent":"checkin","args":{}}`},
		{"时长 3 小时 楼道消毒", `{"intent":"report_hours","args":{"hours":3,"date":"2026-11-27","note":"楼道消毒"}}`},
		{"今天上午服务了3个小时 帮助孤寡老人", `{"intent":"report_hours","args":{"hours":3,"date":"2026-11-27","note":"帮助孤寡老人"}}`},
		{"周三服务了两小时 社区宣传", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-25","note":"社区宣传"}}`},
		{"11月20日 时长 4 义务植树", `{"intent":"report_hours","args":{"hours":4,"date":"2026-11-20","note":"义务植树"}}`},
		{"上报时长 2.5h 文明劝导", `{"intent":"report_hours","args":{"hours":2.5,"date":"2026-11-27","note":"文明劝导"}}`},
		{"时长 40分钟 清理小广告", `{"intent":"report_hours","args":{"hours":0.67,"date":"2026-11-27","note":"清理小广告"}}`},
		{"补报时长 11/24 3小时 护河巡查", `{"intent":"report_hours","args":{"hours":3,"date":"2026-11-24","note":"护河巡查"}}`},
		{"志愿时长 一个半小时", `{"intent":"report_hours","args":{"hours":1.5,"date":"2026-11-27"}}`},
		{"时长：两个小时，打扫小区卫生", `{"intent":"report_hours","args":{"hours":2,"date":"2026-11-27","note":"打扫小区卫生"}}`},
		{"25号服务了3小时 陪读", `{"intent":"report_hours","args":{"hours":3,"date":"2026-11-25","note":"陪读"}}`},
		{"我的积分是多少", `{"intent":"my_stats"}`},
		{"查我的时长", `{"intent":"my_stats"}`},
		{"我报名了哪些活动", `{"intent":"my_stats"}`},
		{"近期活动有哪些", `{"intent":"list_activities"}`},
		{"看看有什么活动", `{"intent":"list_activities"}`},
		{"这周有什么活动", `{"intent":"list_activities"}`},
		{"发布活动 重阳节慰问 12月8日下午3点 敬老院 名额10", `{"intent":"publish_activity","args":{"title":"重阳节慰问","starts_at":"2026-12-08T15:00:00+08:00","place":"敬老院","capacity":10}}`},
		{"新活动 健康讲座 周二上午9:30 社区卫生服务站 限40人", `{"intent":"publish_activity","args":{"title":"健康讲座","starts_at":"2026-12-01T09:30:00+08:00","place":"社区卫生服务站","capacity":40}}`},
		{"发起活动 象棋比赛 12月12日 老干部活动中心 30人", `{"intent":"publish_activity","args":{"title":"象棋比赛","starts_at":"2026-12-12T09:00:00+08:00","place":"老干部活动中心","capacity":30}}`},
		{"发布活动 迎新春写春联 2027年1月20日 14:00 文化站 人数 25", `{"intent":"publish_activity","args":{"title":"迎新春写春联","starts_at":"2027-01-20T14:00:00+08:00","place":"文化站","capacity":25}}`},
		{"取消活动 第2个", `{"intent":"cancel_activity","args":{"activity":2}}`},
		{"撤销活动 #7", `{"intent":"cancel_activity","args":{"activity":7}}`},
		{"删除活动 4", `{"intent":"cancel_activity","args":{"activity":4}}`},
		{"报名名单 5号活动", `{"intent":"roster","args":{"activity":5}}`},
		{"查看名单 第三个", `{"intent":"roster","args":{"activity":3}}`},
		{"谁报名了", `{"intent":"roster","args":{}}`},
		{"审核通过 第17条", `{"intent":"approve_hours","args":{"report":17}}`},
		{"批准 二十三号", `{"intent":"approve_hours","args":{"report":23}}`},
		{"驳回 19号", `{"intent":"reject_hours","args":{"report":19}}`},
		{"退回 第4条", `{"intent":"reject_hours","args":{"report":4}}`},
		{"已召开 支委会 11月26日 研究年终总结", `{"intent":"record_meeting","args":{"date":"2026-11-26","kind":"committee","topic":"研究年终总结"}}`},
		{"党小组会 已开 前天 学习新党章", `{"intent":"record_meeting","args":{"date":"2026-11-25","kind":"group","topic":"学习新党章"}}`},
		{"11月22日 主题党日已开展 参观红色教育基地", `{"intent":"record_meeting","args":{"date":"2026-11-22","kind":"theme_day","topic":"参观红色教育基地"}}`},
		{"支部党员大会开过了 选举支委", `{"intent":"record_meeting","args":{"date":"2026-11-27","kind":"branch_assembly","topic":"选举支委"}}`},
		{"已上党课 上周四 学习党的二十届四中全会精神", `{"intent":"record_meeting","args":{"date":"2026-11-19","kind":"lecture","topic":"学习党的二十届四中全会精神"}}`},
		{"三会一课开展情况", `{"intent":"meeting_status"}`},
		{"哪些会还没开", `{"intent":"meeting_status"}`},
		{"上周的周报发一下", `{"intent":"digest","args":{"period":"week","offset":-1}}`},
		{"这个月的月报", `{"intent":"digest","args":{"period":"month","offset":0}}`},
		{"发个月报", `{"intent":"digest","args":{"period":"month"}}`},
		{"报到 汶河街道", `{"intent":"register","args":{"community":"汶河街道"}}`},
		{"亮身份 老党员 堰岭社区", `{"intent":"register","args":{"community":"堰岭社区"}}`},
		{"社区报到，枣行社区", `{"intent":"register","args":{"community":"枣行社区"}}`},
		{"功能菜单", `{"intent":"help"}`},
		{"@金秋助手 ？", `{"intent":"help"}`},
		{"谢谢，收到", `{"intent":"unknown"}`},
		{"今天的活动很精彩", `{"intent":"unknown"}`},
	} {
		if inCorpus[c.in] {
			t.Errorf("%q is in the corpus already: replace it with a new case", c.in)
		}
		wantParseJSON(t, now, c.in, c.want)
	}
}

// TestParseDictionary guards the dictionary: a text entered twice would
// silently shadow one of its meanings.
func TestParseDictionary(t *testing.T) {
	seen := map[string]bool{}
	for _, ws := range lang.dict.byRune {
		for _, w := range ws {
			if seen[w.text] {
				t.Errorf("dictionary word %q is entered twice", w.text)
			}
			seen[w.text] = true
		}
	}
	for text := range lang.dict.ascii {
		if seen[text] {
			t.Errorf("dictionary word %q is entered twice", text)
		}
	}
}
