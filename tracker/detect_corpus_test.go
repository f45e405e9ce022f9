package tracker

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// corpusRow is one line of testdata/corpus.jsonl: a text, what DetectFor
// and Analyze must make of it, and where the example comes from. Check
// digits in it were computed with an implementation independent of this
// package.
type corpusRow struct {
	Input       string   `json:"input"`
	Lang        string   `json:"lang"`         // chat language hint, optional
	Numbers     []string `json:"numbers"`      // every number found, in order
	Format      string   `json:"format"`       // best reading of the first number
	Carrier     string   `json:"carrier"`      // its first carrier
	Check       string   `json:"check"`        // its check digit outcome
	Also        []string `json:"also"`         // other formats the first number must be read as
	NotTracking string   `json:"not_tracking"` // Analyze's verdict
	Source      string   `json:"source"`
}

func readCorpus(tb testing.TB) []corpusRow {
	tb.Helper()
	f, err := os.Open("testdata/corpus.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r corpusRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("corpus line %d: %v", line, err)
		}
		if r.Source == "" {
			tb.Fatalf("corpus line %d: no source", line)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}

func TestCorpus(t *testing.T) {
	rows := readCorpus(t)
	if len(rows) < 300 {
		t.Errorf("the corpus has %d rows, want at least 300", len(rows))
	}
	for i, r := range rows {
		hint := Hint{Lang: r.Lang}
		cands := DetectFor(r.Input, hint)
		checkCandidates(t, r.Input, cands)
		var numbers []string
		for _, c := range cands {
			if !slices.Contains(numbers, c.Number) {
				numbers = append(numbers, c.Number)
			}
		}
		name := abbreviate(r.Input)
		if !slices.Equal(numbers, r.Numbers) {
			t.Errorf("row %d %q (%s): numbers %q, want %q", i+1, name, r.Source, numbers, r.Numbers)
			continue
		}
		a := Analyze(r.Input, hint)
		if a.NotTracking != r.NotTracking {
			t.Errorf("row %d %q (%s): not_tracking %q, want %q", i+1, name, r.Source, a.NotTracking, r.NotTracking)
		}
		if len(numbers) == 0 {
			continue
		}
		best := cands[0]
		if best.Format != r.Format || best.Carriers[0] != r.Carrier || string(best.CheckDigit) != r.Check {
			t.Errorf("row %d %q (%s): best reading %s %s %s, want %s %s %s", i+1, name, r.Source,
				best.Format, best.Carriers[0], best.CheckDigit, r.Format, r.Carrier, r.Check)
		}
		for _, f := range r.Also {
			if !slices.ContainsFunc(cands, func(c Candidate) bool { return c.Number == numbers[0] && c.Format == f }) {
				t.Errorf("row %d %q (%s): no %s reading", i+1, name, r.Source, f)
			}
		}
		inTypos := slices.ContainsFunc(a.Typos, func(c Candidate) bool { return c.Number == numbers[0] })
		inCands := slices.ContainsFunc(a.Candidates, func(c Candidate) bool { return c.Number == numbers[0] })
		switch {
		case r.NotTracking != "":
			if inTypos || inCands {
				t.Errorf("row %d %q: %s is both %s and a number", i+1, name, numbers[0], r.NotTracking)
			}
		case r.Check == string(CheckInvalid):
			if !inTypos || inCands {
				t.Errorf("row %d %q: %s must be a typo only", i+1, name, numbers[0])
			}
		default:
			if inTypos || !inCands {
				t.Errorf("row %d %q: %s must be a number to follow only", i+1, name, numbers[0])
			}
		}
	}
}

// TestCorpusCovers keeps the corpus honest: every format and carrier is
// exercised, valid and (where a check digit exists) invalid, and every
// not-tracking verdict appears.
func TestCorpusCovers(t *testing.T) {
	rows := readCorpus(t)
	formatsSeen := map[string]map[string]bool{}
	carriersSeen := map[string]bool{}
	verdicts := map[string]bool{}
	for _, r := range rows {
		verdicts[r.NotTracking] = true
		for _, c := range DetectFor(r.Input, Hint{Lang: r.Lang}) {
			if formatsSeen[c.Format] == nil {
				formatsSeen[c.Format] = map[string]bool{}
			}
			formatsSeen[c.Format][string(c.CheckDigit)] = true
			for _, id := range c.Carriers {
				carriersSeen[id] = true
			}
		}
	}
	for _, f := range formats {
		seen := formatsSeen[f.id]
		switch {
		case seen == nil:
			t.Errorf("no corpus row reads as %s", f.id)
		case seen[string(CheckNone)]:
		case !seen[string(CheckValid)] || !seen[string(CheckInvalid)]:
			t.Errorf("format %s is seen with check digits %v; want both valid and invalid", f.id, seen)
		}
	}
	for _, id := range allCarriers {
		if !carriersSeen[id] {
			t.Errorf("no corpus row names carrier %s", id)
		}
	}
	for _, v := range append(allNotTracking, "") {
		if !verdicts[v] {
			t.Errorf("no corpus row is not_tracking %q", v)
		}
	}
}

func abbreviate(s string) string {
	if len(s) > 80 {
		return s[:60] + "…(" + "long)"
	}
	return s
}

// bareNumbers returns the corpus inputs that are a single canonical number,
// the common case the bot sees.
func bareNumbers(tb testing.TB) []string {
	var out []string
	for _, r := range readCorpus(tb) {
		if len(r.Numbers) == 1 && r.Input == r.Numbers[0] {
			out = append(out, r.Input)
		}
	}
	return out
}

// BenchmarkDetect measures Detect over the corpus's bare numbers; one op is
// one input.
func BenchmarkDetect(b *testing.B) {
	inputs := bareNumbers(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if len(Detect(inputs[i])) == 0 {
			b.Fatalf("nothing found in %q", inputs[i])
		}
		if i++; i == len(inputs) {
			i = 0
		}
	}
}

// freeText1KiB is a 1 KiB chat message with three numbers among Japanese,
// Thai and English text, an order number, a URL, a price and a date.
var freeText1KiB = func() string {
	parts := []string{
		"【AliExpress】ご注文 8181234567890123 は発送されました。",
		"追跡番号：ＬＰ００１２３４５６７８９０１２ ",
		"https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012&lang=ja ",
		"日本郵便に引き渡された後は RB 004 010 604 CN で追跡できます。",
		"เลขพัสดุของฉันคือ RX123456785TH ค่ะ ขอบคุณมากนะคะ ",
		"Total ¥1,280, delivered by 2024-11-25 hopefully. Thanks a lot for your help! ",
	}
	s := strings.Join(parts, "")
	for len(s) < 1024 {
		s += " Where is my parcel? 荷物はどこですか？ พัสดุอยู่ไหน"
	}
	return s[:strings.LastIndexByte(s[:1024], ' ')]
}()

// BenchmarkDetectFreeText measures Detect over a 1 KiB message; one op is
// one message.
func BenchmarkDetectFreeText(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(freeText1KiB)))
	for b.Loop() {
		if len(Detect(freeText1KiB)) != 3 {
			b.Fatal("expected three numbers")
		}
	}
}

// BenchmarkAnalyzeFreeText measures Analyze, which adds the not-tracking
// checks, over the same message.
func BenchmarkAnalyzeFreeText(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(freeText1KiB)))
	for b.Loop() {
		if len(Analyze(freeText1KiB, Hint{Lang: "ja"}).Candidates) != 3 {
			b.Fatal("expected three numbers")
		}
	}
}

// chainsNFKC is chains on fully normalised text, the reference for the
// shortcut that skips normalisation.
func chainsNFKC(text string) [][]string {
	return chains(norm.NFKC.String(text))
}
