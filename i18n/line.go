package i18n

// LINE's own words: what the LINE adapter says beyond the shared catalog.
func init() {
	area(map[string]map[string]text{
		English: {
			"line.unsupported": s("I can read text messages and buttons. Please send the tracking number as text."),
			"line.alt.card":    s("📦 %[1]s: %[2]s"),
			"line.more":        s("There is more than fits here. Send /list to see all your parcels."),
			"line.card.latest": s("Latest scan"),
			"line.quota_low":   s("I can send only a few more LINE notifications this month, so until next month I will tell you only about the important steps: customs, handover, out for delivery, delivery and problems. Ask me any time with /list."),
		},
		Japanese: {
			"line.unsupported": s("読み取れるのはテキストとボタンだけです。追跡番号はテキストで送ってください。"),
			"line.alt.card":    s("📦 %[1]s：%[2]s"),
			"line.more":        s("ここに収まりきりませんでした。すべての荷物は /list で確認できます。"),
			"line.card.latest": s("最新の状況"),
			"line.quota_low":   s("今月LINEで送れる通知の残りが少なくなりました。来月までは、通関・引き渡し・配達中・配達完了・トラブルなどの大事なお知らせだけをお送りします。状況はいつでも /list で確認できます。"),
		},
		Thai: {
			"line.unsupported": s("ฉันอ่านได้เฉพาะข้อความและปุ่มเท่านั้น กรุณาส่งหมายเลขพัสดุเป็นข้อความ"),
			"line.alt.card":    s("📦 %[1]s: %[2]s"),
			"line.more":        s("ข้อมูลยาวเกินกว่าจะแสดงได้ทั้งหมด ส่ง /list เพื่อดูพัสดุทั้งหมดของคุณ"),
			"line.card.latest": s("สถานะล่าสุด"),
			"line.quota_low":   s("เดือนนี้ฉันส่งการแจ้งเตือนทาง LINE ได้อีกไม่มาก จนถึงเดือนหน้าฉันจะแจ้งเฉพาะขั้นตอนสำคัญ ได้แก่ ศุลกากร การส่งต่อให้ขนส่งในประเทศ กำลังนำจ่าย จัดส่งสำเร็จ และเมื่อมีปัญหา สอบถามสถานะได้ทุกเมื่อด้วย /list"),
		},
	})
}
