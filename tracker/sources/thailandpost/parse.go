package thailandpost

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/todoku/todoku/tracker"
)

// trackAnswer is the body of a /track answer.
type trackAnswer struct {
	Response *struct {
		Items      map[string][]item `json:"items"`
		TrackCount *trackCount       `json:"track_count"`
	} `json:"response"`
	Message string `json:"message"`
	Status  *bool  `json:"status"`
}

// item is one status line of one barcode. Fields the API sends as null
// decode to "".
type item struct {
	Barcode             string `json:"barcode"`
	Status              string `json:"status"`
	StatusDescription   string `json:"status_description"`
	StatusDate          string `json:"status_date"`
	Location            string `json:"location"`
	Postcode            string `json:"postcode"`
	DeliveryStatus      string `json:"delivery_status"`
	DeliveryDescription string `json:"delivery_description"`
	DeliveryDatetime    string `json:"delivery_datetime"`
	// receiver_name and signature are left out on purpose: they identify
	// the person who signed and Todoku has no use for them.
}

// trackCount is the account's usage as the API reports it with every answer:
// count_number requests made on track_date out of track_count_limit.
type trackCount struct {
	TrackDate  string `json:"track_date"`
	Count      int    `json:"count_number"`
	CountLimit int    `json:"track_count_limit"`
}

// APIError is an answer whose status is false: the API refused the request
// and said why in Message.
type APIError struct {
	Message string
	// Quota reports that the refusal is about the account's allowance: the
	// reported count has reached its limit, or the message says so.
	Quota bool
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return "thailandpost: the API refused the request without a message"
	}
	return "thailandpost: the API refused the request: " + e.Message
}

// Parse reads a /track answer into one Result per barcode the answer holds,
// in barcode order. A barcode with no status lines gets the not_found error
// kind; one with a line whose date cannot be read gets bad_response and no
// events. An answer with status false is an *APIError; an answer that is not
// the documented JSON is another error.
//
// Events carry the status code as Code, the status description (and the
// delivery description, when there is one) as Text, the office and postcode
// as Location, and Gregorian times in Asia/Bangkok. Once a parcel is being
// returned (status 203), later lines describe the way back to the sender, so
// they take StageReturning, and a final delivery StageReturned.
//
// since is not needed: every date the API prints carries its year.
func Parse(body []byte, since time.Time) ([]tracker.Result, error) {
	_ = since
	var a trackAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("thailandpost: unable to decode the answer: %w", err)
	}
	if a.Status == nil {
		return nil, errors.New("thailandpost: the answer has no status")
	}
	if !*a.Status {
		e := &APIError{Message: strings.TrimSpace(a.Message)}
		if a.Response != nil && a.Response.TrackCount != nil {
			tc := a.Response.TrackCount
			e.Quota = tc.CountLimit > 0 && tc.Count >= tc.CountLimit
		}
		e.Quota = e.Quota || quotaMessage(e.Message)
		return nil, e
	}
	if a.Response == nil || a.Response.Items == nil {
		return nil, errors.New("thailandpost: the answer has no items")
	}
	numbers := make([]string, 0, len(a.Response.Items))
	for n := range a.Response.Items {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	out := make([]tracker.Result, 0, len(numbers))
	for _, n := range numbers {
		out = append(out, result(n, a.Response.Items[n]))
	}
	return out, nil
}

// result turns one barcode's status lines into a Result.
func result(number string, items []item) tracker.Result {
	r := tracker.Result{Number: number, Source: Name, Carrier: tracker.CarrierThailandPost}
	if len(items) == 0 {
		r.Error = tracker.ErrKindNotFound
		return r
	}
	events := make([]tracker.Event, 0, len(items))
	for _, it := range items {
		at, err := parseDate(it.StatusDate)
		if err != nil {
			r.Error = tracker.ErrKindBadResponse
			return r
		}
		events = append(events, tracker.Event{
			Time:     at,
			Location: location(it.Location, it.Postcode),
			Text:     text(it.StatusDescription, it.DeliveryDescription),
			Code:     strings.TrimSpace(it.Status),
			Stage:    Stage(strings.TrimSpace(it.Status)),
			Source:   Name,
		})
	}
	slices.SortStableFunc(events, func(a, b tracker.Event) int { return a.Time.Compare(b.Time) })
	returning := false
	for i := range events {
		e := &events[i]
		switch {
		case e.Code == "203":
			returning = true
		case returning && e.Stage == tracker.StageDelivered:
			e.Stage = tracker.StageReturned
		case returning && e.Stage != tracker.StageException:
			e.Stage = tracker.StageReturning
		}
	}
	r.Events = events
	return r
}

func location(office, postcode string) string {
	office, postcode = strings.TrimSpace(office), strings.TrimSpace(postcode)
	switch {
	case postcode == "" || strings.Contains(office, postcode):
		return office
	case office == "":
		return postcode
	}
	return office + " " + postcode
}

func text(status, delivery string) string {
	status, delivery = strings.TrimSpace(status), strings.TrimSpace(delivery)
	if delivery == "" || delivery == status {
		return status
	}
	if status == "" {
		return delivery
	}
	return status + " - " + delivery
}

// quotaMessage reports whether an error message from the API is about the
// account's allowance rather than the request.
func quotaMessage(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"quota", "limit", "exceed", "เกิน", "จำกัด", "โควต้า"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// bangkok is Thailand's zone. Thailand has kept UTC+7 without daylight
// saving since 1920, so the fixed zone is exact where tzdata is missing.
var bangkok = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Bangkok"); err == nil {
		return loc
	}
	return time.FixedZone("+07", 7*60*60)
}()

// buddhistEra is how many years the Thai solar calendar runs ahead of the
// Gregorian one (2562 BE = 2019 CE).
const buddhistEra = 543

// firstBuddhistYear is the smallest year read as Buddhist era: 2400 BE is
// 1857 CE, long before any parcel, while no Gregorian date the API prints
// comes near it.
const firstBuddhistYear = 2400

var (
	dayFirst = []string{
		"02/01/2006 15:04:05Z07:00",
		"02/01/2006 15:04:05-0700",
		"02/01/2006 15:04Z07:00",
		"02/01/2006 15:04:05",
		"02/01/2006 15:04",
		"02/01/2006",
	}
	yearFirst = []string{
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02 15:04:05-0700",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04:05",
	}
)

// parseDate reads a date as the API prints it: day first in status lines
// ("19/07/2562 13:10:00+07:00"), year first in the token's expiry
// ("2019-09-28 10:18:20+07:00"). A year of 2400 or more is in the Buddhist
// era; the API uses it in Thai answers and the Gregorian year in English
// ones. The year is converted before the date is validated, so 29/02/2563
// (a leap day in 2020) is read correctly. A time without a zone is Bangkok
// time; the result is in Asia/Bangkok.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var (
		at      int
		layouts []string
	)
	switch {
	case len(s) >= 10 && s[2] == '/' && s[5] == '/':
		at, layouts = 6, dayFirst
	case len(s) >= 10 && s[4] == '-' && s[7] == '-':
		at, layouts = 0, yearFirst
	default:
		return time.Time{}, fmt.Errorf("thailandpost: unreadable date %q", s)
	}
	year := s[at : at+4]
	for i := 0; i < len(year); i++ {
		if year[i] < '0' || year[i] > '9' {
			return time.Time{}, fmt.Errorf("thailandpost: unreadable year in %q", s)
		}
	}
	y, _ := strconv.Atoi(year)
	if y >= firstBuddhistYear {
		y -= buddhistEra
		s = s[:at] + fmt.Sprintf("%04d", y) + s[at+4:]
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, bangkok); err == nil {
			return t.In(bangkok), nil
		}
	}
	return time.Time{}, fmt.Errorf("thailandpost: unreadable date %q", s)
}
