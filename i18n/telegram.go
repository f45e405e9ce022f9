package i18n

// Telegram's own words: the command menu and what the Telegram adapter says
// beyond the shared catalog.
func init() {
	area(map[string]map[string]text{
		English: {
			"telegram.command.list": s("The parcels you follow"),
			"telegram.command.stop": s("Stop following a parcel"),
			"telegram.command.lang": s("Change the language"),
			"telegram.command.help": s("How to use Todoku"),
			"telegram.button_gone":  s("This button has expired. Please send the command again."),
		},
		Japanese: {
			"telegram.command.list": s("追跡中の荷物"),
			"telegram.command.stop": s("荷物の追跡をやめる"),
			"telegram.command.lang": s("言語を変更"),
			"telegram.command.help": s("Todokuの使い方"),
			"telegram.button_gone":  s("このボタンは期限が切れています。もう一度コマンドを送ってください。"),
		},
		Thai: {
			"telegram.command.list": s("พัสดุที่ติดตามอยู่"),
			"telegram.command.stop": s("เลิกติดตามพัสดุ"),
			"telegram.command.lang": s("เปลี่ยนภาษา"),
			"telegram.command.help": s("วิธีใช้ Todoku"),
			"telegram.button_gone":  s("ปุ่มนี้หมดอายุแล้ว กรุณาส่งคำสั่งอีกครั้ง"),
		},
	})
}
