package command

// IntentDigest is 周报 or 月报.
const IntentDigest Intent = "digest"

// digestGrammar reads 周报, 上月月报 and kin.
func digestGrammar() grammar {
	return grammar{
		intent: IntentDigest,
		words: func(d *dictBuilder) {
			for _, u := range []struct {
				unit  byte
				texts []string
			}{
				{'w', []string{"周报", "周报告", "周报表", "周汇总", "周总结"}},
				{'m', []string{"月报", "月报告", "月报表", "月汇总", "月总结"}},
			} {
				d.add(dictWord{class: wcKeyword, intent: IntentDigest, unit: u.unit}, u.texts...)
			}
			d.add(dictWord{class: wcNoun, tags: tDigest}, "发", "发个", "发一下", "生成", "出", "出一下", "来一份", "一份", "份", "推送", "要", "看")
		},
		tolerates: tDigest | tPeriod,
		args:      true,
		read:      (*msgParser).parseDigest,
	}
}

func (p *msgParser) parseDigest() (Command, fit) {
	var unit byte
	for i := range p.segs {
		if !p.allowed(IntentDigest, i) {
			return Command{}, fitNo
		}
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.intent == IntentDigest {
			if unit != 0 && unit != sg.w.unit {
				return Command{}, fitNo // 周报 and 月报 at once
			}
			unit = sg.w.unit
		}
	}
	cmd := Command{Intent: IntentDigest, Period: "week"}
	if unit == 'm' {
		cmd.Period = "month"
	}
	off, n := 0, 0
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.class == wcPeriod && sg.w.unit == unit {
			if n > 0 && sg.w.off != off {
				return cmd, fitYes // 本周 and 上周 at once: say nothing about the offset
			}
			off, n = sg.w.off, n+1
		}
	}
	if n > 0 && (off == 0 || off == -1) {
		cmd.Offset = &off
	}
	return cmd, fitYes
}
