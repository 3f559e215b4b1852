package config

import (
	"strings"
	"testing"
)

func TestDivisionCodeGivesTheLine(t *testing.T) {
	doc := `branches:
  - {id: street, name: 粥店社区, division_code: "370911002001"}
  - {id: town, name: 大汶口村, division_code: "370911101201"}
  - {id: township, name: 某乡某村, division_code: "370911201220"}
  - {id: written, name: 写明的, kind: community, division_code: "370911101201"}
  - {id: none, name: 未写代码}
`
	cfg, err := Parse([]byte(doc), lookupFrom(nil), platforms())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"street": "community", "town": "rural", "township": "rural", "written": "community", "none": "community"}
	for _, b := range cfg.Branches {
		if b.Kind != want[b.ID] {
			t.Errorf("%s: kind %q, want %q", b.ID, b.Kind, want[b.ID])
		}
	}
}

func TestDivisionCodeAndPlacesValidated(t *testing.T) {
	doc := `branches:
  - id: b1
    name: 支部
    division_code: "12345678901"
    places:
      - {name: 党员活动室, kind: 活动中心}
      - {name: 党员活动室, kind: 党员活动室}
      - {kind: 金秋讲堂}
  - {id: b2, name: 支部二, division_code: "3709115x2001"}
  - {id: b3, name: 支部三, division_code: "370911502001"}
`
	_, err := Parse([]byte(doc), lookupFrom(nil), platforms())
	if err == nil {
		t.Fatal("bad division codes and places accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"branches[0].division_code: must be the 12-digit 统计用区划代码",
		"branches[1].division_code:",
		"branches[2].division_code:",
		"branches[0].places[0].kind: must be 党员活动室, 金秋讲堂, 党员驿站, 教学点 or 其他",
		"branches[0].places[1].name: is used by another place",
		"branches[0].places[2].name: must not be empty",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "12345678901") || strings.Contains(msg, "活动中心") {
		t.Errorf("a problem echoes the value written:\n%s", msg)
	}
}

func TestPlaceKindDefaultsToOther(t *testing.T) {
	cfg, err := Parse([]byte("branches:\n  - {id: b1, name: 支部, places: [{name: 村委会大院}]}\n"), lookupFrom(nil), platforms())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Branches[0].Places[0].Kind; got != "其他" {
		t.Errorf("kind = %q, want 其他", got)
	}
}
