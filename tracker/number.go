package tracker

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Canonical returns the canonical form of a tracking number as a buyer typed
// or pasted it: NFKC-normalised (full-width ＬＰ００１２ becomes LP0012),
// upper-cased, with every space, dash or hyphen (including the katakana long
// mark ー that Japanese keyboards produce for "-") and every invisible format
// character (zero-width spaces and joiners, word joiner, BOM, soft hyphen,
// direction marks) removed. It is idempotent.
func Canonical(s string) string {
	if isPlainASCIINumber(s) {
		return s
	}
	out := canonicalPass(s)
	// Removing characters or upper-casing can, for exotic input, leave a
	// string that is not NFKC-normalised any more or that normalises into a
	// removable character. Repeat until stable so that Canonical is
	// idempotent; real input settles after the first pass.
	for range 4 {
		next := canonicalPass(out)
		if next == out {
			break
		}
		out = next
	}
	return out
}

func canonicalPass(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isIgnorable(r) || isSeparator(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// isPlainASCIINumber reports whether s is already canonical because it holds
// only upper-case ASCII letters and digits, the common case.
func isPlainASCIINumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// isAlnum reports whether c may be part of a canonical tracking number.
func isAlnum(c byte) bool {
	return ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// isIgnorable reports whether r is invisible and dropped without separating
// anything: zero-width space, non-joiner and joiner, word joiner, BOM, soft
// hyphen, direction marks and the other format (Cf) characters.
func isIgnorable(r rune) bool {
	return unicode.Is(unicode.Cf, r)
}

// isSeparator reports whether r is a space or a dash that buyers put inside
// a number to group its digits.
func isSeparator(r rune) bool {
	return isSpace(r) || isDash(r)
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Zs, r)
}

// isLineBreak reports whether r ends a line; a number never continues across
// one.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// isDash covers the dash punctuation category (ASCII -, U+2010–U+2015,
// U+FE58, U+FE63, U+FF0D, ...) plus the look-alikes that are not classed as
// dashes: minus signs and the katakana long mark.
func isDash(r rune) bool {
	switch r {
	case '\u2212', // minus sign
		'\u02D7', // modifier letter minus sign
		'\u2043', // hyphen bullet
		'\u2796', // heavy minus sign
		'\u30FC', // katakana-hiragana prolonged sound mark ー
		'\uFF70': // halfwidth ｰ (NFKC makes it U+30FC; kept for callers that skip NFKC)
		return true
	}
	return unicode.Is(unicode.Pd, r)
}

// CheckDigit says whether a number's check digit was verified.
type CheckDigit string

// Check digit outcomes.
const (
	CheckValid   CheckDigit = "valid"   // the format has a check digit and it matches
	CheckInvalid CheckDigit = "invalid" // it does not match: likely a typo
	CheckNone    CheckDigit = "none"    // the format has no check digit
)

// s10CheckDigit computes the UPU S10 check digit of the 8 serial digits:
// weights 8,6,4,2,3,5,9,7, c = 11 - (sum mod 11), 10 becomes 0 and 11
// becomes 5. serial must hold exactly 8 ASCII digits.
func s10CheckDigit(serial string) byte {
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i, w := range weights {
		sum += int(serial[i]-'0') * w
	}
	c := 11 - sum%11
	switch c {
	case 10:
		c = 0
	case 11:
		c = 5
	}
	return byte('0' + c)
}

// mod7Valid reports whether the last digit of an all-digit number equals the
// number formed by the other digits modulo 7, the check used by Japan Post,
// Yamato and Sagawa. A last digit of 7, 8 or 9 is never valid.
func mod7Valid(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	rem := 0
	for i := 0; i < len(digits)-1; i++ {
		rem = (rem*10 + int(digits[i]-'0')) % 7
	}
	return rem == int(digits[len(digits)-1]-'0')
}
