package intent

import (
	"regexp"
	"sync"
)

// A pattern is one piece of evidence for an intent: a regular expression
// over the folded text and its weight. English patterns read the spaced
// layout (words between single spaces, so \b works), Japanese and Thai ones
// the dense layout (no spaces at all), and both are folded as the text is:
// write them in natural spelling, in lower case. The intent with the highest
// total weight wins; ties go to the intent listed first in priority.
//
// Weights, roughly: 5-6 an unmistakable phrase ("再配達", "dispute"), 4 a
// strong one, 3 a typical keyword, 2 a hint, 1 a word that often comes with
// the intent but proves little ("track" also appears in "stop tracking").
type pattern struct {
	intent Intent
	lang   string
	weight int
	expr   string
	re     *regexp.Regexp
}

func en(i Intent, w int, expr string) pattern {
	return pattern{intent: i, lang: "en", weight: w, expr: expr}
}
func ja(i Intent, w int, expr string) pattern {
	return pattern{intent: i, lang: "ja", weight: w, expr: expr}
}
func th(i Intent, w int, expr string) pattern {
	return pattern{intent: i, lang: "th", weight: w, expr: expr}
}

// priority breaks ties between intents of equal score: the more specific
// request first, the politeness last.
var priority = []Intent{
	Forget, Stop, Rename, Language, Settings, LostNumber, NotFound, Redelivery, Protection,
	Delay, ETA, Where, List, Help, Track, Thanks, Greeting, Unknown,
}

var patterns = []pattern{
	// track: a number to follow. A number in the message adds 1 of its own.
	en(Track, 1, `\b(track|tracking|follow|register|watch)\b`),
	en(Track, 1, `\badd\b`),
	en(Track, 2, `\b(i want to|i wanna|can you|could you|please|pls) track\b|\btrack (my|a|this|the|it)\b`),
	en(Track, 2, `\bkeep an eye on\b`),
	ja(Track, 1, `追跡|登録|追加`),
	ja(Track, 2, `追跡(して|したい|お願い|よろ|を?頼|を?おねが)`),
	th(Track, 1, `ติดตาม|แทรค|แทร็ก|แทรก|เพิ่ม`),
	th(Track, 2, `(ขอ|อยาก|ฝาก|ช่วย)(ติดตาม|แทรค|เช็ค|เช็ก|ดู)`),

	// where: the current status of a parcel.
	en(Where, 3, `\bwhere(s)?\b`),
	en(Where, 3, `\bstatus\b|\blocation\b|\bwhats happening\b|\bany (news|updates?)\b`),
	en(Where, 2, `\bupdates?\b|\bnews about\b`),
	en(Where, 3, `\b(arrived|here|delivered|shipped) yet\b|\bhas (it|my \w+|the \w+) (arrived|come|shipped)\b`),
	en(Where, 3, `\bin (japan|thailand|the country)( yet)?\b|\bout for delivery\b|\bclear(ed)? customs\b|\bcheck (the )?status\b`),
	ja(Where, 3, `どこ|どの(へん|辺|あたり)|状況|すてーたす|どうなって(る|います|ますか)`),
	ja(Where, 3, `(届|とど|着|つ)いた(\?|か|の\?|かな)|(日本|国内)に(着|つ|入)|税関(通|とお|を通)|配達中|発送された`),
	th(Where, 3, `(อยู่|ถึง)(ที่)?ไหน|ที่ไหน|สถานะ`),
	th(Where, 3, `ถึง(ไทย|แล้ว)?(หรือ)?ยัง|ผ่าน(ศุลกากร|ด่าน|กรมศุล)(ยัง|แล้ว|หรือยัง)|(ออก|มา)ส่ง(ยัง|หรือยัง)|ความเคลื่อนไหว`),
	th(Where, 2, `อัปเดต|อัพเดท|อัพเดต|อัปเดท`),

	// eta: when will it arrive.
	en(ETA, 2, `\bwhen\b`),
	en(ETA, 1, `\b(arrive|arrival|arriving|get here|gets here|be delivered|be here|coming|come)\b`),
	en(ETA, 3, `\beta\b|\bhow long\b|\bhow many (more )?days\b|\b(expected|estimated) (delivery|arrival|date)\b|\bdelivery date\b|\bwhat day\b`),
	en(ETA, 2, `\b(before|by) (christmas|new year|the weekend|next week|friday|monday|saturday|sunday|the end)\b|\bthis week\b|\bwill it (arrive|come|get)\b|\bexpect\b`),
	ja(ETA, 1, `いつ`),
	ja(ETA, 4, `いつ(ごろ|頃|くらい|ぐらい)?.{0,3}(届|とど|着|つく|来|くる|こ|到着|配達)|いつ頃`),
	ja(ETA, 4, `何日(くらい|ぐらい)?(で|かか)|あと(何日|どれ(くらい|ぐらい))|(到着|お届け|配達|届く)予定`),
	ja(ETA, 3, `(までに|中に)(届|とど|来|着|間に合)|間に合う`),
	th(ETA, 3, `เมื่อไหร่|เมื่อไร|เมื่อไหร|เมื่อรัย|กี่วัน|วันไหน|กี่โมง|อีกนาน|ใช้เวลา`),
	th(ETA, 2, `ทันก่อน|ทันไหม|(อาทิตย์|สัปดาห์|เดือน)นี้|จะได้(ไหม|มั้ย|มั๊ย|ป่าว)|(ประมาณ|คาดว่า).{0,8}(ถึง|ได้|มา)`),

	// delay: why late, still not here.
	en(Delay, 2, `\bwhy\b`),
	en(Delay, 3, `\b(late|delayed|delay|slow|stuck|forever|ages)\b|\btaking (so|too) long\b`),
	en(Delay, 3, `\bstill (not|no|nothing|waiting|hasnt|havent|didnt|isnt)\b|\bnot (here|arrived|delivered|moving) yet\b`),
	en(Delay, 3, `\b(hasnt|didnt|havent|never|not) (arrived|arrive|came|come|moved|updated|update|shown up)\b|\bno (update|movement|progress)\b`),
	en(Delay, 3, `\bbeen (a |an |\d+ |two |three |four |several |many )?(days?|weeks?|months?)\b`),
	en(Delay, 3, `\b(hasnt|didnt|isnt|wont|havent) (it|my \w+|the \w+|they) (arrived|arrive|come|came|here|moved|updated)\b`),
	en(Delay, 4, `\bshould have (arrived|come|been)\b|\bpast the (delivery |expected )?date\b`),
	en(Delay, 1, `\bnothing\b|\bsince\b`),
	ja(Delay, 2, `まだ|なんで|なぜ|どうして|なかなか`),
	ja(Delay, 1, `全然`),
	ja(Delay, 4, `(届|とど)(かな(い|く)|きません|いて(い)?ない|いてません|いていません|かね)|(来|こ)(ない|ねえ|ません)|(来|き)て(い)?ない|来ていません`),
	ja(Delay, 3, `遅(い|く|すぎ|れ)|おそい|止まって|止まった|とまって|動かない|動いてない|進まない|変わらない|更新(が)?(ない|され(ない|てない))`),
	ja(Delay, 4, `遅延`),
	ja(Delay, 2, `過ぎて|過ぎた|(経|た)つ(んだ|のに|けど)|経った|たっても|経っても`),
	th(Delay, 4, `ยังไม่(ได้|มา|ถึง|ขยับ|อัป|อัพ|เคลื่อน|ส่ง)|ไม่(ขยับ|อัปเดต|อัพเดท|อัพเดต|เคลื่อนไหว|มีความเคลื่อนไหว)|เลยกำหนด`),
	th(Delay, 3, `(^|[^เ])ช้า|ค้าง|ติด(ศุลกากร|ด่าน|อยู่)|รอ(มา|นาน)`),
	th(Delay, 2, `ทำไม|นาน|เกินไป`),

	// list: every parcel followed.
	en(List, 2, `\blist\b|\ball my\b|\bwhich (packages|parcels|orders)\b`),
	en(List, 3, `\bshow (me )?(all|my|everything)\b|\bhow many (parcels|packages|orders)\b`),
	en(List, 4, `\bam i (tracking|following)\b|\bim (tracking|following)\b`),
	en(List, 1, `\bmy (parcels|packages|orders)\b`),
	ja(List, 4, `一覧|(全部|ぜんぶ)見せ|何(を)?追跡(して|中)`),
	ja(List, 3, `りすと|何件|登録(した|して(る|いる))荷物`),
	ja(List, 1, `見せて|追跡中`),
	th(List, 3, `รายการ|ลิสต์|ลิส|กี่ชิ้น|กี่อัน|กี่รายการ`),
	th(List, 4, `ติดตามอะไร`),
	th(List, 2, `ทั้งหมด`),

	// forget: delete everything kept about the chat (the handler asks
	// before it deletes). It outweighs stop's "delete", "削除", "ลบ".
	en(Forget, 7, `\bforget (me|about me|everything|all about me|my data)\b|\b(delete|erase|remove|wipe|clear) (all )?(of )?my (data|account|info|information|details|history)\b|\b(delete|erase|wipe) (everything|all data)\b`),
	ja(Forget, 7, `(データ|個人情報|登録情報|利用履歴|アカウント)(を|も)?(全部|すべて|全て)?(削除|消|けし)|退会|私のこと.{0,2}忘れ`),
	th(Forget, 7, `ลบข้อมูล(ของ)?(ฉัน|ผม|เรา|ทั้งหมด)|ลบบัญชี|ลืมฉัน|ลบประวัติ`),

	// stop: stop following a parcel.
	en(Stop, 4, `\bstop (tracking|following|it|this)\b|\bunfollow\b|\buntrack\b`),
	en(Stop, 3, `\b(remove|delete|cancel)\b`),
	en(Stop, 2, `\bstop\b`),
	en(Stop, 2, `\bdont need\b|\bdont want\b`),
	en(Stop, 2, `\bno longer\b|\banymore\b`),
	ja(Stop, 5, `追跡.{0,2}(やめ|止め|停止|終了|中止|解除)|追跡しなくて`),
	ja(Stop, 4, `削除|消して|けして`),
	ja(Stop, 3, `解除|(要|い)らない|いりません|要りません`),
	th(Stop, 5, `เลิกติดตาม|หยุดติดตาม|ยกเลิก(การ)?ติดตาม|ไม่ต้องติดตาม`),
	th(Stop, 4, `ลบ|เอาออก`),

	// rename: give a parcel a name.
	en(Rename, 4, `\brename\b|\bchange the name\b|\bset (the )?name\b`),
	en(Rename, 3, `^ (call|name|label)\b|\bgive .*names?\b|\b(label|name) (it|this|#)\b`),
	en(Rename, 1, `\bnames?\b`),
	ja(Rename, 3, `名前`),
	ja(Rename, 2, `(という|って)名前|名前を?(変|つけ|付け)`),
	ja(Rename, 3, `を.{1,20}(に|へ)(して|変更|変え)`),
	th(Rename, 5, `(ตั้ง|เปลี่ยน)ชื่อ`),
	th(Rename, 2, `ชื่อ`),

	// help: what the bot does and how.
	en(Help, 4, `^ (help|start)\b|\bhow (does|do) (this|it|you) work\b|\bhow (do|can) i (use|add)\b|\bwhat can you do\b`),
	en(Help, 3, `\bhelp\b|\bcommands?\b|\bwhat is this( bot)?\b|\binstructions?\b|\btutorial\b|\bguide\b`),
	en(Help, 2, `\bconfused\b`),
	ja(Help, 5, `使い方|へるぷ|何ができる|どうやって使|使用方法`),
	ja(Help, 3, `ぼっと|(仕方|しかた|やり方|方法)が?(わから|分から|わかん)`),
	th(Help, 5, `ช่วยเหลือ|วิธีใช้|ใช้(งาน)?(ยังไง|อย่างไร)|ทำอะไรได้`),
	th(Help, 3, `(เพิ่ม|ทำ|ต้องทำ).{0,8}(ยังไง|อย่างไร)|งง`),

	// language: the chat's language.
	en(Language, 3, `\blanguage\b|^ lang\b`),
	en(Language, 2, `\b(english|japanese|thai|nihongo)\b`),
	en(Language, 2, `\b(speak|reply in|answer in|switch to|change to|in) (english|japanese|thai)\b`),
	ja(Language, 4, `日本語|英語|たい語|言語|にほんご`),
	th(Language, 4, `ภาษา|พูดไทย|พูดอังกฤษ|พูดญี่ปุ่น`),

	// settings: notifications, quiet hours, time zone.
	en(Settings, 4, `\bsettings?\b|\btime ?zone\b|\bquiet hours\b|\bso many messages\b|\bstop sending\b`),
	en(Settings, 3, `\bnotifications?\b|\bmute\b|\bnotify\b|\balerts?\b`),
	en(Settings, 2, `\bturn (off|on)\b|\bonly notify\b`),
	ja(Settings, 4, `設定|通知|たいむぞーん`),
	th(Settings, 5, `ตั้งค่า|เขตเวลา|ไทม์โซน`),
	th(Settings, 4, `แจ้งเตือน`),

	// not_found: the carrier says it does not know the number.
	en(NotFound, 5, `\b(not|isnt|wasnt|cant be|cannot be) found\b|\bnotfound\b`),
	en(NotFound, 4, `\bno (information|record|records|data|results?|tracking information)\b|\b(you|it) (cant|cannot|couldnt) find\b|\b(cant|cannot|couldnt) (you|it) find\b`),
	en(NotFound, 3, `\binvalid\b|\bdoesnt work\b|\bnot working\b|\bdoesnt show\b|\bnothing shows\b|\bshows nothing\b`),
	ja(NotFound, 5, `見つかりません|見つからない|みつからない|該当(なし|無し|しない|がない|がありません)`),
	ja(NotFound, 4, `情報が?(ありません|ない|無い)|何も(出|で)(ない|てこない|ません)|追跡できな|追跡できません|無効`),
	ja(NotFound, 3, `えらー`),
	th(NotFound, 5, `ไม่พบ|ไม่(เจอ|มี|ขึ้น)ข้อมูล`),
	th(NotFound, 4, `ไม่ขึ้น|ไม่ถูกต้อง|เลขผิด`),

	// lost_number: the user has no tracking number.
	en(LostNumber, 5, `\b(lost|forgot|forget|misplaced|deleted)\b.*\b(number|no|code|email)\b`),
	en(LostNumber, 4, `\b(dont|didnt|do not|did not|never) (have|get|got|give|gave|know|sent|send)\b.*\b(number|code)\b`),
	en(LostNumber, 5, `\b(where|how)( do| can| to)?( i)? (find|get|see)\b.*\b(number|code)\b|\bcant find (the|my) (tracking )?(number|code|no)\b`),
	ja(LostNumber, 5, `番号.{0,3}(なくし|無くし|失くし|紛失|忘れ|わすれ|わから|分から|わかん|知らない)`),
	ja(LostNumber, 5, `番号.{0,5}(どこで|どこに|どこを見)|番号.{0,3}(もらって|貰って|来て|届いて)(ない|いない|ません)`),
	th(LostNumber, 5, `เลข(พัสดุ|แทรค|แทรก|ติดตาม|tracking)?.{0,4}หาย|ไม่มีเลข|ลืมเลข|หาเลข.{0,10}ไม่เจอ|เลข.{0,8}(ที่ไหน|ตรงไหน)|ไม่(ให้|ส่ง)เลข`),

	// redelivery: the courier missed the user.
	en(Redelivery, 5, `\bre ?deliver(y|ed)?\b|\bmissed (the |my )?delivery\b|\bdeliver (it )?again\b`),
	en(Redelivery, 4, `\b(nobody|no one) (was )?(home|in|there)\b|\bnot (at )?home\b|\breschedule\b`),
	en(Redelivery, 3, `\bpost office\b`),
	en(Redelivery, 2, `\b(holding|keep|kept|hold) (my|it|the)\b|\bpick ?up\b`),
	ja(Redelivery, 6, `再配達`),
	ja(Redelivery, 5, `さいはいたつ|不在`),
	ja(Redelivery, 4, `受け取れ(なかった|ませんでした|ない)|もう一(回|度)(届け|配達|持って)`),
	ja(Redelivery, 3, `保管`),
	ja(Redelivery, 2, `郵便局`),
	th(Redelivery, 5, `ส่งใหม่|ส่งซ้ำ|พลาดการ(จัด)?ส่ง`),
	th(Redelivery, 4, `ไม่อยู่|ใบแจ้ง`),
	th(Redelivery, 3, `ไปรับที่`),

	// protection: buyer protection, disputes, refunds.
	en(Protection, 6, `^ /protect\b`),
	en(Protection, 5, `\bdispute\b`),
	en(Protection, 4, `\bprotection\b|\brefund\b|\bmoney back\b`),
	ja(Protection, 5, `保護|紛争|返金|でぃすぴゅ`),
	ja(Protection, 2, `期限`),
	th(Protection, 5, `ข้อพิพาท|คุ้มครอง|คืนเงิน|เงินคืน|ดิสพิว`),

	// thanks and greeting lose to anything else.
	en(Thanks, 2, `\b(thanks|thank|thx|ty|tysm|cheers|appreciate|arigato|arigatou)\b`),
	ja(Thanks, 2, `ありがと|あざ(す|っす|ます)|さんきゅ|助かりま|助かった|感謝`),
	th(Thanks, 2, `ขอบคุณ|ขอบใจ|แต้งกิ้ว|แต๊งกิ้ว`),
	en(Greeting, 2, `^ (hi|hello|hey|hiya|yo|howdy|sup|good (morning|afternoon|evening)|konnichiwa|sawasdee)\b`),
	ja(Greeting, 2, `^(こんにちは|こんちは|こんばんは|おはよう|はじめまして|やあ|どうも|もしもし|はろ)`),
	th(Greeting, 2, `^(สวัสดี|หวัดดี|ดีจ้า|ดีครับ|ดีค่ะ|ดีคะ|ดีคับ)`),
}

var compileOnce sync.Once

// compiled returns the patterns with their expressions folded and compiled.
func compiled() []pattern {
	compileOnce.Do(func() {
		for i := range patterns {
			patterns[i].re = regexp.MustCompile(foldPattern(patterns[i].expr))
		}
	})
	return patterns
}
