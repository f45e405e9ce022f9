package intent

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The text is read three ways. base is the message after NFKC (full-width
// letters and digits become ASCII, half-width katakana full-width) with
// invisible format characters removed; labels are cut from it, so they keep
// the user's spelling. Patterns match a folded form of base, in which case,
// script and spelling variants that do not change the meaning are made
// equal (see fold), in two layouts: spaced, with words separated by single
// spaces for the English patterns, and dense, without any space, for the
// Japanese and Thai ones, since those languages do not separate words.
// Every byte of spaced and dense remembers the base span it comes from, so
// that a match can be traced back to the message.

// fold maps one rune of base to the runes that patterns see: lower case;
// katakana as hiragana (ケース and けーす match alike); the long vowel mark
// and wave dashes dropped (ケース, けーす and ケス all read けす); Thai tone
// marks, the thanthakhat and the repetition mark dropped, since they are
// often omitted or misplaced in chat (มั้ย, มั๊ย and มัย read alike); Thai
// digits as ASCII digits; apostrophes dropped (where's reads wheres). It
// returns -1 for a dropped rune.
func fold(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		case r == '\'' || r == '`' || r == '~':
			return -1
		}
		return r
	case 0x30A1 <= r && r <= 0x30F6: // katakana
		return r - 0x60
	case r == 0x30FC || r == 0x301C || r == 0x3030: // ー 〜 〰
		return -1
	case 0x0E47 <= r && r <= 0x0E4C, r == 0x0E46: // Thai tone marks, ็ ์, ๆ
		return -1
	case 0x0E50 <= r && r <= 0x0E59: // Thai digits
		return '0' + (r - 0x0E50)
	case r == '\u2018' || r == '\u2019' || r == '\u00B4' || r == '\u02BC':
		return -1
	}
	return unicode.ToLower(r)
}

// foldString folds s for comparison with the folded text; it also collapses
// repeated letters as the text is (see collapse).
func foldString(s string) string {
	var b strings.Builder
	var prev rune
	run := 0
	for _, r := range normalizeBase(s) {
		f := fold(r)
		if f < 0 {
			continue
		}
		if f == prev {
			run++
		} else {
			prev, run = f, 1
		}
		if collapse(f, run) {
			continue
		}
		b.WriteRune(f)
	}
	return b.String()
}

// foldPattern folds the literal parts of a regular expression as foldString
// folds text, leaving escapes (\b, \d, \s) alone, so that patterns are
// written in natural spelling (katakana, Thai tone marks).
func foldPattern(p string) string {
	var b strings.Builder
	escaped := false
	for _, r := range normalizeBase(p) {
		switch {
		case escaped:
			b.WriteRune(r)
			escaped = false
		case r == '\\':
			b.WriteRune(r)
			escaped = true
		default:
			if f := fold(r); f >= 0 {
				b.WriteRune(f)
			}
		}
	}
	return b.String()
}

// collapse reports whether the run-th repetition of the folded rune r is
// dropped: a letter typed three times or more counts once ("sooo", "มากกกก",
// "ああああ"), a Thai vowel typed twice counts once ("จ้าา"). Digits are kept.
func collapse(r rune, run int) bool {
	if run < 2 || unicode.IsDigit(r) || !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
		return false
	}
	if isThaiVowel(r) {
		return true
	}
	return run >= 3
}

func isThaiVowel(r rune) bool {
	return 0x0E30 <= r && r <= 0x0E3A || 0x0E40 <= r && r <= 0x0E45
}

func isThai(r rune) bool { return 0x0E01 <= r && r <= 0x0E5B }

func isKana(r rune) bool {
	return 0x3041 <= r && r <= 0x3096 || 0x30A1 <= r && r <= 0x30FA || r == 0x30FC
}

func isHiragana(r rune) bool { return 0x3041 <= r && r <= 0x3096 }

func isKatakana(r rune) bool { return 0x30A1 <= r && r <= 0x30FA || r == 0x30FC }

func isHan(r rune) bool {
	return 0x4E00 <= r && r <= 0x9FFF || 0x3400 <= r && r <= 0x4DBF || r == 0x3005 || r == 0x30F6 || r == 0x30F5
}

func isLatin(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// token is one word of the folded text: a run of letters, digits and
// marks, or a single '?', '!' or '#' (a tracking number). start and end
// are base byte offsets of each folded rune.
type token struct {
	runes      []rune
	start, end []int
}

func (t token) String() string { return string(t.runes) }

// latin reports whether the token is an ASCII word of lower-case letters.
func (t token) latin() bool {
	for _, r := range t.runes {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return len(t.runes) > 0
}

// layout is one rendering of the tokens, with the base span of each byte.
type layout struct {
	s          string
	start, end []int // per byte of s; separators point at their neighbours
}

// span returns the base byte range a match [i, j) of l.s comes from.
func (l layout) span(i, j int) (int, int) {
	for i < j && l.s[i] == ' ' {
		i++
	}
	for j > i && l.s[j-1] == ' ' {
		j--
	}
	if i >= j {
		return 0, 0
	}
	return l.start[i], l.end[j-1]
}

// render joins tokens with sep ("" or " "), with sep at both ends too.
func render(toks []token, sep string) layout {
	var l layout
	var b strings.Builder
	add := func(s string, start, end int) {
		b.WriteString(s)
		for range len(s) {
			l.start = append(l.start, start)
			l.end = append(l.end, end)
		}
	}
	last := 0
	add(sep, 0, 0)
	for _, t := range toks {
		for k, r := range t.runes {
			add(string(r), t.start[k], t.end[k])
		}
		if len(t.end) > 0 {
			last = t.end[len(t.end)-1]
		}
		add(sep, last, last)
	}
	l.s = b.String()
	return l
}

// tokenize folds base into tokens; the base ranges in masked (tracking
// numbers) become a single "#" token each.
func tokenize(base string, masked [][2]int) []token {
	var (
		toks []token
		cur  token
		prev rune
		run  int
	)
	flush := func() {
		if len(cur.runes) > 0 {
			toks = append(toks, cur)
		}
		cur = token{}
		prev, run = 0, 0
	}
	m := 0
	for i := 0; i < len(base); {
		if m < len(masked) && i >= masked[m][0] {
			flush()
			toks = append(toks, token{runes: []rune{'#'}, start: []int{masked[m][0]}, end: []int{masked[m][1]}})
			i = masked[m][1]
			m++
			continue
		}
		r, size := utf8.DecodeRuneInString(base[i:])
		f := fold(r)
		switch {
		case f < 0:
			// A dropped mark belongs to the rune before it.
			if n := len(cur.end); n > 0 && cur.end[n-1] == i {
				cur.end[n-1] = i + size
			}
		case f == '?' || f == '!' || f == '#':
			flush()
			toks = append(toks, token{runes: []rune{f}, start: []int{i}, end: []int{i + size}})
		case unicode.IsLetter(f) || unicode.IsDigit(f) || unicode.Is(unicode.Mn, f) || unicode.Is(unicode.Mc, f) ||
			(f == '/' && len(cur.runes) == 0 && len(toks) == 0):
			if f == prev {
				run++
			} else {
				prev, run = f, 1
			}
			if !collapse(f, run) {
				cur.runes = append(cur.runes, f)
				cur.start = append(cur.start, i)
				cur.end = append(cur.end, i+size)
			} else if n := len(cur.end); n > 0 {
				cur.end[n-1] = i + size
			}
		default:
			flush()
		}
		i += size
	}
	flush()
	return toks
}

// normalizeBase applies NFKC and removes invisible format characters.
// NFKC splits the Thai vowel sara am (ำ) into nikhahit and sara aa; they
// are put back together so that labels read as typed.
func normalizeBase(text string) string {
	s := norm.NFKC.String(text)
	if strings.Contains(s, "\u0E4D\u0E32") {
		s = strings.ReplaceAll(s, "\u0E4D\u0E32", "\u0E33")
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}
