package seventeentrack

import "github.com/todoku/todoku/tracker"

// carrierKeys maps Todoku carrier IDs to 17TRACK's numeric carrier keys (the
// "key" column of 17TRACK's carrier list).
// Carriers whose 17TRACK entry is ambiguous (BEST Express runs separate
// networks) are left out: 17TRACK detects them itself.
var carrierKeys = map[string]int{
	tracker.CarrierCainiao:      190271, // 菜鸟 (cainiao)
	tracker.CarrierChinaPost:    3011,   // China Post
	tracker.CarrierJapanPost:    10021,  // Japan Post
	tracker.CarrierYamato:       100062, // Yamato
	tracker.CarrierSagawa:       100040, // Sagawa
	tracker.CarrierThailandPost: 20041,  // Thailand Post
	tracker.CarrierYanwen:       190012, // 燕文物流 (yanwen)
	tracker.CarrierYunExpress:   190008, // 云途物流 (yunexpress)
	tracker.Carrier4PX:          190094, // 递四方 (fpx)
	tracker.CarrierJTExpress:    190442, // 极兔速递 (JTEXPRESSCN)
	tracker.CarrierSFExpress:    100012, // 顺丰速运 (sfexpress)
	tracker.CarrierUPS:          100002, // UPS
	tracker.CarrierUSPS:         21051,  // USPS
	tracker.CarrierFedEx:        100003, // Fedex
	tracker.CarrierDHLExpress:   100001, // DHL
	tracker.CarrierKerry:        100236, // 嘉里物流(泰国) (KERRYEXPRESSTH)
	tracker.CarrierFlash:        100235, // Flash Express
	tracker.CarrierJTThailand:   100271, // J&T Express (TH)
}

// chinaEMS is China Post's EMS service, reported as China Post.
const chinaEMS = 3013

// carrierIDs maps 17TRACK carrier keys back to Todoku carrier IDs.
var carrierIDs = func() map[int]string {
	m := make(map[int]string, len(carrierKeys)+1)
	for id, key := range carrierKeys {
		m[key] = id
	}
	m[chinaEMS] = tracker.CarrierChinaPost
	return m
}()

// candidate returns the best reading Detect gives for number as a whole, if
// any, leaving out sandbox numbers, which only the sandbox serves.
func candidate(number string) (tracker.Candidate, bool) {
	for _, c := range tracker.Detect(number) {
		if c.Number == number && c.Format != tracker.FormatSandbox {
			return c, true
		}
	}
	return tracker.Candidate{}, false
}

// keyFor is the carrier key to register number with: the 17TRACK key of
// its carrier when the number's shape names exactly one carrier Todoku knows,
// otherwise 0, which lets 17TRACK detect the carrier itself.
func keyFor(number string) int {
	c, ok := candidate(number)
	if !ok || len(c.Carriers) != 1 {
		return 0
	}
	return carrierKeys[c.Carriers[0]]
}
