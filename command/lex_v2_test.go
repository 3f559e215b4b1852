package command

import "testing"

// TestFormStarts checks that no structured form starts with a character
// outside formStarts, which longestForm relies on to skip the scanners.
func TestFormStarts(t *testing.T) {
	suffixes := []string{"", "1", "12", "一", "三", "个小时", "小时", "钟头", "分钟", "号", "点", "人", "月1日", "期三", "周三",
		"午3点", "上午", "1人", "名", "几个小时", "页", "天", "年", "1页", "到9人", "学2人", "多小时", "上午", "额20"}
	check := func(r rune) {
		if formStart(r) {
			return
		}
		for _, sf := range suffixes {
			s := string(r) + sf
			if _, e := scanDate(s, 0); e > 0 {
				t.Errorf("scanDate reads %q", s)
			}
			if _, e := scanTime(s, 0); e > 0 {
				t.Errorf("scanTime reads %q", s)
			}
			if _, _, e := scanHours(s, 0); e > 0 {
				t.Errorf("scanHours reads %q", s)
			}
			if _, e := scanCapacity(s, 0); e > 0 {
				t.Errorf("scanCapacity reads %q", s)
			}
			if _, e := scanNumRef(s, 0); e > 0 {
				t.Errorf("scanNumRef reads %q", s)
			}
			if e := scanInexact(s, 0); e > 0 {
				t.Errorf("scanInexact reads %q", s)
			}
			if _, _, e := scanAttend(s, 0); e > 0 {
				t.Errorf("scanAttend reads %q", s)
			}
			if _, e := scanPage(s, 0); e > 0 {
				t.Errorf("scanPage reads %q", s)
			}
			if _, e := scanYear(s, 0); e > 0 {
				t.Errorf("scanYear reads %q", s)
			}
		}
	}
	for r := rune(0x20); r < 0x7F; r++ {
		check(r)
	}
	for r := rune(0x3000); r <= 0x9FFF; r++ {
		check(r)
	}
}
