package i18n

var ja = map[string]text{
	"stage.not_found.name":           s("追跡情報待ち"),
	"stage.not_found.help":           s("まだ配送業者の読み取りがありません。発送後2〜4日はよくあることです。それ以上続くときは出品者に問い合わせましょう。"),
	"stage.info_received.name":       s("発送準備中"),
	"stage.info_received.help":       s("出品者が送り状を作成しましたが、荷物はまだ配送業者に渡っていません。今は待つだけで大丈夫です。"),
	"stage.picked_up.name":           s("集荷済み"),
	"stage.picked_up.help":           s("配送業者が出品者から荷物を受け取り、仕分けセンターへ運んでいます。"),
	"stage.at_sorting_center.name":   s("仕分け中"),
	"stage.at_sorting_center.help":   s("輸出に向けて仕分け中です。ふつうは1〜3日ほどかかります。特に何もしなくて大丈夫です。"),
	"stage.export_customs.name":      s("輸出通関中"),
	"stage.export_customs.help":      s("発送国で輸出の通関手続き中です。たいてい1〜2日で終わるので、このままお待ちください。"),
	"stage.departed_origin.name":     s("発送国を出発"),
	"stage.departed_origin.help":     s("荷物が飛行機か船で発送国を出発しました。次はお届け先の国への到着と輸入通関です。"),
	"stage.in_transit.name":          s("輸送中"),
	"stage.in_transit.help":          s("中継拠点の間を移動中です。この区間は数日更新が止まることがあり、11.11やブラックフライデー、春節の時期は特に遅れがちです。"),
	"stage.arrived_destination.name": s("お届け先の国に到着"),
	"stage.arrived_destination.help": s("荷物がお届け先の国に到着し、輸入通関を待っています。"),
	"stage.import_customs.name":      s("輸入通関中"),
	"stage.import_customs.help":      s("税関で手続き中です。多くは1〜3日で終わります。関税がかかる場合は連絡が来ることがあります。"),
	"stage.handed_to_last_mile.name": s("国内配送業者に引き渡し済み"),
	"stage.handed_to_last_mile.help": s("国内の配送業者に引き渡されました。新しい追跡番号になっていることがあるので、わかればその番号も送ってください。業者のサイトに出るまで1〜3日かかることがあります。"),
	"stage.out_for_delivery.name":    s("配達中"),
	"stage.out_for_delivery.help":    s("今日お届け予定です。受け取れるようにしておきましょう。"),
	"stage.attempted_delivery.name":  s("不在のため持ち戻り"),
	"stage.attempted_delivery.help":  s("ご不在のため持ち戻りになりました。配送業者のサイトで再配達を依頼してください。保管期間は約7日間です。"),
	"stage.awaiting_pickup.name":     s("受け取り待ち"),
	"stage.awaiting_pickup.help":     s("お知らせに書かれた郵便局・宅配ロッカー・コンビニで、保管期間（多くは約7日）が過ぎる前に受け取ってください。"),
	"stage.delivered.name":           s("配達完了"),
	"stage.delivered.help":           s("お届けが完了しました。見当たらないときはご家族や宅配ボックスを確認し、それでもなければ配送業者に問い合わせてください。"),
	"stage.returning.name":           s("返送中"),
	"stage.returning.help":           s("荷物が出品者のもとへ戻っています。再発送か返金について、早めに出品者に連絡しましょう。"),
	"stage.returned.name":            s("返送済み"),
	"stage.returned.help":            s("荷物は出品者に戻りました。出品者に再発送か返金を頼むか、AliExpressで紛争を申し立ててください。"),
	"stage.exception.name":           s("配送トラブル"),
	"stage.exception.help":           s("住所・通関・破損などのトラブルが報告されています。配送業者のサイトを確認し、しばらく動かなければ出品者に連絡してください。"),
	"stage.lost.name":                s("紛失"),
	"stage.lost.help":                s("配送業者は荷物を紛失扱いにしています。購入者保護の期限が切れる前に、追跡画面のスクリーンショットを添えてAliExpressで紛争を申し立ててください。"),
	"stage.expired.name":             s("長期間動きなし"),
	"stage.expired.help":             s("長い間、追跡情報に動きがありません。購入者保護の期限が切れる前に、AliExpressでの紛争申し立てを検討してください。"),

	"track.subscribed":   s("%[1]s（%[2]s）の追跡を始めました。"),
	"track.already":      s("%[1]s はすでに追跡中です。"),
	"track.fetch_failed": s("いま配送業者につながりませんでした。このまま確認を続けて、動きがあればお知らせします。"),
	"track.no_source":    s("この配送業者の追跡情報はまだ取得できませんが、番号は保存しました。取得できるようになりしだい追跡します。"),
	"track.typo":         s("%[1]s は %[2]s の番号のようですが、チェックディジットが合いません。入力ミスはありませんか？"),
	"track.too_many": plurals(1,
		"other", "最初の%[1]d件を受け付けました。残りは別のメッセージで送ってください。"),

	"list.empty": s("追跡中の荷物はまだありません。追跡番号を貼り付けると始められます。"),
	"list.header": plurals(1,
		"other", "追跡中の荷物（%[1]d件）："),
	"list.item": s("%[1]d. %[2]s — %[3]s"),

	"stop.done":      s("%[1]s の追跡をやめました。"),
	"stop.usage":     s("どれをやめるか教えてください。/stop 2（/list での順番）か、/stop に続けて追跡番号を送ってください。"),
	"stop.not_found": s("%[1]s はリストにありません。/list で確認できます。"),

	"help.text": s("追跡番号を貼り付けると（いくつでもまとめてOK）、追跡して動きがあればお知らせします。\n" +
		"/list — 追跡中の荷物\n" +
		"/stop N — /list のN番目の追跡をやめる\n" +
		"/show N — N番目の荷物の履歴をすべて表示\n" +
		"/name N スマホケース — N番目の荷物に名前をつける\n" +
		"/mute N、/unmute N — 通知を止める・再開する\n" +
		"/why N — 今どこか、いつ届きそうか、どうすればいいか\n" +
		"/protect N 2026-12-20 — 購入者保護の期限を登録（期限前にお知らせします）\n" +
		"「今どこ？」「なんで届かないの？」と普通に聞いてもOKです。\n" +
		"/lang ja|en|th — 言語を変える\n" +
		"/tz Asia/Tokyo — 時刻を表示するタイムゾーン\n" +
		"/forget — このチャットの記録をすべて削除\n" +
		"まず試してみたいときは、お試し用の番号 SBXJP0001 を送ってください（配送をシミュレーションした荷物です）。"),
	"welcome":             s("こんにちは、届く（Todoku）です！AliExpressの荷物を見守って、動きがあればお知らせします。\n追跡番号を貼り付けるだけで始められます。"),
	"lang.set":            s("これからは日本語でお話しします。"),
	"lang.usage":          s("言語を選んでください：/lang ja、/lang en、/lang th"),
	"unknown.text":        s("メッセージの中に追跡番号が見つかりませんでした。"),
	"detect.order_number": s("これはAliExpressの注文番号のようです（追跡番号ではありません）。追跡番号は「注文」→ 該当の注文 →「追跡」で確認できます。"),
	"detect.url":          s("このリンクには追跡番号が見つかりませんでした。追跡番号そのものを貼り付けてください。"),
	"detect.phone":        s("電話番号のようです。追跡番号を送ってください。"),
	"detect.postal_code":  s("郵便番号のようです。追跡番号を送ってください。"),
	"detect.date":         s("日付のようです。追跡番号を送ってください。"),
	"detect.price":        s("金額のようです。追跡番号を送ってください。"),

	"push.stage":        s("📦 %[1]s は「%[2]s」になりました"),
	"push.handover":     s("📦 %[1]s は%[2]sに引き継がれました（国内の番号: %[3]s）。引き続きこちらで追跡します。"),
	"track.source_down": s("%[1]sの追跡サービスが%[2]sから応答していません。確認を続け、動きがあればお知らせします。"),
	"card.no_events":    s("まだ読み取り記録はありません。"),
	"card.sandbox":      s("シミュレーション：この荷物は実在しません。ボットを試せるように配送の流れを再現しています。"),
	"card.linked":       s("国内の追跡番号：%[1]s"),

	"error.internal": s("こちらで問題が起きました。1分ほどしてからもう一度お試しください。"),

	"button.list": s("荷物一覧"),
	"button.help": s("ヘルプ"),
	"button.stop": s("追跡をやめる"),

	"carrier.sandbox":       s("届く（お試し用）"),
	"carrier.cainiao":       s("菜鳥（Cainiao）"),
	"carrier.china-post":    s("中国郵政"),
	"carrier.japan-post":    s("日本郵便"),
	"carrier.yamato":        s("ヤマト運輸"),
	"carrier.sagawa":        s("佐川急便"),
	"carrier.thailand-post": s("タイ郵便"),
	"carrier.postal":        s("郵便"),
	"carrier.unknown":       s("不明な配送業者"),
	"carrier.yanwen":        s("燕文（Yanwen）"),
	"carrier.yunexpress":    s("YunExpress（雲途）"),
	"carrier.4px":           s("4PX（递四方）"),
	"carrier.jt-express":    s("J&Tエクスプレス（中国）"),
	"carrier.sf-express":    s("SFエクスプレス（順豊）"),
	"carrier.ups":           s("UPS"),
	"carrier.usps":          s("USPS（米国郵便）"),
	"carrier.fedex":         s("FedEx"),
	"carrier.dhl-express":   s("DHLエクスプレス"),
	"carrier.kerry-express": s("Kerry Express（ケリー）"),
	"carrier.flash-express": s("Flash Express"),
	"carrier.jt-express-th": s("J&Tエクスプレス（タイ）"),
	"carrier.best-express":  s("Best Express（百世）"),

	// The playground page's own words.
	"web.intro":       s("AliExpressの荷物を、発送からお届けまで追跡します。追跡番号を貼り付けるか、デモの荷物をお試しください。"),
	"web.placeholder": s("追跡番号を貼り付けてください — 例: SBXJP0001"),
	"web.send":        s("送信"),
	"web.reset":       s("新しいチャット"),
	"web.push":        s("通知"),
	"web.offline":     s("再接続中…"),
	"web.failed":      s("エラーが発生しました。もう一度お試しください。"),
	"web.unreachable": s("サーバーに接続できませんでした。もう一度お試しください。"),
	"web.too_long":    s("メッセージが長すぎます。"),
	"web.progress":    s("%[2]s段階中%[1]s段階目"),
	"web.language":    s("言語"),
	"web.message":     s("メッセージ"),
	"button.stop_n":   s("%[1]d番の追跡をやめる"),
}
