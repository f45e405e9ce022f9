package sagawa

import (
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
)

// words are the 荷物状況 entries Sagawa prints (without the arrows it puts
// before them). Anything else goes through jppage.Common, then defaults to
// in_transit; the raw word stays in Event.Code.
var words = jppage.Words(map[string]tracker.Stage{
	"集荷":           tracker.StagePickedUp,
	"集荷完了":         tracker.StagePickedUp,
	"荷物受付":         tracker.StagePickedUp,
	"輸送中":          tracker.StageInTransit,
	"中継センター到着":     tracker.StageInTransit,
	"配達店到着":        tracker.StageInTransit,
	"配達営業所到着":      tracker.StageInTransit,
	"配達予定":         tracker.StageInTransit,
	"配達日時指定":       tracker.StageInTransit,
	"配達中":          tracker.StageOutForDelivery,
	"配達完了":         tracker.StageDelivered,
	"配達終了":         tracker.StageDelivered,
	"配達完了（宅配ボックス）": tracker.StageDelivered,
	"お届け済み":        tracker.StageDelivered,
	"持戻":           tracker.StageAttemptedDelivery,
	"持戻り":          tracker.StageAttemptedDelivery,
	"持戻（ご不在）":      tracker.StageAttemptedDelivery,
	"ご不在":          tracker.StageAttemptedDelivery,
	"再配達受付":        tracker.StageAttemptedDelivery,
	"保管中":          tracker.StageAwaitingPickup,
	"営業所保管中":       tracker.StageAwaitingPickup,
	"営業所受取":        tracker.StageAwaitingPickup,
	"調査中":          tracker.StageException,
	"返品":           tracker.StageReturning,
	"返送":           tracker.StageReturning,
	"返品完了":         tracker.StageReturned,
	"該当なし":         tracker.StageNotFound,
	"伝票番号未登録":      tracker.StageNotFound,
})

// Stage maps a Sagawa status word to a stage. Unknown words are in_transit.
func Stage(status string) tracker.Stage {
	return jppage.Lookup(status, words, nil)
}
