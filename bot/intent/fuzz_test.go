package intent

import (
	"bufio"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/todoku/todoku/tracker"
)

// FuzzUnderstandResult checks the result the handlers act on, for any
// message: the numbers are canonical, distinct and exactly the numbers to
// follow that tracker.Analyze finds in the text read; a command's intent
// is the command's; the parcel reference is empty, "last", a small
// ordinal or words of the message; and reading twice gives the same.
// It is seeded with the labelled sets.
func FuzzUnderstandResult(f *testing.F) {
	for _, path := range []string{"testdata/messages.tsv", "testdata/heldout.tsv"} {
		file, err := os.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if cols := strings.SplitN(line, "\t", 4); len(cols) == 4 {
				f.Add(cols[3])
			}
		}
		_ = file.Close()
	}
	f.Add(strings.Repeat("stop ", 2000) + "RB004010604CN")
	f.Add("/STOP@todoku_bot 2")
	f.Fuzz(func(t *testing.T, text string) {
		r := Understand(text, testNow)
		if again := Understand(text, testNow); !reflect.DeepEqual(r, again) {
			t.Fatalf("Understand(%q) differs between two reads:\n%+v\n%+v", text, r, again)
		}
		read := text
		if len(read) > maxInput {
			cut := maxInput
			for cut > 0 && !utf8.RuneStart(read[cut]) {
				cut--
			}
			read = read[:cut]
		}
		var want []string
		for _, c := range tracker.Analyze(read, tracker.Hint{Lang: r.Lang}).Numbers() {
			want = append(want, c.Number)
		}
		if len(want) != len(r.Numbers) || (len(want) > 0 && !reflect.DeepEqual(want, r.Numbers)) {
			t.Fatalf("Understand(%q) numbers %v, tracker finds %v", text, r.Numbers, want)
		}
		for _, n := range append(slicesClone(r.Numbers), r.Typos...) {
			if n == "" || tracker.Canonical(n) != n {
				t.Fatalf("Understand(%q): number %q is not canonical", text, n)
			}
		}
		if r.Command != "" {
			if r.Command != strings.ToLower(r.Command) {
				t.Fatalf("Understand(%q): command %q is not lower-case", text, r.Command)
			}
			if in, ok := commands[r.Command]; !ok || in != r.Intent {
				t.Fatalf("Understand(%q): command %q with intent %s", text, r.Command, r.Intent)
			}
		}
		if r.Ref != "" && r.Ref != "last" {
			if n, err := strconv.Atoi(r.Ref); err == nil {
				if n < 1 || n > 999 {
					t.Fatalf("Understand(%q): ordinal %d", text, n)
				}
			} else if utf8.ValidString(text) && len(r.Ref) > len(text)*3 {
				t.Fatalf("Understand(%q): reference %q is longer than the message", text, r.Ref)
			}
		}
		if utf8.ValidString(text) && len(r.Label) > len(text)*3 {
			t.Fatalf("Understand(%q): label %q is longer than the message", text, r.Label)
		}
	})
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }
