package jppage

import (
	"testing"

	"github.com/todoku/todoku/tracker"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"↓集荷":       "集荷",
		"⇒配達完了":     "配達完了",
		" 持戻（ご不在） ": "持戻(ご不在)",
		"配達　中":      "配達 中",
		"ＡＢＣ":       "ABC",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLookup(t *testing.T) {
	words := Words(map[string]tracker.Stage{"持戻（ご不在）": tracker.StageAttemptedDelivery, "特別": tracker.StageException})
	rules := []Rule{{"特殊", tracker.StageLost}}
	tests := []struct {
		in   string
		want tracker.Stage
	}{
		{"持戻(ご不在)", tracker.StageAttemptedDelivery}, // exact, after NFKC
		{"特別", tracker.StageException},
		{"特殊な状況", tracker.StageLost},                     // carrier rule
		{"ご不在連絡票をお届け済み", tracker.StageAttemptedDelivery}, // common: failed attempt outranks delivered
		{"差出人に返送済み", tracker.StageReturned},
		{"差出人に返送", tracker.StageReturning},
		{"国際交換局に到着", tracker.StageArrivedDestination},
		{"まったく新しい言葉", tracker.StageInTransit},
		{"", tracker.StageInTransit},
	}
	for _, tt := range tests {
		if got := Lookup(tt.in, words, rules); got != tt.want {
			t.Errorf("Lookup(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
