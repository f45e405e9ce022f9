package tracker

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Format IDs name the shapes Detect recognises. They are stable: they are
// stored and used in APIs, so never rename one. "check" says how the check
// digit is verified; formats without one are matched with lower confidence.
//
//	sandbox      SBX + 2 letters + 4-8 digits (SBXJP0001); the simulated
//	             source; country = the two letters when they are a country
//	s10          UPU S10: 2 letters (service) + 8 digits + check digit +
//	             UPU country (RB004010604CN); check: weights 8,6,4,2,3,5,9,7,
//	             11 - sum mod 11, 10 -> 0, 11 -> 5
//	yanwen       the S10 shape with Yanwen's own suffix YP or YW
//	             (UG336196744YP); check: as s10
//	cainiao-lp   LP + 14 digits, Cainiao logistics order; no check digit
//	yunexpress   YT + 16 digits (YT2229521272164446); no check digit
//	4px          4PX + 10-16 digits, optionally + CN; no check digit
//	jt-cn        JT + 13 digits, J&T Express China (JT5091156768308); no
//	             check digit
//	sf           SF + 13 digits, SF Express (SF1125346238243); no check digit
//	ups-1z       1Z + 15 letters or digits + check digit
//	             (1Z5R89390357567127); check: letters count as (code - 3)
//	             mod 10, odd positions doubled, 10 - sum mod 10
//	usps-20      20 digits; check: GS1 mod 10 over the first 19, alone or
//	             behind the implied application identifier 91
//	usps-22      9[1-5] + 20 digits, USPS IMpb (92: also FedEx SmartPost);
//	             check: GS1 mod 10
//	fedex-12     12 digits, FedEx Express; check: weights 3,1,7 from the
//	             left, sum mod 11 mod 10
//	fedex-15     15 digits, FedEx Ground; check: GS1 mod 10
//	fedex-22     96 + 20 digits, FedEx Ground 96; check: GS1 mod 10 over
//	             digits 8-21
//	dhl-express  10 or 11 digits, not starting with 0; check: the others
//	             mod 7
//	jp-11        11 digits, not starting with 0, Japan Post registered
//	             items (131-12-38385-2); check: first 10 mod 7
//	jp-12        12 digits (Japan Post, Yamato, Sagawa); check: first 11
//	             mod 7, so a last digit of 7-9 is always a typo
//	jp-13        13 digits, not starting with 0, Japan Post; no check digit
//	kerry-th     SHP + 10 digits, or KE + a letter + 11 digits
//	             (KEX20486575714), Kerry Express Thailand; no check digit
//	flash-th     TH + 2 digits + 10 letters or digits (TH42102D96VH9Q),
//	             Flash Express; no check digit
//	jt-th        12 digits starting 82, J&T Express Thailand
//	             (821797074556); no check digit
//	best-express 60 + 12 digits, BEST Express (60850136322011); no check
//	             digit
const (
	FormatSandbox     = "sandbox"
	FormatS10         = "s10"
	FormatYanwen      = "yanwen"
	FormatCainiaoLP   = "cainiao-lp"
	FormatYunExpress  = "yunexpress"
	Format4PX         = "4px"
	FormatJTChina     = "jt-cn"
	FormatSF          = "sf"
	FormatUPS         = "ups-1z"
	FormatUSPS20      = "usps-20"
	FormatUSPS22      = "usps-22"
	FormatFedEx12     = "fedex-12"
	FormatFedEx15     = "fedex-15"
	FormatFedEx22     = "fedex-22"
	FormatDHLExpress  = "dhl-express"
	FormatJP11        = "jp-11"
	FormatJP12        = "jp-12"
	FormatJP13        = "jp-13"
	FormatKerry       = "kerry-th"
	FormatFlash       = "flash-th"
	FormatJTThailand  = "jt-th"
	FormatBestExpress = "best-express"
)

// Carrier IDs say who may carry a number. They are stable: they are stored,
// used in APIs and as translation keys for display names.
//
//	china-post     China Post (S10 ending in CN)
//	cainiao        Cainiao (LP numbers; also possible for S10 ending in CN)
//	japan-post     Japan Post (S10 ending in JP, jp-11, jp-12, jp-13)
//	yamato         Yamato Transport (jp-12)
//	sagawa         Sagawa Express (jp-12)
//	thailand-post  Thailand Post (S10 ending in TH)
//	postal         the postal operator of Candidate.Country (other S10)
//	sandbox        the simulated source (sandbox)
//	yanwen         Yanwen (yanwen)
//	yunexpress     YunExpress (yunexpress)
//	4px            4PX (4px)
//	jt-express     J&T Express China (jt-cn)
//	sf-express     SF Express (sf)
//	ups            UPS (ups-1z)
//	usps           USPS (usps-20, usps-22)
//	fedex          FedEx (fedex-12, fedex-15, fedex-22, usps-22 starting 92)
//	dhl-express    DHL Express (dhl-express)
//	kerry-express  Kerry Express Thailand, now KEX (kerry-th)
//	flash-express  Flash Express (flash-th)
//	jt-express-th  J&T Express Thailand (jt-th)
//	best-express   BEST Express (best-express)
const (
	CarrierChinaPost    = "china-post"
	CarrierCainiao      = "cainiao"
	CarrierJapanPost    = "japan-post"
	CarrierYamato       = "yamato"
	CarrierSagawa       = "sagawa"
	CarrierThailandPost = "thailand-post"
	CarrierPostal       = "postal"
	CarrierSandbox      = "sandbox"
	CarrierYanwen       = "yanwen"
	CarrierYunExpress   = "yunexpress"
	Carrier4PX          = "4px"
	CarrierJTExpress    = "jt-express"
	CarrierSFExpress    = "sf-express"
	CarrierUPS          = "ups"
	CarrierUSPS         = "usps"
	CarrierFedEx        = "fedex"
	CarrierDHLExpress   = "dhl-express"
	CarrierKerry        = "kerry-express"
	CarrierFlash        = "flash-express"
	CarrierJTThailand   = "jt-express-th"
	CarrierBestExpress  = "best-express"
)

// S10 service IDs name the UPU service indicator, the first letter of an S10
// number (Candidate.Service). They are stable.
//
//	ems               E: EMS
//	tracked-letter    L: letter post express, tracked letter
//	m-bag             M: letter post M-bag
//	business-reply    QA-QM: international business reply
//	registered        R: registered letter post
//	letter-misc       U: other letter post items
//	insured           V: insured letter post
//	parcel            C: parcel post
//	ecommerce-parcel  H: e-commerce parcel post
//	domestic          B, D, N, P, Z, AV-AZ, GA, GD: for domestic or
//	                  bilateral use
const (
	ServiceEMS             = "ems"
	ServiceTrackedLetter   = "tracked-letter"
	ServiceMBag            = "m-bag"
	ServiceBusinessReply   = "business-reply"
	ServiceRegistered      = "registered"
	ServiceLetterMisc      = "letter-misc"
	ServiceInsured         = "insured"
	ServiceParcel          = "parcel"
	ServiceEcommerceParcel = "ecommerce-parcel"
	ServiceDomestic        = "domestic"
)

// Candidate is one reading of a tracking number found in text.
type Candidate struct {
	Number     string     `json:"number"`            // canonical
	Format     string     `json:"format"`            // a Format ID
	Carriers   []string   `json:"carriers"`          // Carrier IDs, likeliest first
	CheckDigit CheckDigit `json:"check_digit"`       // verified, failed, or none to check
	Country    string     `json:"country,omitempty"` // ISO 3166 alpha-2 where the format encodes it (S10 suffix)
	Service    string     `json:"service,omitempty"` // S10 service ID (ems, registered, ...), S10 shapes only
	Confidence float64    `json:"confidence"`        // 0..1
}

// Hint tells DetectFor where the chat is, so that numbers whose shape fits
// several countries rank the chat's own carriers first. Both fields are
// optional; Country wins over Lang.
type Hint struct {
	Country string `json:"country,omitempty"` // ISO 3166 alpha-2, e.g. "JP", "TH"
	Lang    string `json:"lang,omitempty"`    // BCP 47 language, e.g. "ja", "th", "en"
}

// region returns the country the hint points at: Country, or the country
// of Lang for the languages spoken in one country Todoku serves (ja -> JP,
// th -> TH), or "".
func (h Hint) region() string {
	if len(h.Country) == 2 {
		return strings.ToUpper(h.Country)
	}
	lang, _, _ := strings.Cut(strings.ToLower(h.Lang), "-")
	lang, _, _ = strings.Cut(lang, "_")
	switch lang {
	case "ja":
		return "JP"
	case "th":
		return "TH"
	}
	return ""
}

// Hint adjustments: a domestic format of the chat's country gains
// hintBoost, one of another country loses hintPenalty.
const (
	hintBoost   = 0.15
	hintPenalty = 0.25
)

// regionOf says which country's domestic network a format belongs to, or ""
// for international and express formats.
func regionOf(format string) string {
	switch format {
	case FormatJP11, FormatJP12, FormatJP13:
		return "JP"
	case FormatKerry, FormatFlash, FormatJTThailand:
		return "TH"
	case FormatUSPS20, FormatUSPS22:
		return "US"
	}
	return ""
}

// adjust applies the hint's region r to the candidates of one number and
// sorts them best first again.
func adjust(cands []Candidate, r string) {
	if r == "" {
		return
	}
	for i := range cands {
		cr := regionOf(cands[i].Format)
		switch {
		case cr == "":
			continue
		case cr == r:
			cands[i].Confidence = min(cands[i].Confidence+hintBoost, 0.99)
		default:
			cands[i].Confidence = max(cands[i].Confidence-hintPenalty, 0.01)
		}
		cands[i].Confidence = math.Round(cands[i].Confidence*100) / 100
	}
	sortCandidates(cands)
}

// maxGap is the most spaces and dashes allowed between two groups of one
// number ("1234 - 5678").
const maxGap = 3

// Detect finds every tracking number in free text and returns candidates,
// grouped by number in order of appearance, best candidate first within a
// number; no number appears twice. A number with an invalid check digit is
// still returned (CheckDigit "invalid", low confidence) so the bot can say
// "looks like a typo". Detect(text) is DetectFor(text, Hint{}).
//
// Text is read as Canonical reads a number: full-width characters, lower
// case and zero-width characters are accepted. A number may be split into
// groups by spaces or dashes (including ー); adjacent groups are joined when
// together they form a number, preferring a run whose check digit holds,
// then one of a format without a check digit, then the longest. A number is
// never cut out of a longer run of ASCII letters and digits, but may touch
// other text ("追跡番号はLP00123456789012です") or sit in a URL
// ("?mailNo=LP00123456789012", also percent-encoded). Line breaks always
// separate numbers. Groups that together make an AliExpress order number
// (16 digits starting with 3 or 8) are never read as a tracking number.
func Detect(text string) []Candidate {
	return DetectFor(text, Hint{})
}

// DetectFor is Detect for a chat: candidates of a number whose shape fits
// several carriers are ranked with the chat's country or language in mind
// (ja: Japanese carriers first; th: Thai carriers first). Every candidate
// is kept, so a source can try the next one.
func DetectFor(text string, hint Hint) []Candidate {
	r := hint.region()
	if tok, ok := bareToken(text); ok {
		cands := classify(tok)
		adjust(cands, r)
		return cands
	}
	var out []Candidate
	for _, chain := range chains(text) {
		for i := 0; i < len(chain); {
			if end := orderRunEnd(chain, i); end > i {
				i = end
				continue
			}
			cands, end := bestRun(chain, i)
			if cands == nil {
				i++
				continue
			}
			i = end
			n := cands[0].Number
			if slices.ContainsFunc(out, func(c Candidate) bool { return c.Number == n }) {
				continue
			}
			adjust(cands, r)
			out = append(out, cands...)
		}
	}
	return out
}

// bareToken reports whether text is a single ASCII group of letters and
// digits, perhaps between ASCII spaces, short enough to be a number, and
// returns it upper-cased. It is the fast path for a pasted bare number and
// gives the same result as the general path.
func bareToken(text string) (string, bool) {
	s := strings.Trim(text, " \t")
	if len(s) < formatMinLen || len(s) > formatMaxLen {
		return "", false
	}
	lower := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlnum(c):
		case 'a' <= c && c <= 'z':
			lower = true
		default:
			return "", false
		}
	}
	if lower {
		s = strings.ToUpper(s)
	}
	return s, true
}

// Run qualities: a run whose best reading passes its check digit beats one
// of a format without check digit, which beats a failed check digit.
func quality(c CheckDigit) int {
	switch c {
	case CheckValid:
		return 2
	case CheckNone:
		return 1
	}
	return 0
}

// bestRun finds the best number made of chain[i:end] and returns its
// candidates and end, or nil when no run starting at i is a number. It
// prefers runs of higher quality, then the longest.
func bestRun(chain []string, i int) ([]Candidate, int) {
	var (
		best      []Candidate
		bestQ     int
		bestEnd   int
		buf       [formatMaxLenBound]byte
		joinedLen int
		hasDigit  bool
	)
	for j := i; j < len(chain); j++ {
		if joinedLen+len(chain[j]) > formatMaxLen {
			break
		}
		copy(buf[joinedLen:], chain[j])
		for k := joinedLen; k < joinedLen+len(chain[j]) && !hasDigit; k++ {
			hasDigit = buf[k] <= '9'
		}
		joinedLen += len(chain[j])
		if !hasDigit || !lengthUsed(joinedLen) {
			// Every format has digits.
			continue
		}
		var n string
		if j == i {
			n = chain[i]
		} else {
			n = string(buf[:joinedLen])
		}
		cands := classify(n)
		if cands == nil {
			continue
		}
		if q := quality(cands[0].CheckDigit); best == nil || q >= bestQ {
			best, bestQ, bestEnd = cands, q, j+1
		}
	}
	return best, bestEnd
}

// orderRunEnd returns the end of the run of digit groups starting at
// chain[i] when the run is made of two or more groups that together are an
// AliExpress order number ("8181 2345 6789 0123"), so that no tracking
// number is cut out of it; otherwise i.
func orderRunEnd(chain []string, i int) int {
	if i > 0 && isDigits(chain[i-1]) {
		return i
	}
	n, j := 0, i
	for j < len(chain) && isDigits(chain[j]) {
		n += len(chain[j])
		j++
	}
	if j-i < 2 || !isOrderNumber(chain[i][0], n) {
		return i
	}
	return j
}

// isOrderNumber reports whether a run of n digits starting with first has
// the shape of an AliExpress order number: 16 digits starting with 3 or 8.
func isOrderNumber(first byte, n int) bool {
	return n == 16 && (first == '3' || first == '8')
}

// chains splits text into runs of ASCII letter-and-digit groups (upper-cased,
// after NFKC) in which consecutive groups are separated only by a few spaces
// or dashes, so that they may belong to one number. A percent-encoded byte
// (%3D) separates groups like the character it encodes. A run that starts
// with digits right after "+" is an international phone number and left out.
func chains(text string) [][]string {
	if !nfkcStable(text) {
		text = norm.NFKC.String(text)
	}
	var (
		all    []byte   // the bytes of every group, one after the other
		spans  [][2]int // where each group starts and ends in all
		starts []int    // the first group of each chain
		inTok  bool     // a group is being read
		tokAt  int      // where the group being read starts in all
		gap    int      // separators since the last group
		hard   bool     // something else since the last group
		plus   bool     // the next chain follows a "+": a phone number
		drop   bool     // the current chain is a phone number
	)
	endChain := func() {
		if drop && len(starts) > 0 {
			first := starts[len(starts)-1]
			starts = starts[:len(starts)-1]
			spans = spans[:first]
		}
		drop = false
	}
	begin := func() {
		if !inTok {
			inTok, tokAt = true, len(all)
		}
	}
	endGroup := func() {
		if !inTok {
			return
		}
		inTok = false
		newChain := len(starts) == 0 || hard || gap > maxGap
		if newChain && len(starts) > 0 {
			endChain()
		}
		if newChain {
			starts = append(starts, len(spans))
			drop, plus = plus && all[tokAt] <= '9', false
		}
		spans = append(spans, [2]int{tokAt, len(all)})
		gap, hard = 0, false
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case isAlnum(c):
				begin()
				all = append(all, c)
				i++
				continue
			case 'a' <= c && c <= 'z':
				begin()
				all = append(all, c-'a'+'A')
				i++
				continue
			case c == '%' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
				endGroup()
				hard = true
				i += 3
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case isPlainLetter(r):
			endGroup()
			hard, plus = true, false
			continue
		case 0xFF01 <= r && r <= 0xFF5E:
			// Full-width ASCII, left by nfkcStable for this loop.
			if u := asciiUpper(byte(r - 0xFEE0)); isAlnum(u) {
				begin()
				all = append(all, u)
				continue
			}
			r -= 0xFEE0
		case r == 0x131: // dotless i, upper-cased to I
			begin()
			all = append(all, 'I')
			continue
		case r == 0x17F: // long s, upper-cased to S
			begin()
			all = append(all, 'S')
			continue
		case isIgnorable(r):
			continue
		}
		endGroup()
		switch {
		case isSeparator(r) && !isLineBreak(r):
			gap++
		case r == '+':
			// An international phone number (+81 90-1234-5678): its groups
			// form no tracking number.
			hard, plus = true, true
		default:
			hard, plus = true, false
		}
	}
	endGroup()
	if len(starts) > 0 {
		endChain()
	}
	if len(starts) == 0 {
		return nil
	}
	// One string holds every group; groups and chains are views into it.
	joined := string(all)
	groups := make([]string, len(spans))
	for k, sp := range spans {
		groups[k] = joined[sp[0]:sp[1]]
	}
	out := make([][]string, len(starts))
	for k, first := range starts {
		last := len(groups)
		if k+1 < len(starts) {
			last = starts[k+1]
		}
		out[k] = groups[first:last:last]
	}
	return out
}

// nfkcStable reports whether NFKC would change nothing in text that chains
// cares about: every rune is ASCII, or full-width ASCII (which chains maps
// itself), or one of the letters and symbols of isPlainLetter, which NFKC
// keeps as they are and which never combine with a neighbour. Most chat
// messages qualify and skip normalisation.
func nfkcStable(text string) bool {
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if !isPlainLetter(r) && (r < 0xFF01 || r > 0xFF5E) {
			return false
		}
	}
	return true
}

// isPlainLetter reports whether r is in a block of letters and symbols that
// NFKC leaves alone and that are neither spaces, dashes nor format
// characters: Thai, hiragana, katakana (not ー), CJK ideographs, Hangul
// syllables and the emoji blocks. Such a rune always separates groups.
func isPlainLetter(r rune) bool {
	switch {
	case r < 0x0E01:
		return false
	case r <= 0x0E5B:
		return true
	case r < 0x3041:
		return false
	case r <= 0x3096, 0x30A1 <= r && r <= 0x30FA, 0x4E00 <= r && r <= 0x9FFF,
		0xAC00 <= r && r <= 0xD7A3, 0x1F300 <= r && r <= 0x1FAFF:
		return true
	}
	return false
}

// asciiUpper upper-cases an ASCII letter.
func asciiUpper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('A' <= c && c <= 'F') || ('a' <= c && c <= 'f')
}

// sortCandidates orders the candidates of one number best first; ties keep
// the order of the format table.
func sortCandidates(cands []Candidate) {
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
}

// carrierIDs lists every carrier ID a candidate may name.
var carrierIDs = []string{
	CarrierChinaPost, CarrierCainiao, CarrierJapanPost, CarrierYamato, CarrierSagawa,
	CarrierThailandPost, CarrierPostal, CarrierSandbox, CarrierYanwen, CarrierYunExpress,
	Carrier4PX, CarrierJTExpress, CarrierSFExpress, CarrierUPS, CarrierUSPS, CarrierFedEx,
	CarrierDHLExpress, CarrierKerry, CarrierFlash, CarrierJTThailand, CarrierBestExpress,
}

// Carriers lists every carrier ID detection can name, so that catalogs and
// source tables can be checked against it.
func Carriers() []string { return slices.Clone(carrierIDs) }
