package i18n

// en is the source catalog: every other language has exactly its keys.
var en = map[string]text{
	// Stages: a short name and one line on what it means and what to do.
	"stage.not_found.name":           s("Not scanned yet"),
	"stage.not_found.help":           s("The carrier has not scanned it yet. That is normal for 2-4 days after shipping; if it lasts longer, ask the seller."),
	"stage.info_received.name":       s("Label created"),
	"stage.info_received.help":       s("The seller has created the shipping label, but the carrier does not have the parcel yet. Nothing to do for now."),
	"stage.picked_up.name":           s("Picked up"),
	"stage.picked_up.help":           s("The carrier has collected the parcel from the seller and is taking it to a sorting centre."),
	"stage.at_sorting_center.name":   s("At sorting centre"),
	"stage.at_sorting_center.help":   s("The parcel is being sorted for export. This usually takes 1-3 days; nothing to do."),
	"stage.export_customs.name":      s("Export customs"),
	"stage.export_customs.help":      s("The parcel is clearing export customs in the origin country. This usually takes a day or two; nothing to do."),
	"stage.departed_origin.name":     s("Left origin country"),
	"stage.departed_origin.help":     s("The parcel has left the origin country by air or sea. Next come arrival and import customs in your country."),
	"stage.in_transit.name":          s("In transit"),
	"stage.in_transit.help":          s("The parcel is moving between hubs. Scans can pause for several days here, especially around 11.11, Black Friday and Lunar New Year."),
	"stage.arrived_destination.name": s("Arrived in your country"),
	"stage.arrived_destination.help": s("The parcel has arrived in your country and is waiting for import customs."),
	"stage.import_customs.name":      s("Import customs"),
	"stage.import_customs.help":      s("The parcel is at customs in your country. Most clear in 1-3 days; you may be contacted if duties are due."),
	"stage.handed_to_last_mile.name": s("With local carrier"),
	"stage.handed_to_last_mile.help": s("The parcel is now with your domestic carrier, possibly under a new number; send me that number if you have it. It can take 1-3 days to show on their site."),
	"stage.out_for_delivery.name":    s("Out for delivery"),
	"stage.out_for_delivery.help":    s("The parcel is on the delivery vehicle and should arrive today. Make sure someone can receive it."),
	"stage.attempted_delivery.name":  s("Delivery attempted"),
	"stage.attempted_delivery.help":  s("Nobody was home. Request redelivery on the carrier's site; it is held only about 7 days."),
	"stage.awaiting_pickup.name":     s("Ready for pickup"),
	"stage.awaiting_pickup.help":     s("Collect it at the post office, locker or convenience store named in the notice before the holding period ends (often about 7 days)."),
	"stage.delivered.name":           s("Delivered"),
	"stage.delivered.help":           s("The parcel has been delivered. If you cannot find it, check with your household or neighbours, then contact the carrier."),
	"stage.returning.name":           s("Returning to sender"),
	"stage.returning.help":           s("The parcel is on its way back to the seller. Contact the seller now to ask for a reshipment or a refund."),
	"stage.returned.name":            s("Returned to sender"),
	"stage.returned.help":            s("The parcel went back to the seller. Ask the seller for a reshipment or a refund, or open a dispute on AliExpress."),
	"stage.exception.name":           s("Problem reported"),
	"stage.exception.help":           s("The carrier reported a problem (address, customs or damage). Check the carrier's site, and contact the seller if it does not move soon."),
	"stage.lost.name":                s("Lost"),
	"stage.lost.help":                s("The carrier considers the parcel lost. Open a dispute on AliExpress with screenshots of the tracking before buyer protection ends."),
	"stage.expired.name":             s("No movement"),
	"stage.expired.help":             s("There has been no movement for a long time. Consider opening a dispute on AliExpress before buyer protection ends."),

	// Following parcels.
	"track.subscribed":   s("Now following %[1]s (%[2]s)."),
	"track.already":      s("You already follow %[1]s."),
	"track.fetch_failed": s("I could not reach the carrier just now. I will keep checking and tell you when it moves."),
	"track.no_source":    s("I cannot fetch tracking for this carrier yet, but the number is saved and I will follow it as soon as I can."),
	"track.typo":         s("%[1]s looks like a %[2]s number, but its check digit does not match. Is there a typo?"),
	"track.too_many": plurals(1,
		"one", "I took the first number; please send the rest in another message.",
		"other", "I took the first %[1]d numbers; please send the rest in another message."),

	// The list of parcels.
	"list.empty": s("You are not following any parcel yet. Paste a tracking number to start."),
	"list.header": plurals(1,
		"one", "You follow one parcel:",
		"other", "You follow %[1]d parcels:"),
	"list.item": s("%[1]d. %[2]s — %[3]s"),

	// Stopping.
	"stop.done":      s("Stopped following %[1]s."),
	"stop.usage":     s("Tell me which one: /stop 2 (its position in /list) or /stop and the tracking number."),
	"stop.not_found": s("%[1]s is not in your list. Send /list to see it."),

	// Help, greeting and language.
	"help.text": s("Paste one or more tracking numbers and I will follow them and tell you whenever they move.\n" +
		"/list — the parcels you follow\n" +
		"/stop N — stop following parcel N of /list\n" +
		"/show N — the whole history of parcel N\n" +
		"/name N phone case — give parcel N a name\n" +
		"/mute N, /unmute N — silence or resume its notifications\n" +
		"/why N — where it is, when it should come, what to do\n" +
		"/protect N 2026-12-20 — when buyer protection ends, so I can warn you\n" +
		"Or just ask: “where is it?”, “why is it late?”\n" +
		"/lang ja|en|th — change the language\n" +
		"/tz Asia/Tokyo — the time zone times are shown in\n" +
		"/forget — delete everything I keep about this chat\n" +
		"Want to try first? Send SBXJP0001, a simulated parcel."),
	"welcome":             s("Hi, I'm Todoku (届く)! I keep an eye on your AliExpress parcels and tell you when they move.\nPaste a tracking number to start."),
	"lang.set":            s("I will speak English from now on."),
	"lang.usage":          s("Choose a language: /lang ja, /lang en or /lang th."),
	"unknown.text":        s("I did not find a tracking number in that message."),
	"detect.order_number": s("That looks like an AliExpress order number, not a tracking number. The tracking number is on the order page: My Orders → the order → Track order."),
	"detect.url":          s("I found no tracking number in that link. Please paste the tracking number itself."),
	"detect.phone":        s("That looks like a phone number, not a tracking number."),
	"detect.postal_code":  s("That looks like a postal code, not a tracking number."),
	"detect.date":         s("That looks like a date, not a tracking number."),
	"detect.price":        s("That looks like a price, not a tracking number."),

	// Pushes and cards.
	"push.stage":        s("📦 %[1]s is now: %[2]s"),
	"push.handover":     s("📦 %[1]s is now with %[2]s as %[3]s. I follow it there for you."),
	"track.source_down": s("%[1]s has not answered since %[2]s. I keep trying and will tell you when it moves."),
	"card.no_events":    s("No scans yet."),
	"card.sandbox":      s("Simulation: this parcel does not exist; its journey is simulated so you can try the bot."),
	"card.linked":       s("Domestic number: %[1]s"),

	"error.internal": s("Something went wrong on my side. Please try again in a minute."),

	"button.list": s("My parcels"),
	"button.help": s("Help"),
	"button.stop": s("Stop"),

	// Carrier display names, by carrier ID.
	"carrier.sandbox":       s("Todoku sandbox"),
	"carrier.cainiao":       s("Cainiao"),
	"carrier.china-post":    s("China Post"),
	"carrier.japan-post":    s("Japan Post"),
	"carrier.yamato":        s("Yamato Transport"),
	"carrier.sagawa":        s("Sagawa Express"),
	"carrier.thailand-post": s("Thailand Post"),
	"carrier.postal":        s("national post"),
	"carrier.unknown":       s("unknown carrier"),
	"carrier.yanwen":        s("Yanwen"),
	"carrier.yunexpress":    s("YunExpress"),
	"carrier.4px":           s("4PX"),
	"carrier.jt-express":    s("J&T Express (China)"),
	"carrier.sf-express":    s("SF Express"),
	"carrier.ups":           s("UPS"),
	"carrier.usps":          s("USPS"),
	"carrier.fedex":         s("FedEx"),
	"carrier.dhl-express":   s("DHL Express"),
	"carrier.kerry-express": s("Kerry Express"),
	"carrier.flash-express": s("Flash Express"),
	"carrier.jt-express-th": s("J&T Express (Thailand)"),
	"carrier.best-express":  s("Best Express"),

	// The playground page's own words.
	"web.intro":       s("Follow your AliExpress parcels from the seller to your door. Paste a tracking number to start, or try a demo parcel."),
	"web.placeholder": s("Paste a tracking number — try SBXJP0001"),
	"web.send":        s("Send"),
	"web.reset":       s("New chat"),
	"web.push":        s("push"),
	"web.offline":     s("Reconnecting…"),
	"web.failed":      s("Something went wrong. Please try again."),
	"web.unreachable": s("Could not reach the server. Please try again."),
	"web.too_long":    s("That message is too long."),
	"web.progress":    s("Step %[1]s of %[2]s"),
	"web.language":    s("Language"),
	"web.message":     s("Message"),
	"button.stop_n":   s("Stop %[1]d"),
}
