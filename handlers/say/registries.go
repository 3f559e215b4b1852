package say

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"
)

// The programme's registries: posts held (担任, 卸任), 顾问团 decisions and
// 典型.

// Examples of each registry command, as sent.
const (
	ExampleAppoint  = "张建国 担任 3号楼楼栋长"
	ExampleResign   = "张建国 卸任 楼栋长"
	ExampleDecision = "顾问团议事 小区停车位改造 参加5人 已采纳"
	ExampleNominate = "推荐典型 张建国 带领20名老党员清理小区杂物"
)

// PostKind is how a kind of post is called; OtherPost is 其他.
func PostKind(k jinqiu.PostKind) string {
	if w := k.Word(); w != "" {
		return w
	}
	return "其他"
}

// PlaceKind is how a kind of 阵地 is called.
func PlaceKind(k jinqiu.PlaceKind) string { return string(k) }

// RegistryNeedMember asks whose post, decision or deeds it is.
func RegistryNeedMember(example string) string {
	return lines("请写上是哪位党员（报到时的名字）。", "例如发送："+example)
}

// AppointNeedPosition asks which post.
func AppointNeedPosition(name string) string {
	return lines(fmt.Sprintf("请问%s担任什么职务？", inert(name)), "例如发送："+ExampleAppoint)
}

// ResignNeedPosition asks which post ends.
func ResignNeedPosition(name string) string {
	return lines(fmt.Sprintf("请问%s卸任的是什么职务？", inert(name)), "例如发送："+ExampleResign)
}

// NoMemberNamed: no member of the branch has that name.
func NoMemberNamed(name, example string) string {
	return lines(fmt.Sprintf("本支部没有找到“%s”，请写他（她）报到时的名字。", inert(name)), "例如发送："+example)
}

// PickRegistryMember asks which of the members of that name is meant.
func PickRegistryMember(name string, opts []string) string {
	return Pick(fmt.Sprintf("本支部有几位“%s”，请问是哪一位？", inert(name)), opts, "不办了请回复：算了")
}

// RegistryFuture refuses a registry day that has not come.
func (w Words) RegistryFuture(on time.Time) string {
	return lines(fmt.Sprintf("%s还没到，请到了那天再记录。", w.Day(on)), "不写日期就算今天。")
}

// Fields of the registries, for TooLong.
const (
	FieldPosition = "职务"
	FieldDeeds    = "事迹"
	FieldDecision = "议事事项"
)

// Appointed confirms a post recorded.
func (w Words) Appointed(name string, p jinqiu.Post) string {
	ls := []string{fmt.Sprintf("已记录：%s自%s起担任%s。", inert(name), w.Day(p.StartedOn), inert(p.Position))}
	switch {
	case p.Kind.Role():
		ls = append(ls, fmt.Sprintf("计入五大员：%s。", PostKind(p.Kind)))
	case p.Kind != jinqiu.OtherPost:
		ls = append(ls, fmt.Sprintf("职务类别：%s。", PostKind(p.Kind)))
	default:
		ls = append(ls, "职务类别：其他。")
	}
	return lines(append(ls, fmt.Sprintf("卸任时请发送：%s 卸任 %s", inert(name), inert(p.Position)))...)
}

// AppointedAlready: the member holds that post already.
func (w Words) AppointedAlready(name string, p jinqiu.Post) string {
	return lines(fmt.Sprintf("%s自%s起已担任%s，不用重复记录。", inert(name), w.Day(p.StartedOn), inert(p.Position)),
		fmt.Sprintf("卸任时请发送：%s 卸任 %s", inert(name), inert(p.Position)))
}

// Resigned confirms a post ended.
func (w Words) Resigned(name string, p jinqiu.Post) string {
	return lines(fmt.Sprintf("已记录：%s于%s卸任%s（%s起任职）。", inert(name), w.Day(p.EndedOn), inert(p.Position), w.Day(p.StartedOn)),
		"任职记录都会保留。")
}

// NoSuchPost: the member holds no such post; held lists what they do hold.
func NoSuchPost(name, position string, held []jinqiu.Post) string {
	if len(held) == 0 {
		return lines(fmt.Sprintf("%s现在没有登记任何职务，无需卸任。", inert(name)), "登记任职请发送："+ExampleAppoint)
	}
	return lines(fmt.Sprintf("%s现在没有担任“%s”。", inert(name), inert(position)),
		"现任："+postList(held),
		fmt.Sprintf("请发送：%s 卸任 %s", inert(name), inert(held[0].Position)))
}

// SeveralPosts: the position written matches several held posts.
func SeveralPosts(name string, held []jinqiu.Post) string {
	return lines(fmt.Sprintf("%s担任了几个这样的职务：%s。", inert(name), postList(held)),
		fmt.Sprintf("请写全职务名称，例如发送：%s 卸任 %s", inert(name), inert(held[0].Position)))
}

// ResignBeforeStart refuses an end before the post's start.
func (w Words) ResignBeforeStart(name string, p jinqiu.Post) string {
	return lines(fmt.Sprintf("%s是%s起担任%s的，卸任日期不能更早。", inert(name), w.Day(p.StartedOn), inert(p.Position)),
		"请核对日期后重发。")
}

func postList(ps []jinqiu.Post) string {
	var ss []string
	for _, p := range ps {
		ss = append(ss, inert(p.Position))
	}
	return strings.Join(ss, "、")
}

// DecisionNeedTopic asks what was decided.
func DecisionNeedTopic() string {
	return lines("请写上议事的事项。", "例如发送："+ExampleDecision)
}

// DecisionRecorded confirms a decision recorded.
func (w Words) DecisionRecorded(d jinqiu.Decision) string {
	parts := []string{fmt.Sprintf("已记录顾问团议事：%s %s", w.Day(d.DecidedOn), inert(d.Topic))}
	if d.Present > 0 {
		parts = append(parts, fmt.Sprintf("参加%d人", d.Present))
	}
	switch {
	case d.Adopted == nil:
		parts = append(parts, "未注明是否采纳")
	case *d.Adopted:
		parts = append(parts, "已采纳")
	default:
		parts = append(parts, "未采纳")
	}
	return lines(strings.Join(parts, "，")+"。", "计入顾问团参与决策，年报中统计。")
}

// DecisionRecordedAlready: the same topic on the same day is recorded.
func (w Words) DecisionRecordedAlready(d jinqiu.Decision) string {
	return lines(fmt.Sprintf("%s的议事“%s”已经记录过了。", w.Day(d.DecidedOn), inert(d.Topic)), "另一件事请换个事项名称再发。")
}

// NominateNeedDeeds asks for the deeds.
func NominateNeedDeeds(name string) string {
	return lines(fmt.Sprintf("请写上%s的主要事迹。", inert(name)), "例如发送："+ExampleNominate)
}

// Nominated confirms a nomination; the bureau commends it by its number.
func Nominated(n jinqiu.Nomination) string {
	return lines(fmt.Sprintf("已推荐 %d号典型：%s，事迹：%s。", n.ID, inert(n.MemberName), inert(n.Deeds)),
		fmt.Sprintf("老干部局审核后发送：表彰 %d", n.ID))
}

// NominatedAlready: the member is nominated and not yet commended.
func NominatedAlready(n jinqiu.Nomination) string {
	return lines(fmt.Sprintf("%s已有推荐（%d号），正在等老干部局审核。", inert(n.MemberName), n.ID),
		fmt.Sprintf("老干部局审核后发送：表彰 %d", n.ID))
}

// OnlyBureau refuses a commendation to anyone but the bureau.
func OnlyBureau() string {
	return lines("评选表彰典型由老干部局办理。", "推荐典型请发送："+ExampleNominate)
}

// CommendNoneOpen: 表彰 without a number, and nothing to commend.
func CommendNoneOpen() string {
	return lines("现在没有待表彰的推荐。", "支部书记推荐典型请发送："+ExampleNominate)
}

// NominationOption is one open nomination in a numbered question.
func NominationOption(n jinqiu.Nomination) string {
	return fmt.Sprintf("%d号 %s：%s", n.ID, inert(n.MemberName), inert(n.Deeds))
}

// PickNomination asks which nomination to commend.
func PickNomination(opts []string) string {
	return Pick("请问表彰哪一位？", opts, "不办了请回复：算了")
}

// ConfirmCommend asks to confirm the only open nomination.
func ConfirmCommend(n jinqiu.Nomination) string {
	return lines(fmt.Sprintf("是表彰 %d号 %s（%s）吗？", n.ID, inert(n.MemberName), inert(n.Deeds)), "确认请回复：是")
}

// NominationNotFound: no nomination has that number.
func NominationNotFound(id int64) string {
	return lines(fmt.Sprintf("没有找到 %d号推荐。", id), "请核对编号后重发，例如：表彰 3")
}

// Commended confirms a commendation.
func Commended(n jinqiu.Nomination) string {
	return lines(fmt.Sprintf("已表彰 %d号典型：%s。", n.ID, inert(n.MemberName)), "已在所在支部的群里公布（未同意公示的，名字隐去中间的字）。")
}

// CommendedAlready: the nomination is commended.
func CommendedAlready(n jinqiu.Nomination) string {
	return lines(fmt.Sprintf("%d号典型%s已经表彰过了。", n.ID, inert(n.MemberName)), "查看年报请在后台运行：jinqiu report")
}

// CommendedNotice announces a 典型 in the member's branch group, the name
// in full only if the member said 同意公示.
func CommendedNotice(n jinqiu.Nomination, consented bool) string {
	name := n.MemberName
	if !consented {
		name = MaskName(name)
	}
	return lines(fmt.Sprintf("【典型表彰】%s被老干部局评为典型。", inert(name)), "事迹："+inert(n.Deeds), "向榜样学习！")
}

// MyPosts are the lines of 我的 about the person's posts and 五大员 roles.
func (w Words) MyPosts(posts []jinqiu.Post) []string {
	var held, roles []string
	for _, p := range posts {
		if p.Kind.Role() {
			roles = append(roles, PostKind(p.Kind))
			continue
		}
		held = append(held, fmt.Sprintf("%s（%s起）", inert(p.Position), w.Day(p.StartedOn)))
	}
	var out []string
	if len(held) > 0 {
		out = append(out, "现任职务："+strings.Join(held, "；"))
	}
	if len(roles) > 0 {
		out = append(out, "五大员："+strings.Join(roles, "、"))
	}
	return out
}
