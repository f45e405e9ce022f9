package intent

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/todoku/todoku/tracker"
)

// Intent names what a message asks for. The IDs are stable: handlers,
// logs and the labelled test set use them.
type Intent string

// The intents. A number inside another request keeps that request's intent
// ("stop tracking LP…" is Stop); a message that only gives numbers is Track.
const (
	Track      Intent = "track"       // follow the number(s) given
	Where      Intent = "where"       // where is it, what is its status
	ETA        Intent = "eta"         // when will it arrive
	Delay      Intent = "delay"       // why is it late, it is still not here
	List       Intent = "list"        // show every parcel followed
	Stop       Intent = "stop"        // stop following a parcel
	Rename     Intent = "rename"      // give a parcel a name (Label)
	Help       Intent = "help"        // what can the bot do, how
	Language   Intent = "language"    // change the chat's language
	Settings   Intent = "settings"    // notifications, quiet hours, time zone
	NotFound   Intent = "not_found"   // the carrier says "not found"
	LostNumber Intent = "lost_number" // the user has no tracking number
	Redelivery Intent = "redelivery"  // missed delivery, redelivery, holding
	Protection Intent = "protection"  // buyer protection, dispute, refund (Date)
	Thanks     Intent = "thanks"      // thank you
	Greeting   Intent = "greeting"    // hello
	Forget     Intent = "forget"      // delete everything kept about the chat
	Unknown    Intent = "unknown"     // none of the above
)

// Intents lists every intent, in the order of priority used to break ties.
func Intents() []Intent { return slices.Clone(priority) }

// Languages a message can be written in.
const (
	LangJapanese = "ja"
	LangEnglish  = "en"
	LangThai     = "th"
)

// Result is what a message asks for.
type Result struct {
	Intent Intent `json:"intent"`
	// Lang is the language the message is written in, judged by its script
	// and a few words ("ja", "en" or "th"); it may differ from the chat's.
	Lang string `json:"lang"`
	// Numbers are the canonical tracking numbers to follow found in the
	// text (tracker.Analyze(...).Numbers()), in order of appearance.
	Numbers []string `json:"numbers"`
	// Ref says which parcel is meant when no number is given: a label as
	// the user wrote it ("phone case", "ケース"), an ordinal as a decimal
	// ("2" for "2nd", "二つ目", "อันที่สอง"), "last" for the last one added,
	// or "" (the only active parcel, or ask back).
	Ref string `json:"ref"`
	// Label is the new name for Rename, or the name given with a number to
	// follow ("LP… phone case").
	Label string `json:"label,omitempty"`
	// Date is, for Protection, the protection end date (YYYY-MM-DD) when the
	// message gives one; a date without a year is the nearest one that is
	// at most 60 days past.
	Date string `json:"date,omitempty"`
	// Typos are numbers whose check digit fails; NotTracking says, when
	// the text holds no number, what it holds instead (an order number, a
	// phone number; tracker.NotTracking IDs).
	Typos       []string `json:"typos,omitempty"`
	NotTracking string   `json:"not_tracking,omitempty"`
	// Command is the slash command the message started with, if any.
	Command string `json:"command,omitempty"`
	// Why explains the decision: the patterns that matched, with weights.
	Why string `json:"why"`
}

// commands maps slash commands, as Telegram and the console send them, to
// intents.
var commands = map[string]Intent{
	"track": Track, "add": Track, "list": List, "stop": Stop, "remove": Stop, "delete": Stop,
	"name": Rename, "rename": Rename, "label": Rename, "help": Help, "start": Help,
	"lang": Language, "language": Language, "settings": Settings, "protect": Protection,
	"protection": Protection, "forget": Forget,
}

// Understand reads one chat message. now resolves dates without a year.
func Understand(text string, now time.Time) Result {
	if len(text) > maxInput {
		cut := maxInput
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	base := normalizeBase(text)
	lang := detectLang(base, text)
	a := tracker.Analyze(text, tracker.Hint{Lang: lang})
	r := Result{Lang: lang, Numbers: []string{}, NotTracking: a.NotTracking}
	var nums []string
	for _, c := range a.Numbers() {
		r.Numbers = append(r.Numbers, c.Number)
		nums = append(nums, c.Number)
	}
	for _, c := range a.Typos {
		r.Typos = append(r.Typos, c.Number)
		nums = append(nums, c.Number)
	}
	m := read(base, nums)

	if cmd, args, ok := command(base); ok {
		if in, known := commands[cmd]; known {
			r.Command = cmd
			r.Intent = in
			r.Why = "command /" + cmd
			m.commandArgs(&r, args, now)
			return r
		}
	}

	scores := map[Intent]int{}
	why := map[Intent][]string{}
	for _, h := range m.hits {
		scores[h.p.intent] += h.p.weight
		why[h.p.intent] = append(why[h.p.intent], fmt.Sprintf("%s %q +%d", h.p.lang, h.text, h.p.weight))
	}
	if len(r.Numbers) > 0 || len(r.Typos) > 0 || a.NotTracking == tracker.NotTrackingOrderNumber {
		scores[Track]++
		why[Track] = append(why[Track], "a number +1")
	}
	best, bestScore := Unknown, 0
	for _, in := range priority {
		if s := scores[in]; s > bestScore {
			best, bestScore = in, s
		}
	}
	if (best == Greeting || best == Thanks) && scores[Track] > 0 && (len(r.Numbers) > 0 || len(r.Typos) > 0) {
		// "Hi! LP…", "thanks, and this one RB…": the number is the request.
		best = Track
	}
	r.Intent = best
	if best == Unknown {
		r.Why = "no pattern matched"
	} else {
		r.Why = string(best) + ": " + strings.Join(why[best], ", ")
	}
	m.details(&r, now)
	return r
}

// maxInput bounds the text read; chat messages are far shorter.
const maxInput = 4096

// command splits "/name@bot args" into its lower-case name and args.
func command(base string) (string, string, bool) {
	s := strings.TrimSpace(base)
	if !strings.HasPrefix(s, "/") {
		return "", "", false
	}
	name, args, _ := strings.Cut(s[1:], " ")
	name, _, _ = strings.Cut(name, "@")
	return strings.ToLower(name), strings.TrimSpace(args), true
}
