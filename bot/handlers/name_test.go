package handlers

import (
	"strings"
	"testing"
)

func TestCleanLabel(t *testing.T) {
	for in, want := range map[string]string{
		"  phone   case ":       "phone case",
		"a\u202eb\u0000c\nd":    "abc d",
		strings.Repeat("長", 50): strings.Repeat("長", 40),
		"スマホケース":                "スマホケース",
		"<b>bold</b>":           "<b>bold</b>", // kept as text; adapters escape it
	} {
		if got := cleanLabel(in); got != want {
			t.Errorf("cleanLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
