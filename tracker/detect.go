package tracker

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Format IDs name the shapes Detect recognises. They are stable: they are
// stored and used in APIs, so never rename one.
//
//	sandbox     SBX + 2 letters + 4-8 digits (SBXJP0001); the simulated
//	            source; country = the two letters when they are a country
//	s10         UPU S10: 2 letters + 8 digits + check digit + ISO country
//	            (RB004010604CN); check digit verified
//	cainiao-lp  LP + 14 digits, Cainiao logistics order; no check digit
//	jp-12       12 digits, last = first 11 mod 7 (Japan Post, Yamato,
//	            Sagawa); check digit verified
const (
	FormatSandbox   = "sandbox"
	FormatS10       = "s10"
	FormatCainiaoLP = "cainiao-lp"
	FormatJP12      = "jp-12"
)

// Carrier IDs say who may carry a number. They are stable: they are stored,
// used in APIs and as translation keys for display names.
//
//	china-post     China Post (S10 ending in CN)
//	cainiao        Cainiao (LP numbers; also possible for S10 ending in CN)
//	japan-post     Japan Post (S10 ending in JP, jp-12)
//	yamato         Yamato Transport (jp-12)
//	sagawa         Sagawa Express (jp-12)
//	thailand-post  Thailand Post (S10 ending in TH)
//	postal         the postal operator of Candidate.Country (other S10)
//	sandbox        the simulated source (sandbox)
const (
	CarrierChinaPost    = "china-post"
	CarrierCainiao      = "cainiao"
	CarrierJapanPost    = "japan-post"
	CarrierYamato       = "yamato"
	CarrierSagawa       = "sagawa"
	CarrierThailandPost = "thailand-post"
	CarrierPostal       = "postal"
	CarrierSandbox      = "sandbox"
)

// Candidate is one reading of a tracking number found in text.
type Candidate struct {
	Number     string     `json:"number"`            // canonical
	Format     string     `json:"format"`            // a Format ID
	Carriers   []string   `json:"carriers"`          // Carrier IDs, likeliest first
	CheckDigit CheckDigit `json:"check_digit"`       // verified, failed, or none to check
	Country    string     `json:"country,omitempty"` // ISO 3166 alpha-2 where the format encodes it (S10 suffix)
	Confidence float64    `json:"confidence"`        // 0..1
}

// maxGap is the most spaces and dashes allowed between two groups of one
// number ("1234 - 5678").
const maxGap = 3

// Detect finds every tracking number in free text and returns candidates,
// grouped by number in order of appearance, best candidate first within a
// number; no number appears twice. A number with an invalid check digit is
// still returned (CheckDigit "invalid", low confidence) so the bot can say
// "looks like a typo".
//
// Text is read as Canonical reads a number: full-width characters, lower
// case and zero-width characters are accepted. A number may be split into
// groups by spaces or dashes (including ー); adjacent groups are joined when
// together they form a number, preferring the longest run whose check digit
// holds. A number is never cut out of a longer run of ASCII letters and
// digits, but may touch other text ("追跡番号はLP00123456789012です"). Line
// breaks always separate numbers.
func Detect(text string) []Candidate {
	var (
		out  []Candidate
		seen map[string]bool
	)
	for _, chain := range chains(text) {
		for i := 0; i < len(chain); {
			cands, end := bestRun(chain, i)
			if cands == nil {
				i++
				continue
			}
			i = end
			n := cands[0].Number
			if seen[n] {
				continue
			}
			if seen == nil {
				seen = make(map[string]bool)
			}
			seen[n] = true
			out = append(out, cands...)
		}
	}
	return out
}

// bestRun finds the best number made of chain[i:end] and returns its
// candidates and end, or nil when no run starting at i is a number. It
// prefers runs that pass their check digit, then the longest.
func bestRun(chain []string, i int) ([]Candidate, int) {
	var (
		best      []Candidate
		bestOK    bool
		bestEnd   int
		n         strings.Builder
		joinedLen int
	)
	for j := i; j < len(chain); j++ {
		joinedLen += len(chain[j])
		if joinedLen > formatMaxLen {
			break
		}
		n.WriteString(chain[j])
		cands := classify(n.String())
		if cands == nil {
			continue
		}
		ok := cands[0].CheckDigit != CheckInvalid
		if best == nil || ok || !bestOK {
			best, bestOK, bestEnd = cands, ok, j+1
		}
	}
	return best, bestEnd
}

// chains splits text into runs of ASCII letter-and-digit groups (upper-cased,
// after NFKC) in which consecutive groups are separated only by a few spaces
// or dashes, so that they may belong to one number.
func chains(text string) [][]string {
	text = norm.NFKC.String(text)
	var (
		out   [][]string
		chain []string
		tok   []byte
		gap   int  // separators since the last group
		hard  bool // something else since the last group
	)
	endGroup := func() {
		if len(tok) == 0 {
			return
		}
		if len(chain) > 0 && (hard || gap > maxGap) {
			out = append(out, chain)
			chain = nil
		}
		chain = append(chain, string(tok))
		tok = tok[:0]
		gap, hard = 0, false
	}
	for _, r := range text {
		if isIgnorable(r) {
			continue
		}
		r = unicode.ToUpper(r)
		if r < utf8.RuneSelf && isAlnum(byte(r)) {
			tok = append(tok, byte(r))
			continue
		}
		endGroup()
		if isSeparator(r) && !isLineBreak(r) {
			gap++
		} else {
			hard = true
		}
	}
	endGroup()
	if len(chain) > 0 {
		out = append(out, chain)
	}
	return out
}
