package jppage

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/todoku/todoku/tracker"
)

// Normalize prepares a status word for lookup: NFKC (full-width brackets
// and letters become ASCII), the arrows Sagawa prints before each step
// removed, white space collapsed.
func Normalize(status string) string {
	s := norm.NFKC.String(status)
	s = strings.TrimLeft(s, "↓↑⇒→⇩▼▽・ \t\u3000")
	return Clean(s)
}

// Words returns table with its keys normalized, for Lookup.
func Words(table map[string]tracker.Stage) map[string]tracker.Stage {
	out := make(map[string]tracker.Stage, len(table))
	for k, v := range table {
		out[Normalize(k)] = v
	}
	return out
}

// Rule maps every status containing Word to Stage.
type Rule struct {
	Word  string
	Stage tracker.Stage
}

// Lookup maps a carrier's status word to a stage: an exact entry of words
// (built with Words) first, then the first of rules whose word the status
// contains, then Common, and StageInTransit when nothing matches.
func Lookup(status string, words map[string]tracker.Stage, rules []Rule) tracker.Stage {
	s := Normalize(status)
	if st, ok := words[s]; ok {
		return st
	}
	if st, ok := Contains(s, rules); ok {
		return st
	}
	if st, ok := Contains(s, Common); ok {
		return st
	}
	return tracker.StageInTransit
}

// Contains returns the stage of the first rule whose word occurs in the
// normalized status.
func Contains(status string, rules []Rule) (tracker.Stage, bool) {
	for _, r := range rules {
		if strings.Contains(status, Normalize(r.Word)) {
			return r.Stage, true
		}
	}
	return tracker.StageUnknown, false
}

// Common are the status fragments all three carriers use, most specific
// first: a return or a failed attempt outranks the delivery words that may
// share its sentence, and a delivery outranks the arrival words.
var Common = []Rule{
	{"返送済", tracker.StageReturned},
	{"返還済", tracker.StageReturned},
	{"返品完了", tracker.StageReturned},
	{"差出人に返送", tracker.StageReturning},
	{"返送", tracker.StageReturning},
	{"返品", tracker.StageReturning},
	{"返還", tracker.StageReturning},
	{"紛失", tracker.StageLost},
	{"亡失", tracker.StageLost},
	{"調査中", tracker.StageException},
	{"住所不明", tracker.StageException},
	{"転居先不明", tracker.StageException},
	{"あて所に尋ねあたりません", tracker.StageException},
	{"あて所に尋ねあたらず", tracker.StageException},
	{"受取拒否", tracker.StageException},
	{"受取辞退", tracker.StageException},
	{"受取ご辞退", tracker.StageException},
	{"事故", tracker.StageException},
	{"持戻", tracker.StageAttemptedDelivery},
	{"持ち戻", tracker.StageAttemptedDelivery},
	{"不在", tracker.StageAttemptedDelivery},
	{"配達完了", tracker.StageDelivered},
	{"配達済", tracker.StageDelivered},
	{"配達終了", tracker.StageDelivered},
	{"お届け済", tracker.StageDelivered},
	{"お届け完了", tracker.StageDelivered},
	{"お渡し", tracker.StageDelivered},
	{"引渡完了", tracker.StageDelivered},
	{"投函完了", tracker.StageDelivered},
	{"受取完了", tracker.StageDelivered},
	{"持出", tracker.StageOutForDelivery},
	{"持ち出し", tracker.StageOutForDelivery},
	{"配達中", tracker.StageOutForDelivery},
	{"配送中", tracker.StageOutForDelivery},
	{"配達に出発", tracker.StageOutForDelivery},
	{"保管", tracker.StageAwaitingPickup},
	{"お預かり", tracker.StageAwaitingPickup},
	{"留置", tracker.StageAwaitingPickup},
	{"税関", tracker.StageImportCustoms},
	{"通関", tracker.StageImportCustoms},
	{"国際交換局に到着", tracker.StageArrivedDestination},
	{"国際交換局", tracker.StageInTransit},
	{"引受", tracker.StagePickedUp},
	{"荷物受付", tracker.StagePickedUp},
	{"集荷", tracker.StagePickedUp},
	{"受付", tracker.StagePickedUp},
	{"到着", tracker.StageInTransit},
	{"通過", tracker.StageInTransit},
	{"中継", tracker.StageInTransit},
	{"発送", tracker.StageInTransit},
	{"輸送", tracker.StageInTransit},
}
