package tracker

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestDetectFor(t *testing.T) {
	// 400012345670: jp-12 valid, fedex-12 invalid. 986578788855 (jkeen's
	// FedEx example) passes fedex-12 only. 821797074556 passes jp-12 and
	// has the J&T Thailand shape.
	tests := []struct {
		text string
		hint Hint
		want []string // formats of the first number, best first
	}{
		{"821797074556", Hint{}, []string{FormatJP12, FormatJTThailand, FormatFedEx12}},
		{"821797074556", Hint{Lang: "ja"}, []string{FormatJP12, FormatJTThailand, FormatFedEx12}},
		{"821797074556", Hint{Lang: "th"}, []string{FormatJTThailand, FormatJP12, FormatFedEx12}},
		{"821797074556", Hint{Lang: "th-TH"}, []string{FormatJTThailand, FormatJP12, FormatFedEx12}},
		{"821797074556", Hint{Country: "th", Lang: "ja"}, []string{FormatJTThailand, FormatJP12, FormatFedEx12}},
		{"986578788855", Hint{Lang: "ja"}, []string{FormatFedEx12, FormatJP12}},
		{"13112383852", Hint{}, []string{FormatJP11, FormatDHLExpress}},
		{"13112383852", Hint{Lang: "en"}, []string{FormatJP11, FormatDHLExpress}},
		{"13112383852", Hint{Lang: "th"}, []string{FormatDHLExpress, FormatJP11}},
	}
	for _, tt := range tests {
		t.Run(tt.text+"/"+tt.hint.Country+tt.hint.Lang, func(t *testing.T) {
			cands := DetectFor(tt.text, tt.hint)
			checkCandidates(t, tt.text, cands)
			var got []string
			for _, c := range cands {
				got = append(got, c.Format)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("DetectFor(%q, %+v) formats %q, want %q", tt.text, tt.hint, got, tt.want)
			}
		})
	}
	if a, b := Detect("400012345670 RB004010604CN"), DetectFor("400012345670 RB004010604CN", Hint{}); !slices.EqualFunc(a, b, func(x, y Candidate) bool {
		return x.Number == y.Number && x.Format == y.Format && x.Confidence == y.Confidence
	}) {
		t.Errorf("Detect and DetectFor without a hint differ: %+v, %+v", a, b)
	}
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name        string
		text        string
		numbers     []string // Analysis.Numbers()
		typos       []string // "NUMBER format"
		notTracking string
	}{
		{"a number", "RB004010604CN", []string{"RB004010604CN"}, nil, ""},
		{"a typo", "RB004010605CN", nil, []string{"RB004010605CN s10"}, ""},
		{"a typo and a number", "RB004010605CN LP00123456789012", []string{"LP00123456789012"}, []string{"RB004010605CN s10"}, ""},
		{"jp-12 ending in 9", "1234-1234-1239", nil, []string{"123412341239 jp-12"}, ""},
		{"ups typo", "1Z5R89390357567128", nil, []string{"1Z5R89390357567128 ups-1z"}, ""},
		{"order number", "注文番号 8181234567890123", nil, nil, NotTrackingOrderNumber},
		{"order number and typo", "8181234567890123 RB004010605CN", nil, []string{"RB004010605CN s10"}, ""},
		{"share text", "Order 8181234567890123 shipped: LP00123456789012", []string{"LP00123456789012"}, nil, ""},
		{"phone", "090-1234-5678", nil, nil, NotTrackingPhone},
		{"url", "https://www.aliexpress.com/item/1005001234567890.html", nil, nil, NotTrackingURL},
		{"url with a number", "https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012", []string{"LP00123456789012"}, nil, ""},
		{"nothing", "こんにちは", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Analyze(tt.text, Hint{Lang: "ja"})
			var numbers, typos []string
			for _, c := range a.Numbers() {
				numbers = append(numbers, c.Number)
			}
			for _, c := range a.Typos {
				typos = append(typos, c.Number+" "+c.Format)
			}
			if !slices.Equal(numbers, tt.numbers) || !slices.Equal(typos, tt.typos) || a.NotTracking != tt.notTracking {
				t.Errorf("Analyze(%q) = numbers %q, typos %q, not tracking %q; want %q, %q, %q",
					tt.text, numbers, typos, a.NotTracking, tt.numbers, tt.typos, tt.notTracking)
			}
		})
	}
}

func TestAnalysisJSON(t *testing.T) {
	b, err := json.Marshal(Analyze("hello", Hint{}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"candidates":[],"typos":[],"not_tracking":""}`; string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	b, err = json.Marshal(Detect("RR123456785TH"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"service":"registered"`) {
		t.Errorf("no service in %s", b)
	}
}

// TestFormatTable checks the table's invariants: bounds, and that no
// canonical string of any length has more candidates than classify keeps
// without growing its buffer.
func TestFormatTable(t *testing.T) {
	if formatMaxLen > formatMaxLenBound || formatMaxLen >= 64 {
		t.Fatalf("formatMaxLen %d exceeds the bound %d", formatMaxLen, formatMaxLenBound)
	}
	for _, n := range []string{"821797074556", "13112383852", "SHP0123456789", "4PX0123456789", "SBXJP01234567"} {
		if got := len(classify(n)); got == 0 || got > 4 {
			t.Errorf("classify(%q) has %d candidates", n, got)
		}
	}
	for _, id := range allServices {
		if !kebab.MatchString(id) {
			t.Errorf("service ID %q is not kebab-case", id)
		}
	}
	for _, id := range allNotTracking {
		if id != strings.ToLower(id) || strings.ContainsAny(id, " -") {
			t.Errorf("not-tracking ID %q is not lower-case snake_case", id)
		}
	}
}

func TestNFKCStableShortcut(t *testing.T) {
	// The shortcut must read text exactly as full normalisation does.
	texts := []string{
		"追跡番号はＬＰ００１２３４５６７８９０１２です",
		"เลขพัสดุ ＲＢ００４０１０６０４ＣＮ ค่ะ",
		"ｒｂ　００４－０１０－６０４　ｃｎ",
		"RB004010604CN\u0301",
		"ıı 4000ー1234ー5670 ſ",
		"＋８１ ９０－１２３４－５６７８",
		"😀LP00123456789012🎉",
	}
	for _, text := range texts {
		fast := chains(text)
		slow := chainsNFKC(text)
		if !slices.EqualFunc(fast, slow, slices.Equal) {
			t.Errorf("chains(%q) = %q, after full NFKC %q", text, fast, slow)
		}
	}
}
