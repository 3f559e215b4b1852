package jinqiu

import "testing"

func TestPostKindOf(t *testing.T) {
	for _, c := range []struct {
		position string
		want     PostKind
	}{
		{"3号楼楼栋长", BuildingHead},
		{"小区党支部书记", EstateSecretary},
		{"村党支部书记", VillageSecretary},
		{"幸福小区业委会主任", OwnersChair},
		{"第二网格网格长", GridHead},
		{"导航员", Navigator},
		{"教研员", Teacher},
		{"社区舞蹈队领队", OtherPost},
		{"", OtherPost},
	} {
		if got := PostKindOf(c.position); got != c.want {
			t.Errorf("PostKindOf(%q) = %s, want %s", c.position, got, c.want)
		}
	}
	roles := 0
	for _, k := range PostKinds() {
		if k.Role() {
			roles++
		}
	}
	if roles != 5 {
		t.Errorf("五大员 kinds = %d, want 5", roles)
	}
}

func TestDivisionLine(t *testing.T) {
	for _, c := range []struct {
		code string
		want BranchKind
		ok   bool
	}{
		{"370911002001", Community, true}, // 粥店街道
		{"370911101201", Rural, true},     // 大汶口镇
		{"370911201220", Rural, true},     // a 乡
		{"370911301220", Rural, true},
		{"370911402001", "", false}, // no such township class
		{"37091100200", "", false},
		{"3709110020011", "", false},
		{"37091100200x", "", false},
		{"", "", false},
	} {
		got, ok := DivisionLine(c.code)
		if got != c.want || ok != c.ok {
			t.Errorf("DivisionLine(%q) = %q, %v; want %q, %v", c.code, got, ok, c.want, c.ok)
		}
	}
}

func TestPlaceOf(t *testing.T) {
	places := []Place{{Name: "党员活动室", Kind: ActivityRoom}, {Name: "枣行社区党员活动室", Kind: ActivityRoom}, {Name: "金秋讲堂", Kind: Lectern}}
	for _, c := range []struct {
		where, want string
		ok          bool
	}{
		{"枣行社区党员活动室二楼", "枣行社区党员活动室", true},
		{"社区党员活动室", "党员活动室", true},
		{"金秋讲堂", "金秋讲堂", true},
		{"小区南门", "", false},
		{"", "", false},
	} {
		got, ok := PlaceOf(places, c.where)
		if got.Name != c.want || ok != c.ok {
			t.Errorf("PlaceOf(%q) = %q, %v; want %q, %v", c.where, got.Name, ok, c.want, c.ok)
		}
	}
}
