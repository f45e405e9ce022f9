package intent

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// message is a text read for matching: its base form, its folded layouts,
// the patterns that matched and which base bytes they cover.
type message struct {
	base    string
	numbers [][2]int // base spans of tracking numbers
	spaced  layout   // English patterns
	dense   layout   // Japanese and Thai patterns
	hits    []hit
	covered []bool // per base byte: part of a number, pattern or ordinal
}

// hit is a pattern that matched, with the text it matched.
type hit struct {
	p    pattern
	text string
}

func read(base string, nums []string) *message {
	m := &message{base: base, covered: make([]bool, len(base)+1)}
	m.numbers = numberSpans(base, nums)
	toks := tokenize(base, m.numbers)
	for i, t := range toks {
		if !t.latin() {
			continue
		}
		if c := correct(t.String()); c != t.String() {
			s, e := t.start[0], t.end[len(t.end)-1]
			nt := token{}
			for _, r := range c {
				nt.runes = append(nt.runes, r)
				nt.start = append(nt.start, s)
				nt.end = append(nt.end, e)
			}
			toks[i] = nt
		}
	}
	m.spaced = render(toks, " ")
	m.dense = render(toks, "")
	for _, sp := range m.numbers {
		m.cover(sp[0], sp[1])
	}
	for _, p := range compiled() {
		l := m.dense
		if p.lang == LangEnglish {
			l = m.spaced
		}
		locs := p.re.FindAllStringIndex(l.s, -1)
		if locs == nil {
			continue
		}
		m.hits = append(m.hits, hit{p: p, text: strings.TrimSpace(l.s[locs[0][0]:locs[0][1]])})
		for _, loc := range locs {
			m.cover(l.span(loc[0], loc[1]))
		}
	}
	return m
}

func (m *message) cover(s, e int) {
	for i := s; i < e && i < len(m.covered); i++ {
		m.covered[i] = true
	}
}

// numberSpans finds where in base the numbers nums (canonical) are written,
// with or without spaces and dashes between their groups.
func numberSpans(base string, nums []string) [][2]int {
	if len(nums) == 0 {
		return nil
	}
	type group struct{ s, e int }
	var groups []group
	for i := 0; i < len(base); {
		if isAlnumASCII(base[i]) {
			j := i
			for j < len(base) && isAlnumASCII(base[j]) {
				j++
			}
			groups = append(groups, group{i, j})
			i = j
			continue
		}
		i++
	}
	want := map[string]bool{}
	for _, n := range nums {
		want[n] = true
	}
	var out [][2]int
	for i := 0; i < len(groups); i++ {
		joined := strings.ToUpper(base[groups[i].s:groups[i].e])
		found := -1
		if want[joined] {
			found = i
		}
		for j := i + 1; j < len(groups) && j < i+8; j++ {
			if !separatorsOnly(base[groups[j-1].e:groups[j].s]) {
				break
			}
			joined += strings.ToUpper(base[groups[j].s:groups[j].e])
			if want[joined] {
				found = j
			}
		}
		if found >= 0 {
			out = append(out, [2]int{groups[i].s, groups[found].e})
			i = found
		}
	}
	return out
}

func isAlnumASCII(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// separatorsOnly reports whether s is at most three spaces or dashes, as
// Detect allows between the groups of one number.
func separatorsOnly(s string) bool {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Pd, r) && r != 0x30FC && r != 0x2212 {
			return false
		}
		n++
	}
	return n > 0 && n <= 3
}

// detectLang says which language base is written in: Thai or Japanese when
// their script is present (whichever has more characters), unless English
// words clearly dominate ("where is my 荷物 lol"); full-width Latin typed on
// a Japanese keyboard, Thai laughter (555) and a few romanised words count
// too; English otherwise.
func detectLang(base, original string) string {
	thai, jap, latinWords := 0, 0, 0
	inWord := false
	for _, r := range base {
		switch {
		case isThai(r):
			thai++
		case isKana(r) || isHan(r):
			jap++
		}
		if isLatin(r) {
			if !inWord {
				latinWords++
			}
			inWord = true
		} else {
			inWord = false
		}
	}
	for _, r := range original {
		if 0xFF01 <= r && r <= 0xFF5E {
			jap++
		}
	}
	low := " " + strings.ToLower(base) + " "
	for _, w := range romanJapanese {
		if strings.Contains(low, w) {
			jap += 3
		}
	}
	for _, w := range romanThai {
		if strings.Contains(low, w) {
			thai += 3
		}
	}
	script, n := LangThai, thai
	if jap > thai {
		script, n = LangJapanese, jap
	}
	switch {
	case n == 0:
		return LangEnglish
	case latinWords >= 3 && n <= 2:
		return LangEnglish
	}
	return script
}

var (
	romanJapanese = []string{" arigato", " konnichiwa", " todoku", " nimotsu", " doko ", " itsu ", " onegai"}
	romanThai     = []string{" 555", " khob khun", " khop khun", " sawasdee", " sawatdee", " krub ", " kha "}
)

// runeAt decodes the rune of base at byte i.
func runeAt(s string, i int) (rune, int) { return utf8.DecodeRuneInString(s[i:]) }
