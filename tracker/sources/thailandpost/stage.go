package thailandpost

import "github.com/todoku/todoku/tracker"

// statusStages maps every status code the Track & Trace API documents to a
// stage. The English names are the API's own; the Thai ones are what it
// sends with language TH.
var statusStages = map[string]tracker.Stage{
	"101": tracker.StageInfoReceived,       // Preload (เตรียมการฝากส่ง)
	"102": tracker.StagePickedUp,           // Accepted by agent (รับฝากผ่านตัวแทน)
	"103": tracker.StagePickedUp,           // Posting/Collection (รับฝาก)
	"104": tracker.StageException,          // Withdrawn by the sender, acceptance cancelled (ผู้ฝากส่งขอถอนคืน / ยกเลิกการรับฝาก)
	"201": tracker.StageInTransit,          // In transit (อยู่ระหว่างการขนส่ง)
	"202": tracker.StageImportCustoms,      // Perform customs clearance (ดำเนินพิธีการศุลกากร)
	"203": tracker.StageReturning,          // Return to sender (ส่งคืนต้นทาง)
	"204": tracker.StageAtSortingCenter,    // Arrival at outward office of exchange (ถึงที่ทำการแลกเปลี่ยนระหว่างประเทศขาออก)
	"205": tracker.StageArrivedDestination, // Arrival at inward office of exchange (ถึงที่ทำการแลกเปลี่ยนระหว่างประเทศขาเข้า)
	"206": tracker.StageHandedToLastMile,   // Arrival at post office (ถึงที่ทำการไปรษณีย์)
	"207": tracker.StageInTransit,          // Prepare transit
	"208": tracker.StageDepartedOrigin,     // Departure from outward office of exchange (ส่งออกจากที่ทำการแลกเปลี่ยนระหว่างประเทศขาออก)
	"209": tracker.StageException,          // Export cancelled (ยกเลิกการส่งออก)
	"210": tracker.StageException,          // Import cancelled (ยกเลิกการนำเข้า)
	"211": tracker.StageAtSortingCenter,    // Received at sorting centre (รับเข้า ณ ศูนย์คัดแยก)
	"212": tracker.StageDepartedOrigin,     // Handed to the airline (ส่งมอบให้สายการบิน)
	"213": tracker.StageDepartedOrigin,     // Accepted by the airline (สายการบินรับมอบ)
	"301": tracker.StageOutForDelivery,     // Item out for physical delivery (อยู่ระหว่างการนำจ่าย)
	"302": tracker.StageAwaitingPickup,     // Arrival at collection point for pick-up (นำจ่าย ณ จุดรับสิ่งของ)
	"401": tracker.StageAttemptedDelivery,  // Unsuccessful delivery (นำจ่ายไม่สำเร็จ)
	"402": tracker.StageException,          // Notice posted at the acceptance office, call 1545 (ปิดประกาศ ณ ที่ทำการรับฝาก)
	"501": tracker.StageDelivered,          // Final delivery (นำจ่ายสำเร็จ)
	"901": tracker.StageDelivered,          // Cash on delivery paid out to the seller (โอนเงินให้ผู้ขายเรียบร้อยแล้ว)
}

// Stage maps a Track & Trace status code to a stage. Codes the API does not
// document map to StageException in the 4xx (failure) family and to
// StageInTransit otherwise; the raw code stays on the event.
func Stage(statusCode string) tracker.Stage {
	st, _ := stage(statusCode)
	return st
}

// stage is Stage that also says whether the code is documented.
func stage(code string) (tracker.Stage, bool) {
	if st, ok := statusStages[code]; ok {
		return st, true
	}
	if len(code) == 3 && code[0] == '4' {
		return tracker.StageException, false
	}
	return tracker.StageInTransit, false
}
