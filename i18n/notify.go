package i18n

// Messages the dispatcher adds to pushes.
func init() {
	area(map[string]map[string]text{
		English: {
			"notify.quota_low": s("This month's free messages are running low, so until next month I will only tell you about the important steps: customs, handover, out for delivery, delivery and problems. Ask me any time for the latest."),
		},
		Japanese: {
			"notify.quota_low": s("今月の無料メッセージの残りが少なくなったため、来月までは通関・引き継ぎ・配達中・お届け・トラブルなど大事なお知らせだけをお送りします。最新の状況はいつでも聞いてください。"),
		},
		Thai: {
			"notify.quota_low": s("ข้อความฟรีของเดือนนี้ใกล้หมดแล้ว จนถึงเดือนหน้าจะแจ้งเฉพาะขั้นตอนสำคัญ เช่น ศุลกากร การส่งต่อ กำลังนำส่ง ส่งถึงแล้ว และเมื่อมีปัญหา ถามสถานะล่าสุดได้ตลอดเวลา"),
		},
	})
}
