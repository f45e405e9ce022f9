package i18n

// Messages about the most parcels one chat may follow.
func init() {
	area(map[string]map[string]text{
		English: {
			"limit.reached": s("You follow %[1]d parcels, the most one chat can follow, so I did not add %[2]s. Stop the ones that have arrived (/list, then /stop N) and send the number again."),
		},
		Japanese: {
			"limit.reached": s("追跡できる荷物は1つのチャットにつき%[1]d件までのため、%[2]s は追加しませんでした。届いた荷物の追跡をやめてから（/list で確認し /stop N）、もう一度番号を送ってください。"),
		},
		Thai: {
			"limit.reached": s("แชตหนึ่งติดตามพัสดุได้สูงสุด %[1]d ชิ้น และตอนนี้ครบแล้ว จึงไม่ได้เพิ่ม %[2]s กรุณาเลิกติดตามพัสดุที่ได้รับแล้ว (ดูที่ /list แล้วใช้ /stop N) แล้วส่งเลขมาอีกครั้ง"),
		},
	})
}
