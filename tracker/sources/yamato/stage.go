package yamato

import (
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
)

// words are the scan labels Yamato prints (the history list and the block
// state). Anything else goes through jppage.Common, then defaults to
// in_transit; the raw label stays in Event.Code.
var words = jppage.Words(map[string]tracker.Stage{
	"出荷指示":   tracker.StageInfoReceived,
	"荷物受付":   tracker.StagePickedUp,
	"荷受け":    tracker.StagePickedUp,
	"集荷":     tracker.StagePickedUp,
	"海外荷物受付": tracker.StagePickedUp,
	"海外発送":   tracker.StageDepartedOrigin,
	"国内到着":   tracker.StageArrivedDestination,
	"通関手続中":  tracker.StageImportCustoms,
	"発送":     tracker.StageInTransit,
	"発送済み":   tracker.StageInTransit,
	"輸送中":    tracker.StageInTransit,
	"作業店通過":  tracker.StageInTransit,
	"配達店到着":  tracker.StageInTransit,
	"配送店到着":  tracker.StageInTransit,
	"配達準備中":  tracker.StageInTransit,
	"配達予定":   tracker.StageInTransit,
	"配送予定":   tracker.StageInTransit,
	"投函予定":   tracker.StageInTransit,
	"配達日・時間帯指定（保管中）": tracker.StageInTransit,
	"依頼受付（日・時間帯変更）":  tracker.StageInTransit,
	"引渡":           tracker.StageHandedToLastMile,
	"委託先引渡":        tracker.StageHandedToLastMile,
	"配達中":          tracker.StageOutForDelivery,
	"配送中":          tracker.StageOutForDelivery,
	"配達完了":         tracker.StageDelivered,
	"配達完了（宅配ボックス）": tracker.StageDelivered,
	"配達完了（ご指定場所）":  tracker.StageDelivered,
	"投函完了":         tracker.StageDelivered,
	"配送完了":         tracker.StageDelivered,
	"お客様引渡完了":      tracker.StageDelivered,
	"持戻":           tracker.StageAttemptedDelivery,
	"持戻（ご不在）":      tracker.StageAttemptedDelivery,
	"持戻（休業）":       tracker.StageAttemptedDelivery,
	"持戻（ポスト投函不可）":  tracker.StageAttemptedDelivery,
	"持戻（置き配不能）":    tracker.StageAttemptedDelivery,
	"依頼受付（再配達）":    tracker.StageAttemptedDelivery,
	"持戻（住所不明）":     tracker.StageException,
	"持戻（転居）":       tracker.StageException,
	"持戻（受取ご辞退）":    tracker.StageException,
	"保管中":          tracker.StageAwaitingPickup,
	"ご来店予定（保管中）":   tracker.StageAwaitingPickup,
	"保管中（ご指定店）":    tracker.StageAwaitingPickup,
	"依頼受付（保管）":     tracker.StageAwaitingPickup,
	"調査中":          tracker.StageException,
	"調査中（ご不在）":     tracker.StageException,
	"調査中（転居先不明）":   tracker.StageException,
	"返品":           tracker.StageReturning,
	"返品完了":         tracker.StageReturned,
	"伝票番号誤り":       tracker.StageNotFound,
	"伝票番号未登録":      tracker.StageNotFound,
})

// Stage maps a Yamato scan label to a stage. Unknown labels are in_transit.
func Stage(status string) tracker.Stage {
	return jppage.Lookup(status, words, nil)
}
