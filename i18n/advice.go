package i18n

// Messages of the advice on one parcel (tracker.Advice), buyer protection
// and durations.
//
// Verdicts and reasons take no arguments, so that a list of them renders
// in one loop: the values they speak of come with the step and with the
// lines below.
//
//	advice.verdict.<verdict ID>   headline: "On track"
//	advice.reason.<reason ID>     one sentence, tracker.Reasons()
//	advice.step.<step ID>         the next step, arguments below
//	advice.step.<step ID>.<case>  the same step when a value is missing
//
// Arguments (a date is Printer.Date, a duration Printer.Duration, a carrier
// its carrier.* name, a parcel its label or tracking number):
//
//	advice.step.wait_until                              1 date (Advice.WaitUntil)
//	advice.step.check_domestic_number                   1 number (Advice.DomesticNumber), 2 carrier (Advice.DomesticCarrier)
//	advice.step.check_domestic_number.carrier_unknown   1 number
//	advice.step.check_domestic_number.number_unknown    none; Advice.SellerMessage follows
//	advice.step.contact_seller                          none; Advice.SellerMessage follows
//	advice.step.open_dispute                            1 date (Advice.DisputeBy)
//	advice.step.open_dispute.no_deadline                none (DisputeBy is zero)
//	advice.step.request_redelivery                      1 carrier, 2 date (Advice.HoldUntil), 3 Advice.RedeliveryURL
//	advice.step.request_redelivery.no_url               1 carrier, 2 date (Advice.HoldUntil)
//	advice.step.pick_up                                 1 date (Advice.HoldUntil)
//	advice.step.none                                    none
//	advice.in_stage                                     1 duration (Advice.InStage), 2 and 3 durations (Advice.Typical P50, P90)
//	advice.in_stage_only                                1 duration (Advice.InStage), when Typical is zero
//	advice.eta                                          1 date (ETA.From), 2 date (ETA.To)
//	advice.eta_by                                       1 date (ETA.To), when both ends fall on one day
//	advice.dispute_by                                   1 date (Advice.DisputeBy)
//	advice.protection_set                               1 date (the reminder), 2 parcel
//	advice.protection_usage                             none
//	advice.protection_reminder                          1 parcel, 2 date (the protection end)
//	advice.lost_number                                  none; the seller_intro line and tracker.SellerAskNumber follow
//	advice.seller_intro                                 none; a tracker.Seller* sentence follows
//	duration.days, duration.hours                       1 count (int, plural)
//	duration.less_than_hour                             none
func init() {
	area(map[string]map[string]text{
		English: {
			"advice.verdict.on_track":        s("On track"),
			"advice.verdict.late":            s("Running late"),
			"advice.verdict.stalled":         s("No movement for a while"),
			"advice.verdict.not_yet_scanned": s("Not scanned yet"),
			"advice.verdict.handed_over":     s("Handed to the local carrier"),
			"advice.verdict.likely_lost":     s("Probably lost"),
			"advice.verdict.delivered":       s("Delivered"),
			"advice.verdict.needs_action":    s("Needs your action"),
			"advice.verdict.returning":       s("On its way back to the seller"),

			"advice.reason.within_typical":                 s("It is moving within the usual time for this route."),
			"advice.reason.stage_over_typical":             s("It has been at this stage longer than usual."),
			"advice.reason.total_over_typical":             s("The whole journey is taking longer than usual for this route."),
			"advice.reason.source_eta_passed":              s("The carrier's own delivery estimate has passed."),
			"advice.reason.waiting_for_carrier":            s("The carrier has not collected it from the seller or their warehouse yet."),
			"advice.reason.hub_congestion":                 s("It is probably waiting its turn at a busy sorting hub."),
			"advice.reason.customs":                        s("It is probably held up at customs, which can take several days."),
			"advice.reason.flight_wait":                    s("It is probably waiting for a flight or in the air; scans often pause here."),
			"advice.reason.waiting_for_handover":           s("It has arrived and is waiting to be handed to the local carrier."),
			"advice.reason.last_mile_delay":                s("The local carrier is taking longer than usual."),
			"advice.reason.not_scanned_yet":                s("The carrier has not scanned it yet; that is normal for 2-4 days after shipping."),
			"advice.reason.not_scanned_too_long":           s("It is still not scanned after the usual 2-4 days, so it is time to ask the seller."),
			"advice.reason.handed_over":                    s("It has been handed to the local carrier, usually under a new number, so the international tracking has stopped."),
			"advice.reason.domestic_number_not_active_yet": s("A new domestic number often shows nothing for 1-3 days after the handover; that is normal."),
			"advice.reason.follow_domestic_number":         s("The domestic number should work by now: follow it on the local carrier's site."),
			"advice.reason.domestic_number_unknown":        s("I do not know its new domestic number. It is on the AliExpress order page, or the seller can tell you."),
			"advice.reason.no_movement_for_weeks":          s("There has been no movement for weeks: it may be lost or stuck."),
			"advice.reason.carrier_reported_lost":          s("The carrier reports the parcel as lost."),
			"advice.reason.tracking_expired":               s("The carrier's tracking has expired without a delivery."),
			"advice.reason.nobody_home":                    s("The carrier tried to deliver it, but nobody was home."),
			"advice.reason.at_pickup_point":                s("It is waiting for you at a post office, locker or convenience store."),
			"advice.reason.holding_period":                 s("It is kept only for a limited time, then goes back to the seller."),
			"advice.reason.holding_period_ending":          s("Fewer than 2 days of the holding period are left."),
			"advice.reason.holding_period_over":            s("The holding period has passed, so it may already be on its way back to the seller."),
			"advice.reason.carrier_exception":              s("The carrier reports a problem, such as the address, a customs hold or damage."),
			"advice.reason.returning_to_sender":            s("It is on its way back to the seller."),
			"advice.reason.returned_to_sender":             s("It has gone back to the seller."),
			"advice.reason.delivered":                      s("The carrier reports it as delivered."),
			"advice.reason.protection_ending":              s("Buyer protection for this order ends soon."),
			"advice.reason.protection_ended":               s("Buyer protection for this order has ended."),
			"advice.reason.protection_end_unknown":         s("I do not know when buyer protection ends. The date is on the AliExpress order page; tell me with /protect and I will remind you."),
			"advice.reason.tracking_source_failing":        s("The carrier's tracking has not answered for over a day, so the latest news may be missing."),
			"advice.reason.number_on_order_page":           s("The tracking number is on the AliExpress order page: My Orders → the order → Track order."),
			"advice.reason.peak_season_11_11":              s("Around 11.11 (Singles' Day), the busiest shopping days of the year, parcels take longer everywhere."),
			"advice.reason.peak_season_black_friday":       s("Around Black Friday, hubs and flights are crowded and parcels take longer."),
			"advice.reason.peak_season_lunar_new_year":     s("Around Lunar New Year, many carriers and factories in China close for a while, so parcels take longer."),

			"advice.step.wait_until":                            s("Give it until %[1]s."),
			"advice.step.check_domestic_number":                 s("Follow the domestic number %[1]s with %[2]s."),
			"advice.step.check_domestic_number.carrier_unknown": s("Follow the domestic number %[1]s on the local carrier's site."),
			"advice.step.check_domestic_number.number_unknown":  s("Ask the seller for the new domestic number; you can send them this:"),
			"advice.step.contact_seller":                        s("Ask the seller; you can send them this:"),
			"advice.step.open_dispute":                          s("Open a dispute on AliExpress before %[1]s, with screenshots of this tracking."),
			"advice.step.open_dispute.no_deadline":              s("Open a dispute on AliExpress, with screenshots of this tracking."),
			"advice.step.request_redelivery":                    s("Request redelivery on %[1]s's page before %[2]s: %[3]s"),
			"advice.step.request_redelivery.no_url":             s("Ask %[1]s for redelivery before %[2]s, using the contact on the notice they left."),
			"advice.step.pick_up":                               s("Pick it up before %[1]s."),
			"advice.step.none":                                  s("Nothing to do for now."),

			"advice.in_stage":      s("It has been at this stage for %[1]s; usually %[2]s to %[3]s."),
			"advice.in_stage_only": s("It has been at this stage for %[1]s."),
			"advice.eta":           s("Expected between %[1]s and %[2]s."),
			"advice.eta_by":        s("Expected by %[1]s."),
			"advice.dispute_by":    s("Buyer protection: open a dispute before %[1]s if it has not arrived."),

			"advice.protection_set":      s("I will remind you on %[1]s if %[2]s has not arrived by then."),
			"advice.protection_usage":    s("Tell me when buyer protection ends, e.g. /protect 2 2026-12-20 for parcel 2 of /list. The date is on the AliExpress order page."),
			"advice.protection_reminder": s("⏰ Buyer protection for %[1]s ends on %[2]s and it has not arrived. Open a dispute on AliExpress now, with screenshots of the tracking."),

			"advice.lost_number":  s("Your tracking number is on the AliExpress order page: My Orders → the order → Track order. If it is not there, ask the seller with the message below."),
			"advice.seller_intro": s("Message for the seller (in English):"),

			"duration.days":           plurals(1, "one", "%[1]d day", "other", "%[1]d days"),
			"duration.hours":          plurals(1, "one", "%[1]d hour", "other", "%[1]d hours"),
			"duration.less_than_hour": s("less than an hour"),
		},
		Japanese: {
			"advice.verdict.on_track":        s("順調に配送中"),
			"advice.verdict.late":            s("遅れています"),
			"advice.verdict.stalled":         s("しばらく動きがありません"),
			"advice.verdict.not_yet_scanned": s("まだ追跡情報がありません"),
			"advice.verdict.handed_over":     s("国内の配送業者に引き渡し済み"),
			"advice.verdict.likely_lost":     s("紛失のおそれがあります"),
			"advice.verdict.delivered":       s("配達完了"),
			"advice.verdict.needs_action":    s("対応が必要です"),
			"advice.verdict.returning":       s("出品者へ返送中"),

			"advice.reason.within_typical":                 s("今のところ、このルートのいつもの日数どおりに進んでいます。"),
			"advice.reason.stage_over_typical":             s("この段階に、いつもより長くとどまっています。"),
			"advice.reason.total_over_typical":             s("このルートにしては、全体でいつもより日数がかかっています。"),
			"advice.reason.source_eta_passed":              s("配送業者が出していたお届け予定日を過ぎています。"),
			"advice.reason.waiting_for_carrier":            s("配送業者がまだ出品者（または倉庫）から荷物を受け取っていないようです。"),
			"advice.reason.hub_congestion":                 s("仕分け拠点が混み合っていて、順番待ちになっているようです。"),
			"advice.reason.customs":                        s("通関に時間がかかっているようです。数日かかることもあります。"),
			"advice.reason.flight_wait":                    s("飛行機の便待ちか、空輸中のようです。この区間は更新が止まりがちです。"),
			"advice.reason.waiting_for_handover":           s("お届け先の国に到着し、国内の配送業者への引き渡しを待っています。"),
			"advice.reason.last_mile_delay":                s("国内の配送業者のところで、いつもより時間がかかっています。"),
			"advice.reason.not_scanned_yet":                s("まだ配送業者の読み取りがありません。発送後2〜4日はよくあることです。"),
			"advice.reason.not_scanned_too_long":           s("発送から2〜4日たっても読み取りがないので、そろそろ出品者に確認しましょう。"),
			"advice.reason.handed_over":                    s("国内の配送業者に引き渡されました。たいてい新しい追跡番号に切り替わるため、国際輸送の追跡はここで止まります。"),
			"advice.reason.domestic_number_not_active_yet": s("引き渡しから1〜3日は、国内の追跡番号で調べても何も出ないことがよくあります。心配いりません。"),
			"advice.reason.follow_domestic_number":         s("そろそろ国内の追跡番号で状況を確認できるはずです。配送業者のサイトで調べてみてください。"),
			"advice.reason.domestic_number_unknown":        s("新しい国内の追跡番号がこちらではわかりません。AliExpressの注文ページに載っているほか、出品者に聞いても教えてもらえます。"),
			"advice.reason.no_movement_for_weeks":          s("何週間も動きがありません。紛失したか、どこかで止まっているおそれがあります。"),
			"advice.reason.carrier_reported_lost":          s("配送業者が荷物を紛失扱いにしています。"),
			"advice.reason.tracking_expired":               s("配達されないまま、配送業者の追跡情報の保存期間が終わりました。"),
			"advice.reason.nobody_home":                    s("配達に来ましたが、ご不在でした。"),
			"advice.reason.at_pickup_point":                s("郵便局・宅配ロッカー・コンビニで受け取りを待っています。"),
			"advice.reason.holding_period":                 s("保管期間を過ぎると、荷物は出品者へ返送されてしまいます。"),
			"advice.reason.holding_period_ending":          s("保管期間の残りが2日を切りました。"),
			"advice.reason.holding_period_over":            s("保管期間が過ぎたため、すでに出品者への返送が始まっているかもしれません。"),
			"advice.reason.carrier_exception":              s("住所の不備や税関での保留、破損など、配送業者からトラブルが報告されています。"),
			"advice.reason.returning_to_sender":            s("荷物は出品者のもとへ戻る途中です。"),
			"advice.reason.returned_to_sender":             s("荷物は出品者のもとへ戻りました。"),
			"advice.reason.delivered":                      s("配送業者の記録では配達済みです。"),
			"advice.reason.protection_ending":              s("この注文の購入者保護がまもなく終わります。"),
			"advice.reason.protection_ended":               s("この注文の購入者保護の期間は終わりました。"),
			"advice.reason.protection_end_unknown":         s("購入者保護の期限がわかりません。AliExpressの注文ページで確認して /protect で教えてもらえれば、期限前にお知らせします。"),
			"advice.reason.tracking_source_failing":        s("配送業者の追跡サービスから1日以上応答がないため、最新の情報が届いていないかもしれません。"),
			"advice.reason.number_on_order_page":           s("追跡番号はAliExpressの注文ページ（「注文」→ 該当の注文 →「追跡」）で確認できます。"),
			"advice.reason.peak_season_11_11":              s("11.11（独身の日）のセールの時期は一年でいちばん荷物が多く、どこも遅れがちです。"),
			"advice.reason.peak_season_black_friday":       s("ブラックフライデーの時期は仕分け拠点も航空便も混み合うため、いつもより時間がかかります。"),
			"advice.reason.peak_season_lunar_new_year":     s("春節の時期は中国の配送業者や工場の多くがしばらく休みになるため、いつもより時間がかかります。"),

			"advice.step.wait_until":                            s("%[1]sまで様子を見ましょう。"),
			"advice.step.check_domestic_number":                 s("%[2]sのサイトで、国内の追跡番号 %[1]s を確認してください。"),
			"advice.step.check_domestic_number.carrier_unknown": s("国内の配送業者のサイトで、追跡番号 %[1]s を確認してください。"),
			"advice.step.check_domestic_number.number_unknown":  s("出品者に新しい国内の追跡番号を聞いてみましょう。次の文をそのまま送れます："),
			"advice.step.contact_seller":                        s("出品者に問い合わせましょう。次の文をそのまま送れます："),
			"advice.step.open_dispute":                          s("%[1]sより前に、この追跡画面のスクリーンショットを添えてAliExpressで紛争を申し立ててください。"),
			"advice.step.open_dispute.no_deadline":              s("この追跡画面のスクリーンショットを添えて、AliExpressで紛争を申し立ててください。"),
			"advice.step.request_redelivery":                    s("%[2]sまでに%[1]sへ再配達を依頼してください。再配達の依頼はこちらから：%[3]s"),
			"advice.step.request_redelivery.no_url":             s("%[2]sまでに、不在票の連絡先から%[1]sへ再配達を依頼してください。"),
			"advice.step.pick_up":                               s("%[1]sまでに受け取ってください。"),
			"advice.step.none":                                  s("今のところ、することはありません。"),

			"advice.in_stage":      s("この段階に入って%[1]sです。通常この段階は%[2]s〜%[3]sです。"),
			"advice.in_stage_only": s("この段階に入って%[1]sです。"),
			"advice.eta":           s("お届けは%[1]s〜%[2]sの見込みです。"),
			"advice.eta_by":        s("%[1]sまでに届く見込みです。"),
			"advice.dispute_by":    s("購入者保護：届かない場合は、%[1]sより前にAliExpressで紛争を申し立ててください。"),

			"advice.protection_set":      s("%[1]sになっても%[2]sが届いていなければ、その日にお知らせします。"),
			"advice.protection_usage":    s("購入者保護の期限を教えてください。例：/protect 2 2026-12-20（/list の2番目の荷物）。期限はAliExpressの注文ページで確認できます。"),
			"advice.protection_reminder": s("⏰ %[1]sの購入者保護は%[2]sで終わりますが、まだ届いていません。今のうちに、追跡画面のスクリーンショットを添えてAliExpressで紛争を申し立ててください。"),

			"advice.lost_number":  s("追跡番号はAliExpressの注文ページ（「注文」→ 該当の注文 →「追跡」）で確認できます。見つからないときは、下のメッセージで出品者に聞いてみましょう。"),
			"advice.seller_intro": s("出品者へのメッセージ（英語）："),

			"duration.days":           plurals(1, "other", "%[1]d日"),
			"duration.hours":          plurals(1, "other", "%[1]d時間"),
			"duration.less_than_hour": s("1時間未満"),
		},
		Thai: {
			"advice.verdict.on_track":        s("เป็นไปตามกำหนด"),
			"advice.verdict.late":            s("ล่าช้ากว่าปกติ"),
			"advice.verdict.stalled":         s("ไม่มีความเคลื่อนไหวมาสักพัก"),
			"advice.verdict.not_yet_scanned": s("ขนส่งยังไม่ได้สแกน"),
			"advice.verdict.handed_over":     s("ส่งต่อขนส่งในประเทศแล้ว"),
			"advice.verdict.likely_lost":     s("อาจสูญหาย"),
			"advice.verdict.delivered":       s("จัดส่งสำเร็จ"),
			"advice.verdict.needs_action":    s("ต้องดำเนินการ"),
			"advice.verdict.returning":       s("กำลังตีกลับไปหาผู้ขาย"),

			"advice.reason.within_typical":                 s("พัสดุเดินทางตามระยะเวลาปกติของเส้นทางนี้"),
			"advice.reason.stage_over_typical":             s("พัสดุอยู่ในขั้นตอนนี้นานกว่าปกติ"),
			"advice.reason.total_over_typical":             s("การขนส่งโดยรวมใช้เวลานานกว่าปกติของเส้นทางนี้"),
			"advice.reason.source_eta_passed":              s("เลยวันที่ขนส่งประเมินว่าจะส่งถึงมาแล้ว"),
			"advice.reason.waiting_for_carrier":            s("ขนส่งยังไม่ได้รับพัสดุจากผู้ขายหรือคลังสินค้า"),
			"advice.reason.hub_congestion":                 s("พัสดุน่าจะกำลังรอคิวอยู่ที่ศูนย์คัดแยกซึ่งมีพัสดุหนาแน่น"),
			"advice.reason.customs":                        s("พัสดุน่าจะติดอยู่ที่ขั้นตอนศุลกากร ซึ่งอาจใช้เวลาหลายวัน"),
			"advice.reason.flight_wait":                    s("พัสดุน่าจะกำลังรอขึ้นเครื่องหรืออยู่ระหว่างบิน ช่วงนี้สถานะมักไม่อัปเดต"),
			"advice.reason.waiting_for_handover":           s("พัสดุถึงประเทศปลายทางแล้ว กำลังรอส่งต่อให้ขนส่งในประเทศ"),
			"advice.reason.last_mile_delay":                s("ขนส่งในประเทศใช้เวลานานกว่าปกติ"),
			"advice.reason.not_scanned_yet":                s("ขนส่งยังไม่ได้สแกนพัสดุ ซึ่งเป็นเรื่องปกติในช่วง 2-4 วันหลังส่ง"),
			"advice.reason.not_scanned_too_long":           s("ผ่านไปเกิน 2-4 วันแล้วแต่ยังไม่มีการสแกน ถึงเวลาสอบถามผู้ขายแล้ว"),
			"advice.reason.handed_over":                    s("พัสดุถูกส่งต่อให้ขนส่งในประเทศแล้ว ซึ่งมักได้เลขพัสดุใหม่ สถานะการขนส่งระหว่างประเทศจึงหยุดอัปเดต"),
			"advice.reason.domestic_number_not_active_yet": s("เลขพัสดุในประเทศมักยังไม่แสดงข้อมูลในช่วง 1-3 วันหลังส่งต่อ ซึ่งเป็นเรื่องปกติ"),
			"advice.reason.follow_domestic_number":         s("ตอนนี้เลขพัสดุในประเทศน่าจะใช้ได้แล้ว ตรวจสอบได้ที่เว็บไซต์ของขนส่ง"),
			"advice.reason.domestic_number_unknown":        s("ยังไม่ทราบเลขพัสดุในประเทศ ดูได้ที่หน้าคำสั่งซื้อใน AliExpress หรือสอบถามผู้ขาย"),
			"advice.reason.no_movement_for_weeks":          s("ไม่มีความเคลื่อนไหวมาหลายสัปดาห์แล้ว พัสดุอาจสูญหายหรือค้างอยู่ที่ใดที่หนึ่ง"),
			"advice.reason.carrier_reported_lost":          s("ขนส่งแจ้งว่าพัสดุสูญหาย"),
			"advice.reason.tracking_expired":               s("ข้อมูลติดตามของขนส่งหมดอายุแล้ว โดยที่พัสดุยังส่งไม่ถึง"),
			"advice.reason.nobody_home":                    s("ขนส่งมาส่งแล้ว แต่ไม่มีผู้รับอยู่"),
			"advice.reason.at_pickup_point":                s("พัสดุรอให้ไปรับอยู่ที่ไปรษณีย์ ตู้รับพัสดุ หรือร้านสะดวกซื้อ"),
			"advice.reason.holding_period":                 s("พัสดุจะถูกเก็บไว้ในระยะเวลาจำกัด หลังจากนั้นจะถูกส่งกลับไปหาผู้ขาย"),
			"advice.reason.holding_period_ending":          s("เหลือเวลาเก็บรักษาพัสดุไม่ถึง 2 วันแล้ว"),
			"advice.reason.holding_period_over":            s("เลยระยะเวลาเก็บรักษาแล้ว พัสดุอาจกำลังถูกส่งกลับไปหาผู้ขาย"),
			"advice.reason.carrier_exception":              s("ขนส่งแจ้งว่ามีปัญหา เช่น ที่อยู่ไม่ถูกต้อง ติดศุลกากร หรือพัสดุเสียหาย"),
			"advice.reason.returning_to_sender":            s("พัสดุกำลังถูกส่งกลับไปหาผู้ขาย"),
			"advice.reason.returned_to_sender":             s("พัสดุกลับถึงผู้ขายแล้ว"),
			"advice.reason.delivered":                      s("ขนส่งแจ้งว่าจัดส่งสำเร็จแล้ว"),
			"advice.reason.protection_ending":              s("การคุ้มครองผู้ซื้อของคำสั่งซื้อนี้ใกล้จะสิ้นสุดแล้ว"),
			"advice.reason.protection_ended":               s("การคุ้มครองผู้ซื้อของคำสั่งซื้อนี้สิ้นสุดแล้ว"),
			"advice.reason.protection_end_unknown":         s("ยังไม่ทราบวันสิ้นสุดการคุ้มครองผู้ซื้อ ดูวันที่ได้ที่หน้าคำสั่งซื้อใน AliExpress แล้วแจ้งด้วย /protect เพื่อรับการแจ้งเตือนก่อนหมดเขต"),
			"advice.reason.tracking_source_failing":        s("ระบบติดตามของขนส่งไม่ตอบสนองมานานกว่า 1 วัน ข้อมูลล่าสุดจึงอาจยังไม่ครบ"),
			"advice.reason.number_on_order_page":           s("ดูหมายเลขติดตามพัสดุได้ที่หน้าคำสั่งซื้อใน AliExpress: คำสั่งซื้อของฉัน → เลือกคำสั่งซื้อ → ติดตามพัสดุ"),
			"advice.reason.peak_season_11_11":              s("ช่วง 11.11 เป็นช่วงที่มีพัสดุมากที่สุดของปี การขนส่งทุกเส้นทางจึงช้ากว่าปกติ"),
			"advice.reason.peak_season_black_friday":       s("ช่วง Black Friday ศูนย์คัดแยกและเที่ยวบินแน่นมาก พัสดุจึงใช้เวลานานขึ้น"),
			"advice.reason.peak_season_lunar_new_year":     s("ช่วงตรุษจีน ขนส่งและโรงงานในจีนหลายแห่งหยุดทำการ พัสดุจึงใช้เวลานานขึ้น"),

			"advice.step.wait_until":                            s("รอดูไปก่อนจนถึง %[1]s"),
			"advice.step.check_domestic_number":                 s("ติดตามเลขพัสดุในประเทศ %[1]s ได้ที่เว็บไซต์ของ%[2]s"),
			"advice.step.check_domestic_number.carrier_unknown": s("ติดตามเลขพัสดุในประเทศ %[1]s ได้ที่เว็บไซต์ของขนส่งในประเทศ"),
			"advice.step.check_domestic_number.number_unknown":  s("ขอเลขพัสดุในประเทศจากผู้ขาย โดยส่งข้อความนี้ได้เลย:"),
			"advice.step.contact_seller":                        s("สอบถามผู้ขาย โดยส่งข้อความนี้ได้เลย:"),
			"advice.step.open_dispute":                          s("เปิดข้อพิพาทใน AliExpress ก่อน %[1]s พร้อมแนบภาพหน้าจอการติดตามนี้"),
			"advice.step.open_dispute.no_deadline":              s("เปิดข้อพิพาทใน AliExpress พร้อมแนบภาพหน้าจอการติดตามนี้"),
			"advice.step.request_redelivery":                    s("นัดส่งใหม่หรือดูที่ทำการที่เก็บพัสดุไว้ได้ที่หน้าเว็บของ%[1]s ก่อน %[2]s: %[3]s"),
			"advice.step.request_redelivery.no_url":             s("ติดต่อ%[1]sเพื่อนัดส่งใหม่ก่อน %[2]s ตามช่องทางในใบแจ้งที่ขนส่งฝากไว้"),
			"advice.step.pick_up":                               s("ไปรับพัสดุก่อน %[1]s"),
			"advice.step.none":                                  s("ตอนนี้ยังไม่ต้องทำอะไร"),

			"advice.in_stage":      s("อยู่ในขั้นตอนนี้มาแล้ว %[1]s ปกติขั้นตอนนี้ใช้เวลา %[2]s ถึง %[3]s"),
			"advice.in_stage_only": s("อยู่ในขั้นตอนนี้มาแล้ว %[1]s"),
			"advice.eta":           s("คาดว่าจะได้รับระหว่าง %[1]s ถึง %[2]s"),
			"advice.eta_by":        s("คาดว่าจะได้รับภายใน %[1]s"),
			"advice.dispute_by":    s("การคุ้มครองผู้ซื้อ: ถ้ายังไม่ได้รับพัสดุ ให้เปิดข้อพิพาทก่อน %[1]s"),

			"advice.protection_set":      s("ถ้า %[2]s ยังไม่ถึงภายใน %[1]s จะแจ้งเตือนให้ในวันนั้น"),
			"advice.protection_usage":    s("บอกวันสิ้นสุดการคุ้มครองผู้ซื้อ เช่น /protect 2 2026-12-20 สำหรับพัสดุลำดับที่ 2 ใน /list ดูวันที่ได้ที่หน้าคำสั่งซื้อใน AliExpress"),
			"advice.protection_reminder": s("⏰ การคุ้มครองผู้ซื้อของ %[1]s จะสิ้นสุด %[2]s แต่พัสดุยังไม่ถึง เปิดข้อพิพาทใน AliExpress ตอนนี้เลย พร้อมแนบภาพหน้าจอการติดตาม"),

			"advice.lost_number":  s("ดูหมายเลขติดตามพัสดุได้ที่หน้าคำสั่งซื้อใน AliExpress: คำสั่งซื้อของฉัน → เลือกคำสั่งซื้อ → ติดตามพัสดุ ถ้าไม่มี ลองถามผู้ขายด้วยข้อความด้านล่าง"),
			"advice.seller_intro": s("ข้อความสำหรับส่งให้ผู้ขาย (ภาษาอังกฤษ):"),

			"duration.days":           plurals(1, "other", "%[1]d วัน"),
			"duration.hours":          plurals(1, "other", "%[1]d ชั่วโมง"),
			"duration.less_than_hour": s("ไม่ถึง 1 ชั่วโมง"),
		},
	})
}
