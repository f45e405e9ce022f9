package tracker

import (
	"net/url"
	"slices"
	"time"
)

// Verdict says in one word how a parcel is doing. Its IDs are stable: the bot
// uses them as translation keys.
//
//	on_track         moving within the typical time of its stage and journey
//	late             still moving, but past the typical time of its stage or
//	                 of the whole journey (P90), or past the carrier's own
//	                 estimate
//	stalled          no update for longer than is normal at this stage (past
//	                 the stage's P90 and a day without any event)
//	not_yet_scanned  shipped but not scanned by the carrier yet ("not found"
//	                 or only "order information received")
//	handed_over      handed to the domestic carrier, usually under a new
//	                 number: the international events have stopped
//	likely_lost      no movement for weeks, or the carrier says lost or
//	                 expired
//	delivered        delivered
//	needs_action     the buyer must act: attempted delivery (nobody home),
//	                 awaiting pickup, or a carrier exception
//	returning        going back, or gone back, to the seller
type Verdict string

const (
	VerdictOnTrack       Verdict = "on_track"
	VerdictLate          Verdict = "late"
	VerdictStalled       Verdict = "stalled"
	VerdictNotYetScanned Verdict = "not_yet_scanned"
	VerdictHandedOver    Verdict = "handed_over"
	VerdictLikelyLost    Verdict = "likely_lost"
	VerdictDelivered     Verdict = "delivered"
	VerdictNeedsAction   Verdict = "needs_action"
	VerdictReturning     Verdict = "returning"
)

// Verdicts lists every verdict.
func Verdicts() []Verdict {
	return []Verdict{VerdictOnTrack, VerdictLate, VerdictStalled, VerdictNotYetScanned,
		VerdictHandedOver, VerdictLikelyLost, VerdictDelivered, VerdictNeedsAction, VerdictReturning}
}

// Step is the next thing the buyer should do. Its IDs are stable: the bot
// uses them as translation keys.
//
//	wait_until             nothing to do yet; if nothing changes by
//	                       Advice.WaitUntil, ask again
//	check_domestic_number  follow the domestic carrier's number
//	                       (Advice.DomesticNumber on Advice.DomesticCarrier's
//	                       site); when it is unknown, ask the seller for it
//	                       with Advice.SellerMessage
//	contact_seller         send the seller Advice.SellerMessage
//	open_dispute           open a dispute on AliExpress, with screenshots of
//	                       the tracking, before Advice.DisputeBy when it is set
//	request_redelivery     ask the carrier for redelivery
//	                       (Advice.RedeliveryURL) before Advice.HoldUntil
//	pick_up                collect the parcel before Advice.HoldUntil
//	none                   nothing left to do
type Step string

const (
	StepWaitUntil           Step = "wait_until"
	StepCheckDomesticNumber Step = "check_domestic_number"
	StepContactSeller       Step = "contact_seller"
	StepOpenDispute         Step = "open_dispute"
	StepRequestRedelivery   Step = "request_redelivery"
	StepPickUp              Step = "pick_up"
	StepNone                Step = "none"
)

// Steps lists every step.
func Steps() []Step {
	return []Step{StepWaitUntil, StepCheckDomesticNumber, StepContactSeller, StepOpenDispute,
		StepRequestRedelivery, StepPickUp, StepNone}
}

// Reason IDs explain a verdict and its step. They are stable: the bot uses
// them as translation keys. The peak-season reasons are listed with
// PeakSeasons.
//
//	within_typical                  the stage and the journey are within
//	                                their typical time
//	stage_over_typical              longer in this stage than its P90
//	total_over_typical              the journey is longer than its P90
//	source_eta_passed               the carrier's estimated delivery has passed
//	waiting_for_carrier             cause: the carrier has not collected it
//	                                from the seller or consolidator yet
//	hub_congestion                  cause: waiting at a sorting hub
//	customs                         cause: customs clearance
//	flight_wait                     cause: waiting for, or on, a flight
//	waiting_for_handover            cause: arrived, waiting to be handed to
//	                                the domestic carrier
//	last_mile_delay                 cause: slow with the domestic carrier
//	not_scanned_yet                 not scanned yet; normal for 2-4 days
//	                                after shipping
//	not_scanned_too_long            still not scanned after the normal 2-4
//	                                days: ask the seller
//	handed_over                     handed to the domestic carrier
//	domestic_number_not_active_yet  the domestic number is not active for
//	                                1-3 days after the handover: wait
//	follow_domestic_number          the domestic number should work now:
//	                                follow it on the carrier's site
//	domestic_number_unknown         handed over under a number Todoku does
//	                                not know: it is on the order page, or
//	                                ask the seller
//	no_movement_for_weeks           no event for weeks: likely lost or stuck
//	carrier_reported_lost           the carrier reports it lost
//	tracking_expired                the carrier's tracking has expired
//	nobody_home                     delivery was attempted, nobody was home
//	at_pickup_point                 waiting at a post office, locker or
//	                                convenience store
//	holding_period                  it is kept only until Advice.HoldUntil,
//	                                then goes back to the seller
//	holding_period_ending           fewer than 2 days of holding are left
//	holding_period_over             the holding period has passed
//	carrier_exception               the carrier reports a problem (address,
//	                                customs hold, damage)
//	returning_to_sender             on its way back to the seller
//	returned_to_sender              back with the seller
//	delivered                       delivered
//	protection_ending               buyer protection ends soon: Advice.DisputeBy
//	protection_ended                buyer protection has ended
//	protection_end_unknown          a dispute is advised but the protection
//	                                end is unknown: it is on the order page
//	tracking_source_failing         the tracking source has been failing for
//	                                over a day, so news may be missing
//	number_on_order_page            a lost tracking number is on the
//	                                AliExpress order page
const (
	ReasonWithinTypical         = "within_typical"
	ReasonStageOverTypical      = "stage_over_typical"
	ReasonTotalOverTypical      = "total_over_typical"
	ReasonSourceETAPassed       = "source_eta_passed"
	ReasonWaitingForCarrier     = "waiting_for_carrier"
	ReasonHubCongestion         = "hub_congestion"
	ReasonCustoms               = "customs"
	ReasonFlightWait            = "flight_wait"
	ReasonWaitingForHandover    = "waiting_for_handover"
	ReasonLastMileDelay         = "last_mile_delay"
	ReasonNotScannedYet         = "not_scanned_yet"
	ReasonNotScannedTooLong     = "not_scanned_too_long"
	ReasonHandedOver            = "handed_over"
	ReasonDomesticNotActiveYet  = "domestic_number_not_active_yet"
	ReasonFollowDomesticNumber  = "follow_domestic_number"
	ReasonDomesticNumberUnknown = "domestic_number_unknown"
	ReasonNoMovementForWeeks    = "no_movement_for_weeks"
	ReasonCarrierReportedLost   = "carrier_reported_lost"
	ReasonTrackingExpired       = "tracking_expired"
	ReasonNobodyHome            = "nobody_home"
	ReasonAtPickupPoint         = "at_pickup_point"
	ReasonHoldingPeriod         = "holding_period"
	ReasonHoldingPeriodEnding   = "holding_period_ending"
	ReasonHoldingPeriodOver     = "holding_period_over"
	ReasonCarrierException      = "carrier_exception"
	ReasonReturningToSender     = "returning_to_sender"
	ReasonReturnedToSender      = "returned_to_sender"
	ReasonDelivered             = "delivered"
	ReasonProtectionEnding      = "protection_ending"
	ReasonProtectionEnded       = "protection_ended"
	ReasonProtectionEndUnknown  = "protection_end_unknown"
	ReasonSourceFailing         = "tracking_source_failing"
	ReasonNumberOnOrderPage     = "number_on_order_page"
)

// Reasons lists every reason ID, the peak seasons included.
func Reasons() []string {
	return []string{
		ReasonWithinTypical, ReasonStageOverTypical, ReasonTotalOverTypical, ReasonSourceETAPassed,
		ReasonWaitingForCarrier, ReasonHubCongestion, ReasonCustoms, ReasonFlightWait,
		ReasonWaitingForHandover, ReasonLastMileDelay, ReasonNotScannedYet, ReasonNotScannedTooLong,
		ReasonHandedOver, ReasonDomesticNotActiveYet, ReasonFollowDomesticNumber,
		ReasonDomesticNumberUnknown, ReasonNoMovementForWeeks, ReasonCarrierReportedLost,
		ReasonTrackingExpired, ReasonNobodyHome, ReasonAtPickupPoint, ReasonHoldingPeriod,
		ReasonHoldingPeriodEnding, ReasonHoldingPeriodOver, ReasonCarrierException,
		ReasonReturningToSender, ReasonReturnedToSender, ReasonDelivered, ReasonProtectionEnding,
		ReasonProtectionEnded, ReasonProtectionEndUnknown, ReasonSourceFailing,
		ReasonNumberOnOrderPage, ReasonPeak1111, ReasonPeakBlackFriday, ReasonPeakLunarNewYear,
	}
}

// Sentences for the buyer to send to the seller, in simple English: sellers
// read English whatever the buyer's language. They are not translated.
const (
	SellerAskNumber         = "Hi, could you tell me the tracking number for my order?"
	SellerAskDomesticNumber = "Hi, could you tell me the new local tracking number for my order?"
	SellerNotScanned        = "Hi, the tracking number for my order shows nothing yet. Could you check with the carrier that it was sent?"
	SellerNotSent           = "Hi, the tracking for my order only shows that the label was made. Could you tell me when it will be sent?"
	SellerStalled           = "Hi, the tracking for my order has not changed for a long time. Could you ask the carrier what is happening?"
	SellerProblem           = "Hi, the tracking for my order shows a delivery problem. Could you check it with the carrier?"
	SellerReturning         = "Hi, the tracking shows my order is going back to you. Could you send it again or refund me?"
	SellerNotArrived        = "Hi, my order has still not arrived. Could you send it again or refund me?"
)

// Range is a span of time, both ends included.
type Range struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// IsZero reports whether the range is unknown.
func (r Range) IsZero() bool { return r.From.IsZero() && r.To.IsZero() }

// Advice is what to tell a buyer about one parcel. Its times are in the zone
// of the now given to Advise.
type Advice struct {
	Verdict Verdict `json:"verdict"`
	Stage   Stage   `json:"stage"`
	// InStage is the time since the first event of the current run of the
	// stage (since the number was followed, before any event).
	InStage time.Duration `json:"in_stage"`
	// Typical is the typical time in this stage for this route, stretched
	// in a peak season; zero when there is none (delivered, returning, ...).
	Typical DurationRange `json:"typical"`
	// ETA is the estimated delivery, zero when unknown (delivered, lost,
	// returning, or waiting on the buyer).
	ETA  Range `json:"eta,omitzero"`
	Next Step  `json:"next"`
	// WaitUntil: for wait_until, when to look again, the moment waiting
	// stops being normal; for contact_seller and check_domestic_number, the
	// moment the parcel counts as likely lost if nothing moves, when a
	// dispute is due.
	WaitUntil time.Time `json:"wait_until,omitzero"`
	// DisputeBy is the date to open a dispute before, set whenever the
	// protection end is known and the parcel is not delivered: a few days
	// before the end, or the end itself when it is nearer than that.
	DisputeBy time.Time `json:"dispute_by,omitzero"`
	// HoldUntil is when the carrier's holding period ends, for
	// request_redelivery and pick_up.
	HoldUntil time.Time `json:"hold_until,omitzero"`
	// RedeliveryURL is the carrier's redelivery page, for request_redelivery.
	RedeliveryURL string `json:"redelivery_url,omitempty"`
	// DomesticNumber is the domestic carrier's number, when known.
	DomesticNumber string `json:"domestic_number,omitempty"`
	// DomesticCarrier is the carrier ID of the domestic carrier, when known.
	DomesticCarrier string `json:"domestic_carrier,omitempty"`
	// SellerMessage is a sentence for the buyer to send to the seller (one
	// of the Seller constants), for contact_seller, or for
	// check_domestic_number when the domestic number is unknown.
	SellerMessage string `json:"seller_message,omitempty"`
	// Reasons are reason IDs, most important first.
	Reasons []string `json:"reasons"`
}

// Thresholds of Advise.
const (
	// quietBeforeStall: past the stage's P90, a parcel counts as stalled
	// only after this long without any event; before, it is late.
	quietBeforeStall = 1 * oneDay
	// lostAfter: no event for two weeks, or twice the stage's P90 when
	// that is longer, and the parcel is likely lost.
	lostAfterMin = 14 * oneDay
	// disputeMargin: open a dispute this long before protection ends.
	disputeMargin = 3 * oneDay
	// protectionWarn: within this of DisputeBy, the protection deadline
	// wins over waiting unless the parcel is expected before it.
	protectionWarn = 5 * oneDay
	// holdingWarn: fewer days of holding than this left is urgent.
	holdingWarn = 2 * oneDay
	// sourceFailingAfter: a source failing this long is worth saying.
	sourceFailingAfter = 1 * oneDay
)

// LostNumber is the advice for a buyer who lost the tracking number: it is
// on the order page, or the seller can tell. It concerns no parcel, so its
// Verdict is empty and its Stage unknown.
func LostNumber() Advice {
	return Advice{
		Next:          StepContactSeller,
		SellerMessage: SellerAskNumber,
		Reasons:       []string{ReasonNumberOnOrderPage},
	}
}

// RedeliveryURL returns the page where the carrier takes redelivery
// requests for number, or "" when Todoku knows none: Japan Post's
// redelivery form (the number is typed into it), Yamato's and Sagawa's
// parcel pages (they offer redelivery), and Thailand Post's tracking page,
// which names the office that holds the parcel (it takes no redelivery
// requests online).
func RedeliveryURL(carrier, number string) string {
	n := url.QueryEscape(Canonical(number))
	switch carrier {
	case CarrierJapanPost:
		return "https://trackings.post.japanpost.jp/delivery/deli/"
	case CarrierYamato:
		return "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=" + n
	case CarrierSagawa:
		return "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=" + n
	case CarrierThailandPost:
		return "https://track.thailandpost.co.th/?trackNumber=" + n
	}
	return ""
}

// Advise tells how a shipment is doing at now and what the buyer should do
// next, against the typical durations d (DefaultDurations when nil) and the
// end of the buyer protection, when known (zero otherwise). It is pure: the
// same arguments give the same advice, in any time zone.
//
// By stage:
//   - delivered: delivered, none.
//   - returning, returned: returning, contact_seller.
//   - lost, expired: likely_lost, open_dispute.
//   - attempted_delivery: needs_action, request_redelivery with the
//     carrier's page, before the holding period ends (HoldUntil).
//   - awaiting_pickup: needs_action, pick_up before HoldUntil.
//   - exception: needs_action, contact_seller; likely_lost after two weeks
//     without news.
//   - not_found, info_received: not_yet_scanned and wait_until the stage's
//     P90 (2-4 days is normal); past it, contact_seller; after two weeks,
//     likely_lost and open_dispute.
//   - the stages between: likely_lost and open_dispute after two weeks (or
//     twice the stage's P90) without an event; handed_over when the
//     international events stopped at the handover to a domestic carrier
//     (wait_until the domestic number is active, 3 days, then
//     check_domestic_number); stalled and contact_seller past the stage's
//     P90 and a day without events; late (wait_until) when past the stage's
//     or the total's P90, or the carrier's ETA; else on_track (wait_until).
//
// A peak season (11.11, Black Friday, Lunar New Year) between the first
// event and now stretches the stages before the handover and the total by
// half, and is named among the reasons; not on a domestic route, whose
// parcel is past the queues of the international leg.
//
// When protectionEnd is known, DisputeBy is set; within 5 days of it, unless
// the ETA ends before it or the buyer must collect the parcel, the next step
// becomes open_dispute; once protection has ended, contact_seller.
func Advise(sh Shipment, now time.Time, d Durations, protectionEnd time.Time) Advice {
	s := newSituation(sh, now, d)
	a := Advice{Stage: s.stage, InStage: nonNegative(now.Sub(s.entered))}
	switch s.stage {
	case StageDelivered:
		a.Verdict, a.Next = VerdictDelivered, StepNone
		a.Reasons = []string{ReasonDelivered}
		return s.finish(a)
	case StageReturning, StageReturned:
		a.Verdict, a.Next, a.SellerMessage = VerdictReturning, StepContactSeller, SellerReturning
		if s.stage == StageReturned {
			a.Reasons = []string{ReasonReturnedToSender}
		} else {
			a.Reasons = []string{ReasonReturningToSender}
		}
	case StageLost, StageExpired:
		a.Verdict, a.Next = VerdictLikelyLost, StepOpenDispute
		if s.stage == StageLost {
			a.Reasons = []string{ReasonCarrierReportedLost}
		} else {
			a.Reasons = []string{ReasonTrackingExpired}
		}
	case StageAttemptedDelivery, StageAwaitingPickup:
		s.holding(&a)
	case StageException:
		s.exception(&a)
	case StageNotFound, StageInfoReceived:
		s.notScanned(&a)
	default:
		s.moving(&a)
	}
	s.protect(&a, protectionEnd)
	if !sh.FailingSince.IsZero() && now.Sub(sh.FailingSince) > sourceFailingAfter {
		a.Reasons = append(a.Reasons, ReasonSourceFailing)
	}
	return s.finish(a)
}

// situation is what Advise reads off a shipment once.
type situation struct {
	sh      Shipment
	now     time.Time
	d       Durations
	events  []Event
	stage   Stage
	start   time.Time // the first event, or when the number was followed
	entered time.Time // the first event of the current run of the stage
	last    time.Time // the newest event
	route   Route
	lm      Route // the last-mile carrier's domestic route
	hasLM   bool
	peaks   []string
}

func newSituation(sh Shipment, now time.Time, d Durations) *situation {
	if d == nil {
		d = DefaultDurations()
	}
	s := &situation{sh: sh, now: now, d: d, events: sortedEvents(sh.Events)}
	s.stage = sh.Stage
	if s.stage == StageUnknown {
		s.stage = StageOf(s.events)
	}
	if s.stage == StageUnknown {
		s.stage = StageInTransit // as sources map codes they do not know
	}
	followed := sh.Since
	if followed.IsZero() || followed.After(now) {
		followed = now
	}
	s.start, s.entered, s.last = followed, followed, followed
	if n := len(s.events); n > 0 {
		s.start, s.last, s.entered = s.events[0].Time, s.events[n-1].Time, s.events[n-1].Time
		i := n - 1
		for i >= 0 && s.events[i].Stage != s.stage {
			i--
		}
		if i >= 0 {
			for i > 0 && s.events[i-1].Stage == s.stage {
				i--
			}
			s.entered = s.events[i].Time
		}
	}
	s.route = RouteOf(sh)
	s.lm, s.hasLM = lastMileRoute(sh, s.route)
	if !s.route.domestic() {
		s.peaks = PeakSeasons(s.start, now)
	}
	return s
}

// typical returns the typical time in stage st: the last-mile carrier's
// figure for the last-mile stages when known, else the route's, else the
// defaults; stretched by a peak season before the handover.
func (s *situation) typical(st Stage) DurationRange {
	var (
		r  DurationRange
		ok bool
	)
	if s.hasLM && lastMilePhase(st) {
		r, ok = s.d.Stage(s.lm, st)
	}
	if !ok {
		r, ok = s.d.Stage(s.route, st)
	}
	if !ok {
		r, ok = DefaultDurations().Stage(s.route, st)
	}
	if !ok {
		r, _ = DefaultDurations().Stage(Route{Origin: "CN", Dest: s.route.Dest, Service: ShippingStandard}, st)
	}
	if len(s.peaks) > 0 && !lastMilePhase(st) {
		r = PeakStretch(r)
	}
	return r
}

// total returns the typical journey, stretched by a peak season.
func (s *situation) total() DurationRange {
	r, ok := s.d.Total(s.route)
	if !ok {
		r, ok = DefaultDurations().Total(s.route)
	}
	if !ok {
		r, _ = DefaultDurations().Total(Route{Origin: "CN", Dest: s.route.Dest, Service: ShippingStandard})
	}
	if len(s.peaks) > 0 {
		r = PeakStretch(r)
	}
	return r
}

// lostAt is when a parcel without news counts as likely lost.
func (s *situation) lostAt(typ DurationRange) time.Time {
	return s.last.Add(max(lostAfterMin, 2*typ.P90))
}

// notScanned: "not found" right after shipping, or only the label made.
func (s *situation) notScanned(a *Advice) {
	typ := s.typical(s.stage)
	a.Typical = typ
	stallAt := s.entered.Add(typ.P90)
	if s.stage == StageInfoReceived {
		stallAt = laterOf(stallAt, s.last.Add(quietBeforeStall))
	}
	lostAt := s.lostAt(typ)
	switch {
	case s.now.After(lostAt):
		a.Verdict, a.Next = VerdictLikelyLost, StepOpenDispute
		a.Reasons = []string{ReasonNoMovementForWeeks, ReasonNotScannedTooLong}
		return
	case s.now.After(stallAt):
		a.Verdict, a.Next, a.WaitUntil = VerdictNotYetScanned, StepContactSeller, lostAt
		a.SellerMessage = SellerNotScanned
		if s.stage == StageInfoReceived {
			a.SellerMessage = SellerNotSent
		}
		a.Reasons = []string{ReasonNotScannedTooLong}
	default:
		a.Verdict, a.Next, a.WaitUntil = VerdictNotYetScanned, StepWaitUntil, stallAt
		a.Reasons = []string{ReasonNotScannedYet}
	}
	a.Reasons = append(a.Reasons, s.peaks...)
	s.eta(a, typ)
}

// moving: the stages from the first physical scan to out for delivery.
func (s *situation) moving(a *Advice) {
	typ := s.typical(s.stage)
	a.Typical = typ
	stallAt := laterOf(s.entered.Add(typ.P90), s.last.Add(quietBeforeStall))
	lostAt := s.lostAt(typ)
	cause := causeOf(s.stage)
	a.DomesticNumber, a.DomesticCarrier = s.domesticNumber(), s.lastMileCarrier()

	if s.now.After(lostAt) {
		a.Verdict, a.Next = VerdictLikelyLost, StepOpenDispute
		a.Reasons = append([]string{ReasonNoMovementForWeeks, cause}, s.peaks...)
		return
	}
	if s.handedOver(a, stallAt, lostAt) {
		a.Reasons = append(a.Reasons, s.peaks...)
		s.eta(a, typ)
		return
	}
	overStage := a.InStage > typ.P90
	total := s.total()
	overTotal := s.now.Sub(s.start) > total.P90
	etaPassed := !s.sh.ETA.IsZero() && s.now.After(s.sh.ETA)
	var reasons []string
	if overStage {
		reasons = append(reasons, ReasonStageOverTypical)
	}
	if overTotal {
		reasons = append(reasons, ReasonTotalOverTypical)
	}
	if etaPassed {
		reasons = append(reasons, ReasonSourceETAPassed)
	}
	if overStage || overTotal || etaPassed {
		reasons = append(reasons, cause)
	}
	switch {
	case s.now.After(stallAt):
		a.Verdict, a.Next, a.WaitUntil = VerdictStalled, StepContactSeller, lostAt
		a.SellerMessage = SellerStalled
	case overStage || overTotal || etaPassed:
		a.Verdict, a.Next, a.WaitUntil = VerdictLate, StepWaitUntil, stallAt
	default:
		a.Verdict, a.Next, a.WaitUntil = VerdictOnTrack, StepWaitUntil, stallAt
		reasons = []string{ReasonWithinTypical}
	}
	a.Reasons = append(reasons, s.peaks...)
	s.eta(a, typ)
}

// handedOver recognises the handover to a domestic carrier after which the
// international events stop, and advises on it:
//
//   - a domestic number is known (Linked) and no domestic event has come:
//     at the handover itself, or past the stage's normal time at arrival or
//     import customs. Within 3 days of the handover the domestic number may
//     not be active yet: wait until then; after, follow it.
//   - handed over, no domestic number known and no domestic event past the
//     stage's normal time: find the domestic number (order page, seller).
func (s *situation) handedOver(a *Advice, stallAt, lostAt time.Time) bool {
	if s.route.domestic() || s.domesticSeen() {
		return false
	}
	switch s.stage {
	case StageHandedToLastMile:
	case StageArrivedDestination, StageImportCustoms:
		if len(s.sh.Linked) == 0 || !s.now.After(stallAt) {
			return false
		}
	default:
		return false
	}
	if len(s.sh.Linked) == 0 {
		if !s.now.After(stallAt) {
			return false
		}
		a.Verdict, a.Next, a.WaitUntil = VerdictHandedOver, StepCheckDomesticNumber, lostAt
		a.SellerMessage = SellerAskDomesticNumber
		a.Reasons = []string{ReasonHandedOver, ReasonDomesticNumberUnknown}
		return true
	}
	handover := s.entered
	if i := slices.IndexFunc(s.events, func(e Event) bool { return e.Stage == StageHandedToLastMile }); i >= 0 {
		handover = s.events[i].Time
	}
	active := handover.Add(notActive.P90)
	a.Verdict = VerdictHandedOver
	if !s.now.After(active) {
		a.Next, a.WaitUntil = StepWaitUntil, active
		a.Reasons = []string{ReasonHandedOver, ReasonDomesticNotActiveYet}
	} else {
		a.Next, a.WaitUntil = StepCheckDomesticNumber, lostAt
		a.Reasons = []string{ReasonHandedOver, ReasonFollowDomesticNumber}
	}
	return true
}

// domesticSeen reports whether the domestic carrier has reported anything:
// a last-mile event from another source than the one that told the
// international story (MergeLinked keeps each event's source).
func (s *situation) domesticSeen() bool {
	if len(s.events) == 0 {
		return false
	}
	intl := s.events[0].Source
	for _, e := range s.events {
		if lastMilePhase(e.Stage) && e.Source != "" && e.Source != intl {
			return true
		}
	}
	return false
}

// domesticNumber is the number the domestic carrier follows the parcel by:
// the newest linked number, or the shipment's own on a domestic route.
func (s *situation) domesticNumber() string {
	if n := len(s.sh.Linked); n > 0 {
		return s.sh.Linked[n-1]
	}
	if s.route.domestic() {
		return s.sh.Number
	}
	return ""
}

// lastMileCarrier is the carrier that delivers: the named last mile, a
// domestic carrier of the shipment itself, the post of the destination, or
// the express courier itself; "" when nothing tells.
func (s *situation) lastMileCarrier() string {
	switch {
	case countryOfCarrier(s.sh.LastMile) != "":
		return s.sh.LastMile
	case countryOfCarrier(s.sh.Carrier) != "":
		return s.sh.Carrier
	case s.route.domestic():
		return s.route.Service
	case shippings[s.route.Service].express:
		return s.sh.Carrier
	case s.route.Dest == "JP" || s.route.Dest == "TH":
		return defaultLastMile(s.route.Dest)
	}
	return ""
}

// holding: attempted delivery or awaiting pickup, kept for a while.
func (s *situation) holding(a *Advice) {
	carrier := s.lastMileCarrier()
	number := s.domesticNumber()
	if number == "" {
		number = s.sh.Number
	}
	a.Verdict = VerdictNeedsAction
	a.Typical = s.typical(s.stage)
	a.DomesticNumber, a.DomesticCarrier = number, carrier
	a.HoldUntil = s.entered.Add(Holding(carrier))
	if s.stage == StageAttemptedDelivery {
		a.Next = StepRequestRedelivery
		a.RedeliveryURL = RedeliveryURL(carrier, number)
		a.Reasons = []string{ReasonNobodyHome, ReasonHoldingPeriod}
	} else {
		a.Next = StepPickUp
		a.Reasons = []string{ReasonAtPickupPoint, ReasonHoldingPeriod}
	}
	switch {
	case s.now.After(a.HoldUntil):
		a.Reasons = append(a.Reasons, ReasonHoldingPeriodOver)
	case a.HoldUntil.Sub(s.now) < holdingWarn:
		a.Reasons = append(a.Reasons, ReasonHoldingPeriodEnding)
	}
}

// exception: the carrier reports a problem.
func (s *situation) exception(a *Advice) {
	lostAt := s.lostAt(DurationRange{})
	if s.now.After(lostAt) {
		a.Verdict, a.Next = VerdictLikelyLost, StepOpenDispute
		a.Reasons = []string{ReasonNoMovementForWeeks, ReasonCarrierException}
		return
	}
	a.Verdict, a.Next, a.WaitUntil = VerdictNeedsAction, StepContactSeller, lostAt
	a.SellerMessage = SellerProblem
	a.Reasons = []string{ReasonCarrierException}
}

// eta estimates delivery from the rest of the current stage and the typical
// times of the stages after it: now + the P50s .. now + the P90s. A
// carrier's estimate still ahead is the upper bound.
func (s *situation) eta(a *Advice, typ DurationRange) {
	rest := DurationRange{P50: nonNegative(typ.P50 - a.InStage), P90: nonNegative(typ.P90 - a.InStage)}
	next := slices.Index(pathStages, s.stage) + 1 // 0 before the first scan
	for _, st := range pathStages[next:] {
		rest = rest.add(s.typical(st))
	}
	from, to := s.now.Add(rest.P50), s.now.Add(rest.P90)
	if eta := s.sh.ETA; !eta.IsZero() && eta.After(s.now) {
		to = eta
		if from.After(to) {
			from = to
		}
	}
	a.ETA = Range{From: from, To: to}
}

// protect applies the buyer protection deadline.
func (s *situation) protect(a *Advice, end time.Time) {
	buyerActs := a.Next == StepRequestRedelivery || a.Next == StepPickUp
	if end.IsZero() {
		if a.Next == StepOpenDispute {
			a.Reasons = append(a.Reasons, ReasonProtectionEndUnknown)
		}
		return
	}
	by := end.Add(-disputeMargin)
	if !s.now.Before(by) {
		by = end // fewer days left than the margin: now, before the end
	}
	a.DisputeBy = by
	switch {
	case !s.now.Before(end):
		a.Reasons = append(a.Reasons, ReasonProtectionEnded)
		if !buyerActs && a.Next != StepContactSeller {
			a.Next, a.WaitUntil, a.SellerMessage = StepContactSeller, time.Time{}, SellerNotArrived
		}
	case s.now.Before(by.Add(-protectionWarn)):
		// Not close yet.
	case a.Next == StepOpenDispute:
		a.Reasons = append(a.Reasons, ReasonProtectionEnding)
	default:
		a.Reasons = append(a.Reasons, ReasonProtectionEnding)
		arriving := !a.ETA.To.IsZero() && !a.ETA.To.After(by)
		if !buyerActs && !arriving {
			a.Next, a.WaitUntil, a.SellerMessage = StepOpenDispute, time.Time{}, ""
		}
	}
}

// finish puts the times in now's zone and drops empty or repeated reasons.
func (s *situation) finish(a Advice) Advice {
	loc := s.now.Location()
	in := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.In(loc)
	}
	a.WaitUntil, a.DisputeBy, a.HoldUntil = in(a.WaitUntil), in(a.DisputeBy), in(a.HoldUntil)
	if !a.ETA.IsZero() {
		a.ETA = Range{From: in(a.ETA.From), To: in(a.ETA.To)}
	}
	reasons := make([]string, 0, len(a.Reasons))
	for _, r := range a.Reasons {
		if r != "" && !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	a.Reasons = reasons
	return a
}

// causeOf names the usual cause of a delay at stage st, or "".
func causeOf(st Stage) string {
	switch st {
	case StageInfoReceived, StagePickedUp:
		return ReasonWaitingForCarrier
	case StageAtSortingCenter:
		return ReasonHubCongestion
	case StageExportCustoms, StageImportCustoms:
		return ReasonCustoms
	case StageDepartedOrigin, StageInTransit:
		return ReasonFlightWait
	case StageArrivedDestination:
		return ReasonWaitingForHandover
	case StageHandedToLastMile, StageOutForDelivery:
		return ReasonLastMileDelay
	}
	return ""
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func nonNegative(d time.Duration) time.Duration { return max(d, 0) }
