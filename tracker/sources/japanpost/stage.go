package japanpost

import (
	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/jppage"
)

// words are the 配送履歴 entries Japan Post prints, as seen from Japan (the
// parcel's destination). Anything else goes through jppage.Common, then
// defaults to in_transit; the raw word stays in Event.Code.
var words = jppage.Words(map[string]tracker.Stage{
	"引受":           tracker.StagePickedUp,
	"引受（窓口）":       tracker.StagePickedUp,
	"集荷":           tracker.StagePickedUp,
	"国際交換局に到着":     tracker.StageArrivedDestination,
	"国際交換局から発送":    tracker.StageHandedToLastMile,
	"国際交換局で保管":     tracker.StageImportCustoms,
	"通関手続中":        tracker.StageImportCustoms,
	"税関検査のため税関へ提示": tracker.StageImportCustoms,
	"税関検査中":        tracker.StageImportCustoms,
	"税関から受領":       tracker.StageImportCustoms,
	"通関手続が完了":      tracker.StageImportCustoms,
	"到着":           tracker.StageInTransit,
	"通過":           tracker.StageInTransit,
	"中継":           tracker.StageInTransit,
	"発送":           tracker.StageInTransit,
	"転送":           tracker.StageInTransit,
	"配達準備中":        tracker.StageInTransit,
	"持ち出し中":        tracker.StageOutForDelivery,
	"配達中":          tracker.StageOutForDelivery,
	"お届け先にお届け済み":   tracker.StageDelivered,
	"お届け済み":        tracker.StageDelivered,
	"配達完了":         tracker.StageDelivered,
	"窓口でお渡し":       tracker.StageDelivered,
	"郵便受箱に配達":      tracker.StageDelivered,
	"宅配ボックスに配達":    tracker.StageDelivered,
	"指定場所に配達":      tracker.StageDelivered,
	"ご不在のため持ち戻り":   tracker.StageAttemptedDelivery,
	"持戻":           tracker.StageAttemptedDelivery,
	"配達希望受付":       tracker.StageAttemptedDelivery,
	"保管":           tracker.StageAwaitingPickup,
	"保管中":          tracker.StageAwaitingPickup,
	"郵便局でお預かり":     tracker.StageAwaitingPickup,
	"お預かり":         tracker.StageAwaitingPickup,
	"コンビニエンスストアに到着": tracker.StageAwaitingPickup,
	"はこぽすに到着":       tracker.StageAwaitingPickup,
	"郵便局に到着":        tracker.StageInTransit,
	"差出人に返送":        tracker.StageReturning,
	"返送":            tracker.StageReturning,
	"差出人に返送済み":      tracker.StageReturned,
	"返送済み":          tracker.StageReturned,
	"調査中":           tracker.StageException,
	"あて所に尋ねあたりません":  tracker.StageException,
	"お問い合わせ番号が見つかりません": tracker.StageNotFound,
})

// Stage maps a Japan Post status word (配送履歴) to a stage, read as a scan
// in Japan. Unknown words are in_transit.
func Stage(status string) tracker.Stage {
	return jppage.Lookup(status, words, nil)
}

// abroadWords are the words whose meaning flips when the scan happens in
// the origin country: there the exchange office is on the way out.
var abroadWords = jppage.Words(map[string]tracker.Stage{
	"引受":        tracker.StagePickedUp,
	"国際交換局に到着":  tracker.StageAtSortingCenter,
	"国際交換局から発送": tracker.StageDepartedOrigin,
	"通関手続中":     tracker.StageExportCustoms,
	"到着":        tracker.StageAtSortingCenter,
	"発送":        tracker.StageDepartedOrigin,
})

// stageAt maps a status word for a scan at home or abroad.
func stageAt(status string, abroad bool) tracker.Stage {
	if abroad {
		if st, ok := abroadWords[jppage.Normalize(status)]; ok {
			return st
		}
	}
	return Stage(status)
}
