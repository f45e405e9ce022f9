package tracker

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"already canonical", "LP00123456789012", "LP00123456789012"},
		{"empty", "", ""},
		{"lower case", "rb004010604cn", "RB004010604CN"},
		{"full-width", "ＬＰ００１２３４５６７８９０１２", "LP00123456789012"},
		{"full-width lower case", "ｒｂ００４０１０６０４ｃｎ", "RB004010604CN"},
		{"ascii spaces and hyphens", " 1234-5678 9012 ", "123456789012"},
		{"tab", "1234\t5678", "12345678"},
		{"katakana long mark as dash", "1234ー5678ー9012", "123456789012"},
		{"half-width katakana long mark", "1234ｰ5678", "12345678"},
		{"full-width hyphen-minus", "1234－5678", "12345678"},
		{"hyphen and non-breaking hyphen", "12\u201034\u201156", "123456"},
		{"figure, en, em dash, horizontal bar", "1\u20122\u20133\u20144\u20155", "12345"},
		{"minus sign", "1234\u22125678", "12345678"},
		{"small em dash and small hyphen-minus", "12\uFE5834\uFE6356", "123456"},
		{"zero-width space, non-joiner, joiner", "LP\u200B00\u200C12\u200D34", "LP001234"},
		{"word joiner and BOM", "\uFEFFRB\u2060004010604CN", "RB004010604CN"},
		{"soft hyphen", "12\u00AD34", "1234"},
		{"no-break space", "RB\u00A0004010604\u00A0CN", "RB004010604CN"},
		{"narrow no-break space", "RB\u202F004010604CN", "RB004010604CN"},
		{"ideographic space", "ＬＰ\u3000００１２", "LP0012"},
		{"thin and em spaces", "12\u200934\u200356", "123456"},
		{"line breaks", "12\n34\r\n56", "123456"},
		{"everything at once", "\u200Bｓｂｘｊｐ\u3000０００１ー", "SBXJP0001"},
		{"non-number text is kept", "追跡番号", "追跡番号"},
		{"ligature", "ﬁ", "FI"},
		{"circled digit", "①②", "12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Canonical(tt.in)
			if got != tt.want {
				t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Canonical(got); again != got {
				t.Errorf("Canonical is not idempotent: Canonical(%q) = %q", got, again)
			}
		})
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"", "LP00123456789012", "ｒｂ００４ー", "A\u200B\u0301", "ı", "ﬀ\u00AD", "\u1100\u200B\u1161"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Canonical(s)
		if again := Canonical(got); again != got {
			t.Fatalf("Canonical(%q) = %q, but Canonical(%q) = %q", s, got, got, again)
		}
		for _, r := range got {
			if isSeparator(r) || isIgnorable(r) {
				t.Fatalf("Canonical(%q) = %q keeps %U", s, got, r)
			}
		}
	})
}

// s10Check is an independent implementation of the UPU S10 check digit used
// to verify the production one.
func s10Check(serial string) int {
	const weights = "86423597"
	sum := 0
	for i := range 8 {
		d, _ := strconv.Atoi(serial[i : i+1])
		w, _ := strconv.Atoi(weights[i : i+1])
		sum += d * w
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 0
	case 11:
		return 5
	default:
		return c
	}
}

func TestS10CheckDigit(t *testing.T) {
	tests := []struct {
		number string
		valid  bool
	}{
		{"RB004010604CN", true}, // sum 73, 73 mod 11 = 7, 11-7 = 4
		{"RB123456785CN", true}, // sum 204, 204 mod 11 = 6, 11-6 = 5
		{"RR000000005TH", true}, // sum 0: 11 becomes 5
		{"CP101000000CN", true}, // sum 12, 12 mod 11 = 1: 10 becomes 0
		{"EE739482617JP", true},
		{"LX555123453TH", true},
		{"UA987654326SG", true},
		{"RB004010605CN", false}, // last serial digit typo-free, check digit off by one
		{"RB004010640CN", false}, // two digits swapped
		{"RB123456780CN", false},
		{"RR000000000TH", false}, // 11 must become 5, not 0
		{"CP101000001CN", false}, // 10 must become 0, not 1
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			serial, check := tt.number[2:10], int(tt.number[10]-'0')
			if want := s10Check(serial) == check; want != tt.valid {
				t.Fatalf("test table is wrong: independent check of %s says valid=%v", tt.number, want)
			}
			if got := s10CheckDigit(serial) == tt.number[10]; got != tt.valid {
				t.Errorf("s10CheckDigit(%s) = %c, valid=%v, want valid=%v", serial, s10CheckDigit(serial), got, tt.valid)
			}
		})
	}
	// Every serial must agree with the independent implementation.
	for n := 0; n < 100_000_000; n += 9_973 {
		serial := strconv.Itoa(100_000_000 + n)[1:]
		if got, want := int(s10CheckDigit(serial)-'0'), s10Check(serial); got != want {
			t.Fatalf("s10CheckDigit(%s) = %d, want %d", serial, got, want)
		}
	}
}

func TestMod7(t *testing.T) {
	tests := []struct {
		number string
		valid  bool
	}{
		{"123456789013", true}, // 12345678901 mod 7 = 3
		{"000000000000", true},
		{"987654321091", true}, // 98765432109 mod 7 = 1
		{"400012345670", true},
		{"123412341231", true},
		{"123456789012", false},
		{"987654321090", false},
		{"123412341238", false}, // 8 is never a remainder
		{"400012345677", false}, // 7 is never a remainder, even though 0+7 ≡ 0
		{"400012345679", false},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			head, _ := strconv.ParseUint(tt.number[:11], 10, 64)
			last := uint64(tt.number[11] - '0')
			if want := head%7 == last; want != tt.valid {
				t.Fatalf("test table is wrong: %s mod 7 = %d", tt.number[:11], head%7)
			}
			if got := mod7Valid(tt.number); got != tt.valid {
				t.Errorf("mod7Valid(%s) = %v, want %v", tt.number, got, tt.valid)
			}
		})
	}
}

// sharedS10Countries is the shared test data list the Go table is kept
// equal to; it is read, never copied into the repository.
const sharedS10Countries = "../../shared/testdata/s10-countries.txt"

func TestUPUCountriesMatchSharedList(t *testing.T) {
	f, err := os.Open(sharedS10Countries)
	if err != nil {
		t.Fatalf("open the shared S10 country list: %v", err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			want = append(want, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", sharedS10Countries, err)
	}
	slices.Sort(want)
	if !slices.Equal(upuCountries, want) {
		for _, c := range want {
			if !slices.Contains(upuCountries, c) {
				t.Errorf("upuCountries lacks %s", c)
			}
		}
		for _, c := range upuCountries {
			if !slices.Contains(want, c) {
				t.Errorf("upuCountries has %s, which %s does not", c, sharedS10Countries)
			}
		}
		t.Errorf("upuCountries differs from %s (it must also be sorted and free of duplicates)", sharedS10Countries)
	}
	for _, c := range []string{"CN", "JP", "TH"} {
		if !isUPUCountry(c) {
			t.Errorf("isUPUCountry(%s) = false", c)
		}
	}
	for _, c := range []string{"", "XX", "YW", "cn", "CNN"} {
		if isUPUCountry(c) {
			t.Errorf("isUPUCountry(%q) = true", c)
		}
	}
}
