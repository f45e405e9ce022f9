package i18n

// Messages the dispatcher adds to pushes.
func init() {
	area(map[string]map[string]text{
		English: {
			"notify.source_down": s("I cannot reach %[2]s for %[1]s since %[3]s. Nothing is lost: I keep checking and will tell you as soon as it moves."),
			"notify.quota_low":   s("This month's free messages are running low, so until next month I will only tell you about the important steps: customs, handover, out for delivery, delivery and problems. Ask me any time for the latest."),
		},
		Japanese: {
			"notify.source_down": s("%[1]sについて、%[2]sの追跡サービスに%[3]sからつながりません。データは失われません。確認を続け、動きがあればすぐにお知らせします。"),
			"notify.quota_low":   s("今月の無料メッセージの残りが少なくなったため、来月までは通関・引き継ぎ・配達中・お届け・トラブルなど大事なお知らせだけをお送りします。最新の状況はいつでも聞いてください。"),
		},
		Thai: {
			"notify.source_down": s("ติดต่อระบบของ%[2]sสำหรับ %[1]s ไม่ได้ตั้งแต่ %[3]s ข้อมูลไม่สูญหาย จะตรวจสอบต่อไปและแจ้งทันทีเมื่อพัสดุมีความเคลื่อนไหว"),
			"notify.quota_low":   s("ข้อความฟรีของเดือนนี้ใกล้หมดแล้ว จนถึงเดือนหน้าจะแจ้งเฉพาะขั้นตอนสำคัญ เช่น ศุลกากร การส่งต่อ กำลังนำส่ง ส่งถึงแล้ว และเมื่อมีปัญหา ถามสถานะล่าสุดได้ตลอดเวลา"),
		},
	})
}
