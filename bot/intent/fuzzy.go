package intent

import "strings"

// English words are corrected before the patterns see them: a word that is
// neither a keyword nor a common English word, and is one edit (two for long
// words) away from a keyword, is read as that keyword ("wher is my pakage"
// reads "where is my package"). Japanese and Thai are not corrected this
// way; their patterns list the spelling variants instead.

// keywords are the English words the patterns are built on.
var keywords = words(`
	track tracking tracked follow following unfollow register
	where status update updates location happening arrived arrive arrival arriving
	delivered delivery deliver customs when expect expected estimated coming
	late delayed delay slow stuck forever taking still waiting moved updated
	never yet should since list show parcels packages parcel package orders order
	stop remove delete cancel anymore rename change label call name names
	help commands confused instructions tutorial how does work
	language english japanese thai speak switch reply
	settings setting notifications notification notify mute quiet timezone messages
	found information record invalid tracking number forgot lost misplaced deleted
	missed redelivery reschedule nobody office holding again
	dispute protection refund money buyer expires period deadline
	thanks thank appreciate cheers hello morning evening afternoon please
	forget erase wipe account everything`)

// common are English words near a keyword that must not be corrected.
var common = words(`
	here there were what than then them they this that have hate last lost most
	post past fast best test text next same came come home some time date data
	shop ship step stay days says said sent send seen soon show snow long song
	thing think thank truck trick check went want wait help hell held hold hole
	round sound under other older into onto only once ones also else then
	word work worked world wore were wear near year dear deal real read ready
	track trick rack back pack packed call cell tell fall full fill still till
	will well wall mail male sale tale take taken make made fade lake like live
	love move mode more mine nine none note notes nope open over plan plus
	name game same fame label lable able table cable line lime list lists
	late later lately rate gate mate plate slot slow flow glow blow stuck stock
	sock socks lamp case cases phone shoes shoe mom dad gift keyboard charger
	stop shop step stops steps store stores sort spot stay`)

// slang maps chat spellings, too short for edit distance, to keywords.
var slang = map[string]string{
	"wen": "when", "wer": "where", "whr": "where", "pls": "please", "plz": "please",
	"pkg": "package", "pkgs": "packages", "helo": "hello", "hii": "hi", "hallo": "hello",
	"u": "you", "ur": "your", "r": "are", "thnx": "thanks", "thanx": "thanks", "tnx": "thanks",
	"notifs": "notifications", "notif": "notification", "msgs": "messages", "info": "information",
	"redeliver": "redelivery", "im": "i am", "dont": "dont", "nvm": "never mind",
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	w := ""
	for _, r := range s + " " {
		if r == ' ' || r == '\n' || r == '\t' {
			if w != "" {
				m[w] = true
			}
			w = ""
			continue
		}
		w += string(r)
	}
	return m
}

// correct returns the keyword an English word stands for, or the word.
func correct(w string) string {
	if s, ok := slang[w]; ok {
		return s
	}
	if len(w) < 4 || keywords[w] || common[w] || inflected(w) {
		return w
	}
	limit := 1
	if len(w) >= 8 {
		limit = 2
	}
	best, bestD := w, limit+1
	for k := range keywords {
		if abs(len(k)-len(w)) > limit {
			continue
		}
		d := distance(w, k, limit)
		if d < bestD || d == bestD && better(w, k, best) {
			best, bestD = k, d
		}
	}
	if bestD > limit {
		return w
	}
	return best
}

// inflected reports whether w is a keyword or common word with an English
// ending (shows, updated, tracking), which is no typo.
func inflected(w string) bool {
	for _, suf := range []string{"s", "es", "ed", "d", "ing", "er", "ly"} {
		if stem, ok := strings.CutSuffix(w, suf); ok && (keywords[stem] || common[stem] || keywords[stem+"e"] || common[stem+"e"]) {
			return true
		}
	}
	return false
}

// better breaks a tie between keywords k and cur at the same distance from
// w: the one sharing the longer prefix with w (a letter left out at the end
// is the commonest slip: "wher" is "where", not "when"), then the longer,
// then the first in alphabetical order.
func better(w, k, cur string) bool {
	pk, pc := commonPrefix(w, k), commonPrefix(w, cur)
	switch {
	case pk != pc:
		return pk > pc
	case len(k) != len(cur):
		return len(k) > len(cur)
	}
	return k < cur
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// distance is the optimal string alignment distance between a and b (edits
// are insertions, deletions, substitutions and swaps of neighbours), or
// limit+1 once it exceeds limit. a and b are ASCII.
func distance(a, b string, limit int) int {
	if a == b {
		return 0
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
