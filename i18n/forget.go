package i18n

// Messages of /forget, which deletes everything kept about a chat.
func init() {
	area(map[string]map[string]text{
		English: {
			"forget.confirm": plurals(1,
				"=0", "This deletes everything I keep about this chat: your settings, and any parcel you follow. It cannot be undone. Delete everything?",
				"one", "This deletes everything I keep about this chat: the parcel you follow with its name and reminders, and your settings. It cannot be undone. Delete everything?",
				"other", "This deletes everything I keep about this chat: the %[1]d parcels you follow with their names and reminders, and your settings. It cannot be undone. Delete everything?"),
			"forget.yes":       s("Delete everything"),
			"forget.no":        s("Keep it"),
			"forget.done":      s("Done: I have forgotten this chat, its parcels and its settings. Paste a tracking number whenever you want to start again."),
			"forget.cancelled": s("Nothing was deleted."),
		},
		Japanese: {
			"forget.confirm": plurals(1,
				"=0", "このチャットについて保存している情報（設定と追跡中の荷物）をすべて削除します。元に戻せません。削除しますか？",
				"other", "このチャットについて保存している情報をすべて削除します：追跡中の荷物%[1]d件（名前・リマインダーを含む）と設定。元に戻せません。削除しますか？"),
			"forget.yes":       s("すべて削除する"),
			"forget.no":        s("削除しない"),
			"forget.done":      s("削除しました。このチャットの荷物と設定はもう残っていません。また使うときは追跡番号を貼り付けてください。"),
			"forget.cancelled": s("何も削除していません。"),
		},
		Thai: {
			"forget.confirm": plurals(1,
				"=0", "จะลบข้อมูลทั้งหมดที่เก็บไว้ของแชตนี้ (การตั้งค่าและพัสดุที่ติดตาม) ย้อนกลับไม่ได้ ต้องการลบทั้งหมดไหม?",
				"other", "จะลบข้อมูลทั้งหมดที่เก็บไว้ของแชตนี้: พัสดุที่ติดตาม %[1]d ชิ้น (รวมชื่อและการแจ้งเตือน) และการตั้งค่า ย้อนกลับไม่ได้ ต้องการลบทั้งหมดไหม?"),
			"forget.yes":       s("ลบทั้งหมด"),
			"forget.no":        s("ไม่ลบ"),
			"forget.done":      s("ลบเรียบร้อยแล้ว ไม่มีข้อมูลพัสดุหรือการตั้งค่าของแชตนี้เหลืออยู่ ถ้าต้องการใช้อีกครั้ง วางเลขพัสดุได้เลย"),
			"forget.cancelled": s("ไม่ได้ลบอะไร"),
		},
	})
}
