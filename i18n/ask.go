package i18n

// Messages of plain-language conversation that are not advice.
func init() {
	area(map[string]map[string]text{
		English: {
			"ask.which":     s("Which parcel do you mean?"),
			"ask.thanks":    s("You're welcome! I'll keep watching your parcels."),
			"ask.greeting":  s("Hello! Paste a tracking number, or ask me about your parcels: “where is it?”, “when will it arrive?”"),
			"ask.empty":     s("You are not following any parcel yet. Paste its tracking number and I will answer."),
			"ask.lang":      s("Which language should I use?"),
			"button.advice": s("Why? / When?"),
		},
		Japanese: {
			"ask.which":     s("どの荷物のことですか？"),
			"ask.thanks":    s("どういたしまして！引き続き荷物を見守ります。"),
			"ask.greeting":  s("こんにちは！追跡番号を貼り付けるか、「今どこ？」「いつ届く？」のように気軽に聞いてください。"),
			"ask.empty":     s("まだ追跡中の荷物がありません。追跡番号を送ってもらえればお答えします。"),
			"ask.lang":      s("どの言語にしますか？"),
			"button.advice": s("なぜ？いつ届く？"),
		},
		Thai: {
			"ask.which":     s("หมายถึงพัสดุชิ้นไหน?"),
			"ask.thanks":    s("ยินดีเลย! จะคอยดูพัสดุให้ต่อไป"),
			"ask.greeting":  s("สวัสดี! วางเลขพัสดุ หรือถามได้เลย เช่น “ของอยู่ไหนแล้ว” “ของถึงเมื่อไหร่”"),
			"ask.empty":     s("ยังไม่มีพัสดุที่ติดตามอยู่ ส่งเลขพัสดุมาแล้วจะตอบให้"),
			"ask.lang":      s("ต้องการใช้ภาษาไหน?"),
			"button.advice": s("ทำไม? / ถึงเมื่อไหร่?"),
		},
	})
}
