package i18n

// LINE's own words: what the LINE adapter says beyond the shared catalog.
func init() {
	area(map[string]map[string]text{
		English: {
			"line.unsupported": s("I can read text messages and buttons. Please send the tracking number as text."),
			"line.alt.card":    s("📦 %[1]s: %[2]s"),
			"line.more":        s("There is more than fits here. Send /list to see all your parcels."),
			"line.card.latest": s("Latest scan"),
		},
		Japanese: {
			"line.unsupported": s("読み取れるのはテキストとボタンだけです。追跡番号はテキストで送ってください。"),
			"line.alt.card":    s("📦 %[1]s：%[2]s"),
			"line.more":        s("ここに収まりきりませんでした。すべての荷物は /list で確認できます。"),
			"line.card.latest": s("最新の状況"),
		},
		Thai: {
			"line.unsupported": s("ฉันอ่านได้เฉพาะข้อความและปุ่มเท่านั้น กรุณาส่งหมายเลขพัสดุเป็นข้อความ"),
			"line.alt.card":    s("📦 %[1]s: %[2]s"),
			"line.more":        s("ข้อมูลยาวเกินกว่าจะแสดงได้ทั้งหมด ส่ง /list เพื่อดูพัสดุทั้งหมดของคุณ"),
			"line.card.latest": s("สถานะล่าสุด"),
		},
	})
}
