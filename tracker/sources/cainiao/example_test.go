package cainiao_test

import (
	"fmt"
	"time"

	"github.com/todoku/todoku/tracker"
	"github.com/todoku/todoku/tracker/sources/cainiao"
)

// A parcel signed for by a pickup station waits there for the buyer: it is
// not delivered yet.
func ExampleStage() {
	fmt.Println(cainiao.Stage("GTMS_STA_SIGNED", "Signed by station"))
	fmt.Println(cainiao.Stage("GTMS_SIGNED", "Package delivered"))
	fmt.Println(cainiao.Stage("SOMETHING_NEW", "Delivery failed"))
	// Output:
	// awaiting_pickup
	// delivered
	// exception
}

func ExampleParse() {
	body := []byte(`{"success":true,"module":[
	  {"mailNo":"LP00812345678901","copyRealMailNo":"490123456782","destCpInfo":{"cpName":"Japan Post"},
	   "detailList":[{"time":1773037800000,"timeStr":"2026-03-09 14:30:00","timeZone":"GMT+09:00",
	     "actionCode":"GTMS_ACCEPT","standerdDesc":"Received by local delivery company"}]},
	  {"mailNo":"LP00811111111111","mailNoSource":"EXTERNAL","detailList":[]}]}`)
	rs, err := cainiao.Parse(body, time.Time{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rs {
		if r.Error != "" {
			fmt.Println(r.Number, r.Error)
			continue
		}
		e := r.Events[0]
		fmt.Println(r.Number, tracker.StageOf(r.Events), e.Time.Format("2006-01-02 15:04 -07:00"), r.Linked, r.LastMile)
	}
	// Output:
	// LP00812345678901 handed_to_last_mile 2026-03-09 14:30 +09:00 [490123456782] japan-post
	// LP00811111111111 not_found
}
