package command

// IntentHelp is a request for the menu: 帮助, or a question the bot
// cannot answer otherwise.
const IntentHelp Intent = "help"

// helpGrammar reads 帮助 and kin.
func helpGrammar() grammar {
	return grammar{
		intent: IntentHelp,
		words: func(d *dictBuilder) {
			d.kw(IntentHelp, tHelp, "帮助", "菜单", "功能", "功能菜单", "使用说明", "说明", "怎么用", "怎么使用", "如何使用",
				"使用方法", "用法", "指令", "命令", "教程", "介绍", "目录", "能做什么", "会做什么", "能干什么", "有什么功能",
				"有哪些功能", "不会用", "help", "menu")
			d.add(dictWord{class: wcNoun, tags: tHelp}, "机器人", "助手", "小助手", "金秋助手", "这个")
		},
		tolerates: tHelp | tWh | tQ,
		read:      func(p *msgParser) (Command, fit) { return p.parsePlain(IntentHelp) },
	}
}
