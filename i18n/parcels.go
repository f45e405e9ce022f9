package i18n

// Messages of the per-parcel commands: show, name, mute.
func init() {
	area(map[string]map[string]text{
		English: {
			"show.header":     s("History of %[1]s:"),
			"show.more":       plurals(1, "one", "…and one older scan.", "other", "…and %[1]d older scans."),
			"which.usage":     s("Which parcel? Give its position in /list, its tracking number or its name, e.g. %[1]s 2."),
			"which.not_found": s("I could not find “%[1]s” in your list. Send /list to see it."),
			"name.usage":      s("Give the parcel and its name, e.g. /name 2 phone case."),
			"name.done":       s("%[1]s is now called “%[2]s”."),
			"name.cleared":    s("%[1]s no longer has a name."),
			"mute.done":       s("Notifications for %[1]s are off. /unmute to turn them back on."),
			"unmute.done":     s("Notifications for %[1]s are on again."),
			"button.details":  s("Details"),
			"button.mute":     s("Mute"),
			"button.unmute":   s("Unmute"),
			"card.muted":      s("Notifications muted."),
		},
		Japanese: {
			"show.header":     s("%[1]s の配送履歴:"),
			"show.more":       plurals(1, "other", "…ほか、それより前の記録が%[1]d件あります。"),
			"which.usage":     s("どの荷物ですか？ /list の番号、追跡番号、または名前で指定してください（例: %[1]s 2）。"),
			"which.not_found": s("「%[1]s」は追跡中の荷物に見つかりませんでした。/list で確認してください。"),
			"name.usage":      s("荷物と名前を指定してください（例: /name 2 スマホケース）。"),
			"name.done":       s("%[1]s の名前を「%[2]s」にしました。"),
			"name.cleared":    s("%[1]s の名前を消しました。"),
			"mute.done":       s("%[1]s の通知を止めました。再開するには /unmute を送ってください。"),
			"unmute.done":     s("%[1]s の通知を再開しました。"),
			"button.details":  s("詳細"),
			"button.mute":     s("通知オフ"),
			"button.unmute":   s("通知オン"),
			"card.muted":      s("通知はオフになっています。"),
		},
		Thai: {
			"show.header":     s("ประวัติการขนส่งของ %[1]s:"),
			"show.more":       plurals(1, "other", "…และมีรายการก่อนหน้านี้อีก %[1]d รายการ"),
			"which.usage":     s("พัสดุชิ้นไหน? ระบุลำดับใน /list เลขพัสดุ หรือชื่อที่ตั้งไว้ เช่น %[1]s 2"),
			"which.not_found": s("ไม่พบ “%[1]s” ในรายการที่ติดตาม ส่ง /list เพื่อดูรายการ"),
			"name.usage":      s("ระบุพัสดุและชื่อ เช่น /name 2 เคสมือถือ"),
			"name.done":       s("ตั้งชื่อ %[1]s ว่า “%[2]s” แล้ว"),
			"name.cleared":    s("ลบชื่อของ %[1]s แล้ว"),
			"mute.done":       s("ปิดการแจ้งเตือนของ %[1]s แล้ว ส่ง /unmute เพื่อเปิดอีกครั้ง"),
			"unmute.done":     s("เปิดการแจ้งเตือนของ %[1]s อีกครั้งแล้ว"),
			"button.details":  s("รายละเอียด"),
			"button.mute":     s("ปิดแจ้งเตือน"),
			"button.unmute":   s("เปิดแจ้งเตือน"),
			"card.muted":      s("ปิดการแจ้งเตือนอยู่"),
		},
	})
}
