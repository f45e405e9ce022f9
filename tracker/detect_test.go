package tracker

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// brief renders candidates as "NUMBER format check" lines, one per
// candidate, for compact expectations.
func brief(cands []Candidate) []string {
	out := make([]string, 0, len(cands))
	for _, c := range cands {
		out = append(out, fmt.Sprintf("%s %s %s", c.Number, c.Format, c.CheckDigit))
	}
	return out
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		// Plain numbers.
		{"s10", "RB004010604CN", []string{"RB004010604CN s10 valid"}},
		{"s10 lower case", "rb004010604cn", []string{"RB004010604CN s10 valid"}},
		{"cainiao", "LP00123456789012", []string{"LP00123456789012 cainiao-lp none"}},
		{"jp-12", "400012345670", []string{"400012345670 jp-12 valid", "400012345670 fedex-12 invalid"}},
		{"sandbox", "SBXJP0001", []string{"SBXJP0001 sandbox none"}},
		{"sandbox, 8 digits", "sbxth12345678", []string{"SBXTH12345678 sandbox none"}},

		// Sentences.
		{"english sentence", "Hi, my tracking number is RB004010604CN, thanks!",
			[]string{"RB004010604CN s10 valid"}},
		{"japanese, glued", "追跡番号はLP00123456789012です",
			[]string{"LP00123456789012 cainiao-lp none"}},
		{"japanese, full-width", "追跡番号：ＬＰ００１２３４５６７８９０１２　よろしくお願いします。",
			[]string{"LP00123456789012 cainiao-lp none"}},
		{"japanese, full-width hyphens", "お問い合わせ番号は１２３４－５６７８－９０１３です",
			[]string{"123456789013 jp-12 valid", "123456789013 fedex-12 invalid"}},
		{"japanese, katakana long mark as dash", "伝票番号 4000ー1234ー5670 でお願いします",
			[]string{"400012345670 jp-12 valid", "400012345670 fedex-12 invalid"}},
		{"japanese, two numbers", "ヤマトの伝票番号は4000-1234-5670、日本郵便はRB004010604CNです",
			[]string{"400012345670 jp-12 valid", "400012345670 fedex-12 invalid", "RB004010604CN s10 valid"}},
		{"thai sentence", "เลขพัสดุของฉันคือ RX123456785TH ค่ะ",
			[]string{"RX123456785TH s10 valid"}},
		{"thai, glued", "เลขพัสดุRB004010604CNค่ะ", []string{"RB004010604CN s10 valid"}},
		{"aliexpress share text",
			"【AliExpress】Your order 8181234567890123 has shipped. Tracking number: LP00123456789012 " +
				"https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012&lang=en",
			[]string{"LP00123456789012 cainiao-lp none"}},

		// Groups inside a number.
		{"hyphenated jp-12", "Yamato: 1234-5678-9013", []string{"123456789013 jp-12 valid", "123456789013 fedex-12 invalid"}},
		{"spaced cainiao", "LP 0012 3456 7890 12", []string{"LP00123456789012 cainiao-lp none"}},
		{"spaced s10", "RB 004 010 604 CN", []string{"RB004010604CN s10 valid"}},
		{"spaced sandbox", "SBX-JP-0001", []string{"SBXJP0001 sandbox none"}},
		{"spaced with a dash between spaces", "1234 - 5678 - 9013", []string{"123456789013 jp-12 valid", "123456789013 fedex-12 invalid"}},
		{"no-break and ideographic spaces", "LP\u00A00012\u30003456789012", []string{"LP00123456789012 cainiao-lp none"}},
		{"zero-width characters", "LP0012\u200B3456\u200D789012\uFEFF", []string{"LP00123456789012 cainiao-lp none"}},
		{"zero-width inside a word is no boundary", "ID\u200BLP00123456789012", nil},

		// Typos are still reported.
		{"s10 with a wrong check digit", "RB004010605CN", []string{"RB004010605CN s10 invalid"}},
		{"jp-12 with a wrong check digit", "1234-5678-9014", []string{"123456789014 jp-12 invalid", "123456789014 fedex-12 invalid"}},
		{"fails jp-12, passes fedex-12", "1234-5678-9012", []string{"123456789012 fedex-12 valid", "123456789012 jp-12 invalid"}},
		{"jp-12 ending in 8", "123412341238", []string{"123412341238 jp-12 invalid", "123412341238 fedex-12 invalid"}},

		// Several numbers.
		{"two numbers", "LP00123456789012 and RB004010604CN",
			[]string{"LP00123456789012 cainiao-lp none", "RB004010604CN s10 valid"}},
		{"two numbers on two lines", "RB004010604CN\nLP00123456789012",
			[]string{"RB004010604CN s10 valid", "LP00123456789012 cainiao-lp none"}},
		{"two adjacent jp-12", "123456789013 400012345670",
			[]string{"123456789013 jp-12 valid", "123456789013 fedex-12 invalid", "400012345670 jp-12 valid", "400012345670 fedex-12 invalid"}},
		{"two sandbox numbers", "SBXJP0001 SBXTH0002",
			[]string{"SBXJP0001 sandbox none", "SBXTH0002 sandbox none"}},
		{"duplicates in other spellings", "LP00123456789012 / lp 0012 3456 7890 12 / ＬＰ００１２３４５６７８９０１２",
			[]string{"LP00123456789012 cainiao-lp none"}},
		{"duplicate after another number", "RB004010604CN LP00123456789012 rb004010604cn",
			[]string{"RB004010604CN s10 valid", "LP00123456789012 cainiao-lp none"}},

		// Things that are not numbers.
		{"empty", "", nil},
		{"words only", "where is my parcel? 荷物はどこ？ พัสดุอยู่ไหน", nil},
		{"inside a longer word, before", "XLP00123456789012", nil},
		{"inside a longer word, after", "RB004010604CNX", nil},
		{"longer digit run", "14000123456701", nil},
		{"longer digit run, 13 digits", "1400012345670", []string{"1400012345670 jp-13 none"}},
		{"order number", "Order 8181234567890123", nil},
		{"words around are not glued", "Order LP00123456789012 shipped", []string{"LP00123456789012 cainiao-lp none"}},
		{"country words around a number", "CN 123456789013 JP", []string{"123456789013 jp-12 valid", "123456789013 fedex-12 invalid"}},
		{"phone number and date", "Call 090-1234-5678 on 2024-11-25", nil},
		{"line break splits groups", "123456\n789013", nil},
		{"too many spaces split groups", "1234    5678    9013", nil},
		{"other punctuation splits groups", "1234.5678.9013 1234/5678/9013 1234_5678_9013", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := brief(Detect(tt.text))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Detect(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestDetectCandidates(t *testing.T) {
	tests := []struct {
		text string
		want []Candidate
	}{
		{"RB004010604CN", []Candidate{{
			Number: "RB004010604CN", Format: FormatS10,
			Carriers:   []string{CarrierChinaPost, CarrierCainiao},
			CheckDigit: CheckValid, Country: "CN", Service: ServiceRegistered, Confidence: 0.95,
		}}},
		{"EE739482617JP", []Candidate{{
			Number: "EE739482617JP", Format: FormatS10,
			Carriers:   []string{CarrierJapanPost},
			CheckDigit: CheckValid, Country: "JP", Service: ServiceEMS, Confidence: 0.95,
		}}},
		{"RX123456785TH", []Candidate{{
			Number: "RX123456785TH", Format: FormatS10,
			Carriers:   []string{CarrierThailandPost},
			CheckDigit: CheckValid, Country: "TH", Service: ServiceRegistered, Confidence: 0.95,
		}}},
		{"UA987654326SG", []Candidate{{
			Number: "UA987654326SG", Format: FormatS10,
			Carriers:   []string{CarrierPostal},
			CheckDigit: CheckValid, Country: "SG", Service: ServiceLetterMisc, Confidence: 0.95,
		}}},
		{"RB004010605CN", []Candidate{{
			Number: "RB004010605CN", Format: FormatS10,
			Carriers:   []string{CarrierChinaPost, CarrierCainiao},
			CheckDigit: CheckInvalid, Country: "CN", Service: ServiceRegistered, Confidence: 0.2,
		}}},
		// Yanwen's suffix: its own format and carrier, no country.
		{"UG123456785YW", []Candidate{{
			Number: "UG123456785YW", Format: FormatYanwen,
			Carriers:   []string{CarrierYanwen},
			CheckDigit: CheckValid, Service: ServiceLetterMisc, Confidence: 0.85,
		}}},
		// Not a UPU country: no country, no trust.
		{"UG123456785XX", []Candidate{{
			Number: "UG123456785XX", Format: FormatS10,
			Carriers:   []string{CarrierPostal},
			CheckDigit: CheckValid, Service: ServiceLetterMisc, Confidence: 0.4,
		}}},
		// A service indicator the UPU has not assigned.
		{"KA123456785CN", []Candidate{{
			Number: "KA123456785CN", Format: FormatS10,
			Carriers:   []string{CarrierChinaPost, CarrierCainiao},
			CheckDigit: CheckValid, Country: "CN", Confidence: 0.85,
		}}},
		{"LP00123456789012", []Candidate{{
			Number: "LP00123456789012", Format: FormatCainiaoLP,
			Carriers:   []string{CarrierCainiao},
			CheckDigit: CheckNone, Confidence: 0.9,
		}}},
		{"400012345670", []Candidate{{
			Number: "400012345670", Format: FormatJP12,
			Carriers:   []string{CarrierJapanPost, CarrierYamato, CarrierSagawa},
			CheckDigit: CheckValid, Confidence: 0.7,
		}, {
			Number: "400012345670", Format: FormatFedEx12,
			Carriers:   []string{CarrierFedEx},
			CheckDigit: CheckInvalid, Confidence: 0.1,
		}}},
		{"400012345672", []Candidate{{
			Number: "400012345672", Format: FormatJP12,
			Carriers:   []string{CarrierJapanPost, CarrierYamato, CarrierSagawa},
			CheckDigit: CheckInvalid, Confidence: 0.15,
		}, {
			Number: "400012345672", Format: FormatFedEx12,
			Carriers:   []string{CarrierFedEx},
			CheckDigit: CheckInvalid, Confidence: 0.1,
		}}},
		{"SBXTH0002", []Candidate{{
			Number: "SBXTH0002", Format: FormatSandbox,
			Carriers:   []string{CarrierSandbox},
			CheckDigit: CheckNone, Country: "TH", Confidence: 1,
		}}},
		{"SBXZZ0002", []Candidate{{
			Number: "SBXZZ0002", Format: FormatSandbox,
			Carriers:   []string{CarrierSandbox},
			CheckDigit: CheckNone, Confidence: 1,
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := Detect(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Detect(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestDetectCarriersAreNotShared(t *testing.T) {
	a := Detect("RB004010604CN")
	a[0].Carriers[0] = "changed"
	if b := Detect("RB004010604CN"); b[0].Carriers[0] != CarrierChinaPost {
		t.Fatalf("a caller's change leaked into the next result: %q", b[0].Carriers)
	}
}

func TestCandidateJSON(t *testing.T) {
	b, err := json.Marshal(Detect("LP00123456789012"))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"number":"LP00123456789012","format":"cainiao-lp","carriers":["cainiao"],"check_digit":"none","confidence":0.9}]`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

// TestBestRunRanking checks the choice between runs with a stand-in format
// table, since no two real formats overlap that way yet.
func TestBestRunRanking(t *testing.T) {
	saved := formats
	t.Cleanup(func() { formats = saved })
	formats = []format{
		{id: FormatJP12, minLen: 12, maxLen: 12, parse: parseJP12},
		{id: "test-13", minLen: 13, maxLen: 13, parse: func(n string) (Candidate, bool) {
			return Candidate{CheckDigit: CheckInvalid, Confidence: 0.1}, isDigits(n)
		}},
	}
	tests := []struct {
		name       string
		chain      []string
		wantNumber string
		wantEnd    int
	}{
		{"valid beats a longer invalid", []string{"123456", "789013", "4"}, "123456789013", 2},
		{"longer invalid beats shorter invalid", []string{"123456", "789012", "4"}, "1234567890124", 3},
		{"nothing", []string{"12", "34"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cands, end := bestRun(tt.chain, 0)
			var got string
			if cands != nil {
				got = cands[0].Number
			}
			if got != tt.wantNumber || end != tt.wantEnd {
				t.Errorf("bestRun(%q) = %q, %d; want %q, %d", tt.chain, got, end, tt.wantNumber, tt.wantEnd)
			}
		})
	}
}

var (
	kebab       = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	allCarriers = []string{
		CarrierChinaPost, CarrierCainiao, CarrierJapanPost, CarrierYamato,
		CarrierSagawa, CarrierThailandPost, CarrierPostal, CarrierSandbox,
		CarrierYanwen, CarrierYunExpress, Carrier4PX, CarrierJTExpress,
		CarrierSFExpress, CarrierUPS, CarrierUSPS, CarrierFedEx,
		CarrierDHLExpress, CarrierKerry, CarrierFlash, CarrierJTThailand,
		CarrierBestExpress,
	}
	allServices = []string{
		ServiceEMS, ServiceTrackedLetter, ServiceMBag, ServiceBusinessReply,
		ServiceRegistered, ServiceLetterMisc, ServiceInsured, ServiceParcel,
		ServiceEcommerceParcel, ServiceDomestic,
	}
	allNotTracking = []string{
		NotTrackingOrderNumber, NotTrackingURL, NotTrackingPhone,
		NotTrackingPostalCode, NotTrackingDate, NotTrackingPrice,
	}
)

// TestIDsDocumented keeps the list of stable IDs in detect.go complete.
func TestIDsDocumented(t *testing.T) {
	src, err := os.ReadFile("detect.go")
	if err != nil {
		t.Fatal(err)
	}
	documented := func(id string) bool {
		return regexp.MustCompile(`(?m)^//\t` + regexp.QuoteMeta(id) + `\s`).Match(src)
	}
	seen := map[string]bool{}
	for _, f := range formats {
		if !kebab.MatchString(f.id) {
			t.Errorf("format ID %q is not lower-case kebab-case", f.id)
		}
		if seen[f.id] {
			t.Errorf("format ID %q is used twice", f.id)
		}
		seen[f.id] = true
		if !documented(f.id) {
			t.Errorf("format ID %q is missing from the list in detect.go", f.id)
		}
		if f.minLen > f.maxLen || f.maxLen > formatMaxLen {
			t.Errorf("format %q has bad length bounds %d..%d", f.id, f.minLen, f.maxLen)
		}
	}
	for _, id := range allCarriers {
		if !kebab.MatchString(id) {
			t.Errorf("carrier ID %q is not lower-case kebab-case", id)
		}
		if !documented(id) {
			t.Errorf("carrier ID %q is missing from the list in detect.go", id)
		}
	}
}

// checkCandidates asserts the invariants every Detect result keeps.
func checkCandidates(t *testing.T, text string, cands []Candidate) {
	t.Helper()
	done := map[string]bool{}
	for i, c := range cands {
		if c.Number == "" || c.Number != Canonical(c.Number) || !isPlainASCIINumber(c.Number) {
			t.Fatalf("Detect(%q): number %q is not canonical", text, c.Number)
		}
		i0 := slices.IndexFunc(formats, func(f format) bool { return f.id == c.Format })
		if i0 < 0 {
			t.Fatalf("Detect(%q): unknown format %q", text, c.Format)
		}
		own, ok := formats[i0].parse(c.Number)
		if !ok {
			t.Fatalf("Detect(%q): %q does not match its format %q", text, c.Number, c.Format)
		}
		if own.CheckDigit != c.CheckDigit || !slices.Equal(own.Carriers, c.Carriers) || own.Country != c.Country || own.Service != c.Service {
			t.Fatalf("Detect(%q): %+v differs from its format's reading %+v", text, c, own)
		}
		if c.Service != "" && !slices.Contains(allServices, c.Service) {
			t.Fatalf("Detect(%q): %q has undocumented service %q", text, c.Number, c.Service)
		}
		if len(c.Carriers) == 0 {
			t.Fatalf("Detect(%q): %q has no carriers", text, c.Number)
		}
		for _, id := range c.Carriers {
			if !slices.Contains(allCarriers, id) {
				t.Fatalf("Detect(%q): %q has undocumented carrier %q", text, c.Number, id)
			}
		}
		switch c.CheckDigit {
		case CheckValid, CheckInvalid, CheckNone:
		default:
			t.Fatalf("Detect(%q): %q has check digit %q", text, c.Number, c.CheckDigit)
		}
		if c.Country != "" && !isUPUCountry(c.Country) {
			t.Fatalf("Detect(%q): %q has country %q", text, c.Number, c.Country)
		}
		if c.Confidence < 0 || c.Confidence > 1 {
			t.Fatalf("Detect(%q): %q has confidence %v", text, c.Number, c.Confidence)
		}
		if i > 0 && cands[i-1].Number == c.Number {
			if cands[i-1].Confidence < c.Confidence {
				t.Fatalf("Detect(%q): candidates for %q are not best first", text, c.Number)
			}
			continue
		}
		if done[c.Number] {
			t.Fatalf("Detect(%q): %q appears twice", text, c.Number)
		}
		done[c.Number] = true
	}
	for n := range done {
		if alone := Detect(n); len(alone) == 0 || alone[0].Number != n {
			t.Fatalf("Detect(%q) found %q, but not when given it alone: %+v", text, n, alone)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"",
		"RB004010604CN",
		"追跡番号はLP00123456789012です",
		"ＬＰ００１２３４５６７８９０１２",
		"1234ー5678ー9013 and 1234-5678-9012",
		"SBXJP0001 SBXTH0002 sbx jp 0003",
		"RB 004 010 604 CN\nLP 0012 3456 7890 12",
		"เลขพัสดุRX123456785THค่ะ",
		"LP0012\u200B3456789012\uFEFF",
		"+81 90-1234-5678 ＋６６ ８１ ２３４ ５６７８",
		"821797074556 13112383852 1Z5R89390357567127 9611020987654312345672",
		"Order 8181 2345 6789 0123 mailNo%3DLP00123456789012",
		"ıſ\u0301ｰＴＨ４２１０２Ｄ９６ＶＨ９Ｑ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkCandidates(t, text, Detect(text))
		for _, lang := range []string{"ja", "th"} {
			checkCandidates(t, text, DetectFor(text, Hint{Lang: lang}))
			a := Analyze(text, Hint{Lang: lang})
			if (len(a.Candidates) > 0 || len(a.Typos) > 0) && a.NotTracking != "" {
				t.Fatalf("Analyze(%q) has numbers and not_tracking %q", text, a.NotTracking)
			}
			for _, c := range a.Typos {
				if c.CheckDigit != CheckInvalid {
					t.Fatalf("Analyze(%q): typo %+v has a check digit that holds", text, c)
				}
			}
		}
		if !slices.EqualFunc(chains(text), chainsNFKC(text), slices.Equal) {
			t.Fatalf("chains(%q) differs from chains after NFKC", text)
		}
	})
}

func TestDetectInvariants(t *testing.T) {
	texts := []string{
		"RB004010604CN LP00123456789012 400012345670 SBXJP0001 RB004010605CN UG123456785YW",
		strings.Repeat("1234 5678 9013 ", 20),
		strings.Repeat("SBXJP0001 ", 10),
	}
	for _, text := range texts {
		checkCandidates(t, text, Detect(text))
	}
}

const typicalMessage = "【AliExpress】ご注文 8181234567890123 は発送されました。" +
	"追跡番号：ＬＰ００１２３４５６７８９０１２ " +
	"https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012 " +
	"日本郵便の番号は RB 004 010 604 CN です。よろしくお願いします！"

func BenchmarkDetectTypicalMessage(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(typicalMessage)))
	for b.Loop() {
		if len(Detect(typicalMessage)) != 2 {
			b.Fatal("expected two numbers")
		}
	}
}

func TestCarriersListsEveryCarrierNamed(t *testing.T) {
	known := Carriers()
	seen := map[string]bool{}
	for _, row := range readCorpus(t) {
		for _, c := range Detect(row.Input) {
			for _, carrier := range c.Carriers {
				seen[carrier] = true
				if !slices.Contains(known, carrier) {
					t.Errorf("%q names carrier %q, missing from Carriers()", row.Input, carrier)
				}
			}
		}
	}
	for _, c := range known {
		if !seen[c] {
			t.Errorf("Carriers() lists %q, which no corpus row yields", c)
		}
	}
}
