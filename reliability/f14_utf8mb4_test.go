package reliability

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Text that utf8mb3, a latin1 default, a careless normaliser or a
// byte-counting truncation would damage. Notes and titles are read by the
// command parser, which applies NFKC and splits on spaces and punctuation:
// these are stable under both, so they must arrive byte for byte.
var (
	utf8Names = []string{
		"李明👨‍👩‍👧‍👦",    // ZWJ family
		"王芳👍🏽",         // skin tone
		"🇨🇳张伟",         // flag (regional indicators)
		"𠀀𪚥老人",         // CJK Ext-B
		"שלום עליכם",   // RTL, with a space
		"مرحبا\u200f",  // RTL mark
		"赵\u200b四",     // zero-width space
		"👩🏽‍💻钱\u200d七", // ZWJ sequence, and a bare ZWJ between CJK
		"🏳️‍🌈陈",        // variation selector + ZWJ
		"\u202eabc孙",   // right-to-left override
	}
	utf8Notes = []string{
		"清扫楼道👨‍👩‍👧‍👦",
		"探望👍🏽老人",
		"升旗🇨🇳",
		"𠀀𪚥抄写",
		"עזרה",
		"🏳️‍🌈宣传",
		"👩🏽‍💻教电脑",
	}
	utf8Titles = []string{
		"🎉敬老👨‍👩‍👧‍👦",
		"𠀀𪚥读书会",
		"🇨🇳升旗仪式",
		"עזרה‏לקשישים",
		"👩🏽‍💻智能手机课",
	}
)

// TestF14UTF8MB4: names, notes and titles with emoji, CJK Ext-B, RTL and
// zero-width characters go callback → database → outbound byte for byte;
// no text column is anything but utf8mb4; the application's session is
// strict and utf8mb4.
func TestF14UTF8MB4(t *testing.T) {
	heavy(t)
	n := size(2*len(utf8Names), 1000)
	ctx, cancel := context.WithTimeout(context.Background(), sizeD(2*time.Minute, 15*time.Minute))
	defer cancel()
	w := newWorld(t, worldOpts{branches: 1})
	r := w.serve(t)
	b := &w.branches[0]
	x := w.x(t)
	c := loadClient(30 * time.Second)

	// send delivers m and returns its reply (WeCom's answer, or what
	// reached the DingTalk session).
	send := func(m *msg) (string, int) {
		res := deliver(ctx, c, r.base, m)
		if res.status != http.StatusOK {
			t.Errorf("%s: status %d %v %q", m.Text, res.status, res.err, res.body)
			return "", res.status
		}
		rc := w.waitReplies([]*msg{m}, []result{res}, 10*time.Second)
		return rc.texts[m.ID], res.status
	}
	name := func(i int) string {
		s := utf8Names[i%len(utf8Names)]
		if k := i / len(utf8Names); k > 0 {
			s += fmt.Sprint(k)
		}
		return s
	}
	type person struct{ via, user, name string }
	var people []person
	var dbOK, replyOK, total, replyTotal int
	miss := func(what, want, got string) {
		t.Errorf("%s: got %q (% x), want %q (% x)", what, got, got, want, want)
	}

	// Names: 报到 with the name as the platform sends it.
	for i := 0; i < n; i++ {
		via := robotDing
		if i%2 == 1 {
			via = robotGroup
		}
		p := person{via: via, user: fmt.Sprintf("u14-%d", i), name: name(i)}
		people = append(people, p)
		reply, _ := send(w.message(t, via, b, p.user, p.name, "报到"))
		var got string
		if err := x.Get(&got, "SELECT display_name FROM members WHERE user_id = ?", p.user); err != nil {
			t.Fatalf("member %s: %v", p.user, err)
		}
		total++
		if got == p.name {
			dbOK++
		} else {
			miss("members.display_name", p.name, got)
		}
		replyTotal++
		if strings.Contains(reply, p.name) {
			replyOK++
		} else {
			miss("报到 reply", p.name, reply)
		}
	}
	// Notes: 时长 1 NOTE.
	for i, p := range people {
		note := utf8Notes[i%len(utf8Notes)]
		m := w.message(t, p.via, b, p.user, p.name, "时长 1 "+note)
		reply, _ := send(m)
		var got string
		if err := x.Get(&got, "SELECT note FROM hours_reports WHERE msg_id = ?", m.ID); err != nil {
			t.Errorf("hours of %s: %v (reply %q)", m.ID, err, reply)
			continue
		}
		total++
		if got == note {
			dbOK++
		} else {
			miss("hours_reports.note", note, got)
		}
		replyTotal++
		if strings.Contains(reply, "（"+note+"）") {
			replyOK++
		} else {
			miss("时长 reply", note, reply)
		}
	}
	// Titles: a secretary publishes.
	var firstTitleID int64
	for i, title := range utf8Titles {
		// The secretary is a WeCom user: both WeCom robots.
		via := robotAIBot
		if i%2 == 1 {
			via = robotGroup
		}
		m := w.message(t, via, b, b.Secretaries[0], "书记🌸", "发布活动 "+title+" 明天上午9点 社区广场 名额1")
		reply, _ := send(m)
		var got string
		var id int64
		// Not WHERE title = ?: utf8mb4_unicode_ci compares every emoji and
		// Ext-B character as equal to every other.
		row := x.QueryRow("SELECT id, title FROM activities ORDER BY id DESC LIMIT 1")
		if err := row.Scan(&id, &got); err != nil {
			t.Errorf("activity %q: %v (reply %q)", title, err, reply)
			continue
		}
		if i == 0 {
			firstTitleID = id
		}
		total++
		if got == title {
			dbOK++
		} else {
			miss("activities.title", title, got)
		}
		replyTotal++
		if strings.Contains(reply, "【"+title+"】") {
			replyOK++
		} else {
			miss("发布活动 reply", title, reply)
		}
	}

	// A promotion notice: pushed through the outbox to the group's
	// webhook, naming the promoted person and the activity.
	promoted := "no activity"
	if firstTitleID != 0 {
		a := person{via: robotDing, user: "u14-first", name: "先来的"}
		bb := people[0] // a DingTalk member with an emoji name
		send(w.message(t, a.via, b, a.user, a.name, "报到"))
		send(w.message(t, a.via, b, a.user, a.name, fmt.Sprintf("报名 %d", firstTitleID)))
		send(w.message(t, bb.via, b, bb.user, bb.name, fmt.Sprintf("报名 %d", firstTitleID)))
		send(w.message(t, a.via, b, a.user, a.name, fmt.Sprintf("取消报名 %d", firstTitleID)))
		deadline := time.Now().Add(15 * time.Second)
		promoted = "not received in 15s"
		for time.Now().Before(deadline) {
			for _, s := range w.dd.MessagesTo(b.DingToken) {
				if strings.Contains(s.Content, "候补转为正式") {
					total++
					ok := strings.Contains(s.Content, bb.name) && strings.Contains(s.Content, "【"+utf8Titles[0]+"】") && len(s.Mentions) == 1 && s.Mentions[0] == bb.user
					if ok {
						dbOK++
						promoted = "byte-exact"
					} else {
						promoted = fmt.Sprintf("damaged: %q mentions %v", s.Content, s.Mentions)
					}
					deadline = time.Time{}
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// Schema and session lint.
	var bad []string
	if err := x.Select(&bad, `SELECT CONCAT(table_name, '.', column_name, ' ', COALESCE(character_set_name, '')) FROM information_schema.columns
		WHERE table_schema = DATABASE() AND data_type IN ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set')
		AND (character_set_name IS NULL OR character_set_name <> 'utf8mb4')`); err != nil {
		t.Fatal(err)
	}
	var badTables []string
	if err := x.Select(&badTables, `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_collation NOT LIKE 'utf8mb4%'`); err != nil {
		t.Fatal(err)
	}
	var sqlMode, charset, collation, tz string
	row := x.QueryRow("SELECT @@SESSION.sql_mode, @@SESSION.character_set_connection, @@SESSION.collation_connection, @@SESSION.time_zone")
	if err := row.Scan(&sqlMode, &charset, &collation, &tz); err != nil {
		t.Fatal(err)
	}
	strict := strings.Contains(sqlMode, "STRICT_TRANS_TABLES")

	figure(t, "F14 utf8mb4: %d names, %d notes, %d titles (emoji ZWJ/skin tone/flags, CJK Ext-B, RTL, zero-width) → byte-exact in the database %d/%d, in the replies %d/%d, promotion notice %s; text columns not utf8mb4 %d, tables not utf8mb4 %d; application session: sql_mode strict %v, connection %s/%s, time_zone %s",
		n, len(people), len(utf8Titles), dbOK, total, replyOK, replyTotal, promoted, len(bad), len(badTables), strict, charset, collation, tz)

	if dbOK != total || replyOK != replyTotal || promoted != "byte-exact" {
		t.Errorf("round trip: database %d/%d, replies %d/%d, promotion %s", dbOK, total, replyOK, replyTotal, promoted)
	}
	if len(bad) > 0 || len(badTables) > 0 {
		t.Errorf("not utf8mb4: columns %v, tables %v", bad, badTables)
	}
	if !strict || charset != "utf8mb4" {
		t.Errorf("session: sql_mode %q, character_set_connection %q", sqlMode, charset)
	}
}
