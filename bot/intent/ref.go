package intent

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Which parcel a message means, when not by number: an ordinal ("the 2nd
// one", "二つ目", "อันที่สอง"), the last one added, or a label the user gave
// ("the phone case", "ケース"). Labels are what is left of the message once
// the patterns, numbers and ordinals are taken out and the words around them
// that are no label (articles, particles, polite endings, "parcel") are
// trimmed.

// ordinal is a pattern naming a parcel by position; value is the Ref, or ""
// to take the number from the first group.
type ordinal struct {
	lang  string
	expr  string
	value string
	re    *regexp.Regexp
}

var ordinalWords = map[string]string{
	"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
	"1st": "1", "2nd": "2", "3rd": "3", "4th": "4", "5th": "5", "6th": "6",
	"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "十": "10",
	"ひと": "1", "ふた": "2", "みっ": "3", "よっ": "4", "いつ": "5",
	"หนึ่ง": "1", "สอง": "2", "สาม": "3", "สี่": "4", "ห้า": "5", "หก": "6", "เจ็ด": "7", "แปด": "8", "เก้า": "9", "สิบ": "10",
}

var ordinals = []ordinal{
	{lang: "en", expr: `\b(?:the|my|your) (?:(?:very|most) )?(last|latest|newest|most recent)\b|\blast (?:one|order|parcel|package|item|thing)\b`, value: "last"},
	{lang: "en", expr: `\b(?:the|my) (1st|first|2nd|second|3rd|third|4th|fourth|5th|fifth|6th|sixth)\b|\b(1st|first|2nd|second|3rd|third|4th|fourth|5th|fifth) (?:one|order|parcel|package|item)\b`},
	{lang: "en", expr: `\b(?:number|no|#|item|parcel|package) ?(\d{1,2})\b`},
	{lang: "ja", expr: `([0-9]{1,2}|一|二|三|四|五|六|七|八|九|十|ひと|ふた|みっ|よっ|いつ)(?:つ目|つめ|個目|こ目|番目|件目|件め|個め)`},
	{lang: "ja", expr: `(?:^|[^0-9])([0-9]{1,2})番(?:の|を|は|が|目)`},
	{lang: "ja", expr: `最初(?:の|に)`, value: "1"},
	{lang: "ja", expr: `最後(?:の|に)|最新|さっき(?:の|追加)|いちばん新しい|一番新しい`, value: "last"},
	{lang: "th", expr: `(?:อันที่|ชิ้นที่|รายการที่|ตัวที่|กล่องที่|พัสดุที่|ลำดับที่|เลขที่|อัน)([0-9]{1,2}|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ)`},
	{lang: "th", expr: `(?:อัน|ชิ้น|รายการ|ตัว|กล่อง)แรก`, value: "1"},
	{lang: "th", expr: `(?:อัน|ชิ้น|รายการ|ตัว|กล่อง)?(?:ล่าสุด|สุดท้าย|เมื่อกี้|เมื่อกี๊)`, value: "last"},
}

var foldedOrdinalWords map[string]string

func init() {
	for i := range ordinals {
		ordinals[i].re = regexp.MustCompile(foldPattern(ordinals[i].expr))
	}
	foldedOrdinalWords = map[string]string{}
	for k, v := range ordinalWords {
		foldedOrdinalWords[foldString(k)] = v
	}
}

// ordinal finds a reference by position and covers it.
func (m *message) ordinal() string {
	for _, o := range ordinals {
		l := m.dense
		if o.lang == LangEnglish {
			l = m.spaced
		}
		loc := o.re.FindStringSubmatchIndex(l.s)
		if loc == nil {
			continue
		}
		m.cover(l.span(loc[0], loc[1]))
		if o.value != "" {
			return o.value
		}
		for g := 2; g+1 < len(loc); g += 2 {
			if loc[g] < 0 {
				continue
			}
			w := l.s[loc[g]:loc[g+1]]
			if v, ok := foldedOrdinalWords[w]; ok {
				return v
			}
			if n, err := strconv.Atoi(w); err == nil && n > 0 {
				return strconv.Itoa(n)
			}
		}
	}
	return ""
}

// refIntents are the intents about one parcel, for which a label is looked
// for.
var refIntents = map[Intent]bool{
	Where: true, ETA: true, Delay: true, Stop: true, NotFound: true, Redelivery: true, Protection: true,
}

// details fills Ref, Label and Date for the intent chosen.
func (m *message) details(r *Result, now time.Time) {
	switch r.Intent {
	case Rename:
		ref, label := m.rename()
		r.Label = label
		if len(r.Numbers) == 0 {
			r.Ref = ref
		}
		return
	case Protection:
		r.Date = findDate(m.base, r.Lang, now)
	}
	if len(r.Numbers) > 0 {
		if r.Intent == Track {
			r.Label = m.labelOf(true)
		}
		return
	}
	if o := m.ordinal(); o != "" {
		r.Ref = o
		return
	}
	if refIntents[r.Intent] {
		r.Ref = m.label()
	}
}

// commandArgs fills Ref, Label and Date from a slash command's arguments:
// "/stop 2", "/name 3 socks", "/protect 2026-12-20", "/track LP… phone case".
func (m *message) commandArgs(r *Result, args string, now time.Time) {
	sub := read(args, r.Numbers)
	switch r.Intent {
	case Protection:
		r.Date = findDate(args, r.Lang, now)
	case Rename:
		first, rest, _ := strings.Cut(args, " ")
		rest = cleanLabel(rest)
		switch {
		case len(sub.numbers) > 0 && sub.numbers[0][0] == 0:
			r.Label = cleanLabel(args[sub.numbers[0][1]:])
		case ordinalArg(first) != "":
			r.Ref, r.Label = ordinalArg(first), rest
		default:
			ref, label := m.rename()
			r.Ref, r.Label = ref, label
		}
	case Track:
		r.Label = sub.labelOf(true)
	case Stop, Where:
		if len(r.Numbers) > 0 {
			return
		}
		if o := ordinalArg(args); o != "" {
			r.Ref = o
		} else if o := sub.ordinal(); o != "" {
			r.Ref = o
		} else {
			r.Ref = cleanLabel(args)
		}
	}
}

// ordinalArg reads a command argument that is a position: "2", "#2", "last".
func ordinalArg(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 1000 {
		return strconv.Itoa(n)
	}
	if strings.EqualFold(s, "last") {
		return "last"
	}
	return ""
}

// Rename: "call RB… phone case", "name the 2nd one shoes", "rename phone
// case to iphone case", "2つ目の名前を靴に変更", "ตั้งชื่อ RX… ว่า เคสมือถือ".
var (
	renameExprs = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\brename\s+(.+?)\s+(?:to|as|into)\s+(.+)$`),
		regexp.MustCompile(`(?i)\bchange\s+(?:the\s+)?name\s+(?:of|for)\s+(.+?)\s+to\s+(.+)$`),
		regexp.MustCompile(`(?i)\bset\s+(?:the\s+)?name\s+(?:of|for)\s+(.+?)\s*[:=]?\s+(?:to\s+)?(.+)$`),
		regexp.MustCompile(`(?i)\b(?:label|name|call)\s+(.+?)\s+(?:as|to)\s+(.+)$`),
		regexp.MustCompile(`(?i)^\s*(?:call|name|label|rename)\s+(#|the\s+\S+\s+one|the\s+\S+|\S+)\s*[:=]?\s+(.+)$`),
		regexp.MustCompile(`^(.*?)(?:の名前を|の名前は|の名前|を|は)\s*(.+?)(?:って名前|という名前|って)?(?:に|へ)(?:して|変更|変え|する|お願い|変)`),
		regexp.MustCompile(`(?:ตั้งชื่อ|เปลี่ยนชื่อ)\s*(.*?)\s*(?:ว่า|เป็น)\s*(.+)$`),
		regexp.MustCompile(`^(.*?)\s*ชื่อ\s+(.+)$`),
	}
	quoted = regexp.MustCompile(`["“「『]([^"”」』]+)["”」』]`)
)

// rename returns the parcel meant (Ref) and its new label.
func (m *message) rename() (ref, label string) {
	masked := m.masked()
	for _, re := range renameExprs {
		sm := re.FindStringSubmatch(masked)
		if sm == nil {
			continue
		}
		ref, label = sm[1], sm[2]
		break
	}
	if q := quoted.FindStringSubmatch(masked); q != nil {
		label = q[1]
	}
	label = cleanLabel(label)
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.Contains(ref, "#") {
		return "", label
	}
	if o := ordinalArg(ref); o != "" {
		return o, label
	}
	if o := read(ref, nil).ordinal(); o != "" {
		return o, label
	}
	return read(ref, nil).labelOf(true), label
}

// masked is base with each tracking number replaced by "#".
func (m *message) masked() string {
	var b strings.Builder
	last := 0
	for _, sp := range m.numbers {
		b.WriteString(m.base[last:sp[0]])
		b.WriteString("#")
		last = sp[1]
	}
	b.WriteString(m.base[last:])
	return b.String()
}

// cleanLabel trims quotes, punctuation and polite endings from a new label.
func cleanLabel(s string) string {
	s = strings.TrimSpace(s)
	for {
		old := s
		s = strings.TrimFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '&' || unicode.IsSymbol(r)
		})
		for _, suf := range labelSuffixes {
			if t, ok := strings.CutSuffix(s, suf); ok && strings.TrimSpace(t) != "" {
				s = strings.TrimSpace(t)
			}
		}
		if s == old {
			return s
		}
	}
}

var labelSuffixes = []string{" please", " pls", " plz", " thanks", " thx", "ください", "下さい", "お願いします", "おねがいします", "お願い", "ค่ะ", "คะ", "ครับ", "คับ", "นะ", "จ้า", "หน่อย", "ด้วย"}

// label finds a parcel's label among what no pattern, number or ordinal
// took; "" when there is none.
func (m *message) label() string { return m.labelOf(false) }

// chunk is an uncovered stretch of base.
type chunk struct {
	text       string
	start, end int  // base byte offsets
	afterWord  bool // right after a covered word of Japanese (a compound: 不在票)
}

// labelOf returns the longest label candidate. A strict reading (a
// question about a parcel) asks more of a candidate than a relaxed one (the
// name given with a number to follow, the parcel part of a rename): English
// labels follow "the" or "my" ("where is the phone case"); Thai ones stand
// at the start or the end of the message ("เคสมือถือถึงไหนแล้ว"), since
// Thai has no spaces to tell a name from the words around it; Japanese ones
// are no tail of a keyword compound (不在票).
func (m *message) labelOf(relaxed bool) string {
	best := ""
	for _, c := range m.chunks() {
		text := c.text
		if !relaxed {
			switch {
			case isLatinText(text):
				if determinerBefore(m.base[:c.start]) {
					text = "the " + text
				}
				text = afterDeterminer(text)
			case hasThai(text):
				if !m.atEdge(c) {
					continue
				}
			case c.afterWord:
				continue
			}
		}
		if isGeneric(strings.TrimSpace(text)) {
			continue
		}
		text = trimLabel(text)
		if validLabel(text) && len([]rune(text)) > len([]rune(best)) {
			best = text
		}
	}
	return best
}

// atEdge reports whether c starts or ends the message, but for spaces,
// punctuation and polite endings.
func (m *message) atEdge(c chunk) bool {
	return edgeOnly(m.base[:c.start]) || edgeOnly(m.base[c.end:])
}

func edgeOnly(s string) bool {
	s = strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) })
	for _, a := range affixes {
		s = strings.TrimSuffix(strings.TrimPrefix(s, a), a)
	}
	return strings.TrimSpace(s) == ""
}

func isLatinText(s string) bool {
	latin := false
	for _, r := range s {
		switch {
		case isLatin(r):
			latin = true
		case r > 0x7F:
			return false
		}
	}
	return latin
}

func hasThai(s string) bool { return strings.ContainsFunc(s, isThai) }

// afterDeterminer returns the words after the last "the", "my", "our" or
// "your" of s up to the first word that is no part of a name ("the seller
// gave me" has none), or "" when there is no determiner.
func afterDeterminer(s string) string {
	f := strings.Fields(s)
	for i := len(f) - 1; i >= 0; i-- {
		switch strings.ToLower(f[i]) {
		case "the", "my", "our", "your":
			j := i + 1
			for j < len(f) && !enStop[strings.ToLower(f[j])] {
				j++
			}
			return strings.Join(f[i+1:j], " ")
		}
	}
	return ""
}

// determinerBefore reports whether s, the text before a chunk, ends with a
// determiner that a pattern took ("track the| shoes").
func determinerBefore(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return false
	}
	switch f[len(f)-1] {
	case "the", "my", "our", "your":
		return true
	}
	return false
}

// chunks splits the uncovered parts of base at punctuation, symbols and,
// in Japanese, at hiragana (particles and verb endings); a run of kanji
// followed by a verb ending (届いた, 遅い) is no label and dropped.
func (m *message) chunks() []chunk {
	var out []chunk
	var cur strings.Builder
	curStart, afterWord := -1, false
	flush := func(end int) {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, chunk{text: s, start: curStart, end: end, afterWord: afterWord})
		}
		cur.Reset()
		curStart = -1
	}
	lastHan, lastCoveredCJK, hanRun := false, false, 0
	for i := 0; i < len(m.base); {
		r, size := runeAt(m.base, i)
		switch {
		case m.covered[i]:
			flush(i)
		case isHiragana(r):
			if lastHan && (!isParticle(m.base[i:]) || hanRun == 1 && r == 'っ') {
				// A verb: 届いた, 遅い, 入ってた.
				cur.Reset()
			}
			flush(i)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == ' ' || r == 0x30FC:
			if curStart < 0 {
				curStart, afterWord = i, lastCoveredCJK && (isHan(r) || isKatakana(r))
			}
			cur.WriteRune(r)
		default:
			flush(i)
		}
		lastHan = isHan(r) && !m.covered[i]
		if lastHan {
			hanRun++
		} else {
			hanRun = 0
		}
		lastCoveredCJK = m.covered[i] && (isHan(r) || isKana(r))
		i += size
	}
	flush(len(m.base))
	return out
}

// isParticle reports whether s starts with a particle that may follow a
// noun: は が を の も って に で と や へ から.
func isParticle(s string) bool {
	for _, p := range []string{"は", "が", "を", "の", "も", "って", "に", "で", "と", "や", "へ", "から"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// trimLabel removes the words around a label that are no part of it.
func trimLabel(s string) string {
	for {
		old := s
		s = strings.TrimSpace(s)
		low := strings.ToLower(s)
		for w := range enStop {
			if strings.HasPrefix(low, w+" ") {
				s, low = s[len(w)+1:], low[len(w)+1:]
			}
			if strings.HasSuffix(low, " "+w) {
				s, low = s[:len(s)-len(w)-1], low[:len(low)-len(w)-1]
			}
			if low == w {
				return ""
			}
			if rest, ok := strings.CutPrefix(low, w); ok && rest != "" {
				if r, _ := runeAt(rest, 0); r > 0x7F {
					s, low = s[len(w):], rest
				}
			}
		}
		for _, a := range affixes {
			if t, ok := strings.CutPrefix(s, a); ok {
				s = t
			}
			if t, ok := strings.CutSuffix(s, a); ok {
				s = t
			}
		}
		if s == old {
			return strings.TrimSpace(s)
		}
	}
}

// validLabel reports whether s may be a label: not a generic word, no
// digits, a few words at most, no Japanese verb or time word, no Thai verb.
func validLabel(s string) bool {
	rs := []rune(s)
	if len(rs) == 0 || isGeneric(s) {
		return false
	}
	if len(rs) == 1 && !isHan(rs[0]) {
		return false
	}
	han, thai, latin := false, false, false
	for _, r := range rs {
		switch {
		case unicode.IsDigit(r), isHiragana(r):
			return false
		case isHan(r):
			han = true
		case isThai(r):
			thai = true
		case isLatin(r):
			latin = true
		}
	}
	if latin && len(strings.Fields(s)) > 4 {
		return false
	}
	if han && strings.ContainsAny(s, "今週月日年時分") {
		return false
	}
	if thai {
		if len(rs) > 20 {
			return false
		}
		f := foldString(s)
		if len([]rune(f)) < 3 {
			return false
		}
		for _, v := range thaiNotLabel {
			if strings.Contains(f, v) {
				return false
			}
		}
	}
	return true
}

var enStop = words(`
	a an the my your our this that these those it its is are was were be been am i me we you
	he she they them his her their one ones of for to from in on at by with about and or but so
	will would can could should do does did has have had get gets got please pls plz thx
	now yet already still just really very too also again ok okay hey hi yo lol lmao smh bro pal mate
	what which who whom whose why how where when there here come comes coming came arrive arrived
	delivered deliver sent shipped ship think tell know see seen check show need want like
	day days week weeks month months today tomorrow yesterday last next ago since time
	jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
	august september october november december
	new old more many much some any all every other another same thing things stuff item items
	order orders parcel parcels package packages shipment shipments delivery number tracking
	aliexpress ali seller seller's store shop customs japan thailand china yamato sagawa kerry flash
	post office`)

// affixes are trimmed from either end of a Japanese or Thai candidate.
var affixes = []string{
	"は", "が", "を", "の", "も", "って", "に", "で", "と",
	"ของฉัน", "ของผม", "ของหนู", "ของเรา", "ของ", "พัสดุ", "อัน", "ที่สั่ง", "ที่", "ตอนนี้", "แล้ว", "เลย", "ค่ะ", "คะ", "ครับ", "คับ",
	"นะ", "จ้า", "อ่ะ", "อะ", "หน่อย", "ด้วย", "จะ", "ยัง", "ได้", "ถึง", "ไหม", "มั้ย", "มี", "ให้",
	"หรือ", "ฉัน", "ผม", "หนู", "เรา",
}

// isGeneric reports whether s names no parcel in particular: a generic
// word, English words that all are generic or no part of a name (after typo
// correction: "pakage"), or a compound of generic Japanese words (依頼方法).
func isGeneric(s string) bool {
	low := strings.ToLower(s)
	if generic[low] || generic[foldString(s)] {
		return true
	}
	if isLatinText(s) {
		for _, w := range strings.Fields(low) {
			if c := correct(w); !generic[c] && !enStop[c] {
				return false
			}
		}
		return true
	}
	rest := s
	for rest != "" {
		cut := false
		for g := range generic {
			if t, ok := strings.CutPrefix(rest, g); ok && g != "" && !isLatinText(g) {
				rest, cut = t, true
				break
			}
		}
		if !cut {
			return false
		}
	}
	return true
}

// generic words refer to any parcel, not to one.
var generic = words(`
	it this that one parcel package order stuff item thing shipment delivery things items orders
	parcels packages 荷物 にもつ 商品 物 もの やつ これ それ あれ 注文 私 僕 俺 番号 追跡 税関 郵便局
	アリエク アリエクスプレス ヤマト 佐川 日本郵便 出品者 ショップ 予定日 お届け 状況 日本 タイ
	配送 配達 発送 到着 購入 購入者 依頼 方法 申請 期間 期限 手続き 問い合わせ 連絡 確認 全部 全然
	クリスマス 正月 お正月 年末 週末 連休 セール 本当 本当に 普通 大体 多分 一応 すみません
	ของ พัสดุ ออเดอร์ สินค้า อันนี้ อันนั้น ร้าน ไปรษณีย์ ศุลกากร ไทย
	aliexpress yamato sagawa kerry flash dhl fedex ems`)

// thaiNotLabel are folded Thai words that make a candidate a sentence
// rather than a name.
var thaiNotLabel = func() []string {
	var out []string
	for _, w := range []string{
		"ส่ง", "ได้", "เลข", "ร้าน", "ช่วย", "อยู่", "ไม่", "ยัง", "จะ", "แล้ว", "ขอ", "อยาก", "ทำ", "วัน",
		"เดือน", "อาทิตย์", "ไหน", "อะไร", "เช็ค", "เช็ก", "ออก", "อีก", "กว่า", "จัง", "มาก", "ระบบ", "บอก",
		"ว่า", "ใส่", "เปิด", "นัด", "ขึ้น", "รับ", "การ", "จาก", "ปี", "ประมาณ", "หมด", "ตอน", "เมื่อ", "นาน",
	} {
		out = append(out, foldString(w))
	}
	return out
}()
