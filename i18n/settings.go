package i18n

// Messages of the chat settings commands.
func init() {
	area(map[string]map[string]text{
		English: {
			"tz.set":   s("Times are now shown in %[1]s (it is %[2]s there)."),
			"tz.usage": s("Send a time zone, e.g. /tz Asia/Tokyo, /tz Asia/Bangkok or /tz Europe/London. Now: %[1]s."),
		},
		Japanese: {
			"tz.set":   s("時刻を %[1]s で表示します（現地は %[2]s です）。"),
			"tz.usage": s("タイムゾーンを送ってください（例: /tz Asia/Tokyo、/tz Asia/Bangkok）。現在の設定: %[1]s"),
		},
		Thai: {
			"tz.set":   s("จะแสดงเวลาตามเขตเวลา %[1]s (ตอนนี้ที่นั่นเวลา %[2]s)"),
			"tz.usage": s("ส่งเขตเวลามา เช่น /tz Asia/Bangkok หรือ /tz Asia/Tokyo ตอนนี้ใช้: %[1]s"),
		},
	})
}
