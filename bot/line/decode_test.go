package line

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

// TestDecodeEventMatchesSDK decodes events of every kind the bot answers,
// and some odd ones, both ways: decodeEvent must give what
// webhook.UnmarshalEvent gives.
func TestDecodeEventMatchesSDK(t *testing.T) {
	events := []string{
		`{"type":"message","mode":"active","timestamp":1732500000000,"source":{"type":"user","userId":"U4af4980629"},"webhookEventId":"01JD000000000000000000000A","deliveryContext":{"isRedelivery":false},"replyToken":"rt1","message":{"id":"444573844083572737","type":"text","quoteToken":"q","text":"LP00123456789012"}}`,
		`{"type":"message","mode":"active","timestamp":1732500000000,"source":{"type":"group","groupId":"Ca56f94637c","userId":"U4af4980629"},"webhookEventId":"01JD000000000000000000000B","deliveryContext":{"isRedelivery":true},"replyToken":"rt2","message":{"id":"1","type":"text","quoteToken":"q","text":"@todoku list","mention":{"mentionees":[{"index":0,"length":7,"type":"user","userId":"Ubot","isSelf":true}]}}}`,
		`{"type":"message","mode":"active","timestamp":1732500000000,"source":{"type":"room","roomId":"Ra8dbf4673c","userId":"U4af4980629"},"webhookEventId":"01JD000000000000000000000C","deliveryContext":{"isRedelivery":false},"replyToken":"rt3","message":{"id":"2","type":"image","quoteToken":"q","contentProvider":{"type":"line"}}}`,
		`{"type":"postback","mode":"active","timestamp":1732500000000,"source":{"type":"user","userId":"U4af4980629"},"webhookEventId":"01JD000000000000000000000D","deliveryContext":{"isRedelivery":false},"replyToken":"rt4","postback":{"data":"why LP00123456789012","params":{"datetime":"2026-11-25T10:00"}}}`,
		`{"type":"follow","mode":"active","timestamp":1732500000000,"source":{"type":"user","userId":"U4af4980629"},"webhookEventId":"01JD000000000000000000000E","deliveryContext":{"isRedelivery":false},"replyToken":"rt5","follow":{"isUnblocked":true}}`,
		`{"type":"join","mode":"active","timestamp":1732500000000,"source":{"type":"group","groupId":"Ca56f94637c"},"webhookEventId":"01JD000000000000000000000F","deliveryContext":{"isRedelivery":false},"replyToken":"rt6"}`,
		`{"type":"unfollow","mode":"active","timestamp":1732500000000,"source":{"type":"user","userId":"U4af4980629"},"webhookEventId":"01JD000000000000000000000G","deliveryContext":{"isRedelivery":false}}`,
		`{"type":"leave","mode":"active","timestamp":1732500000000,"source":{"type":"group","groupId":"Ca56f94637c"},"webhookEventId":"01JD000000000000000000000H","deliveryContext":{"isRedelivery":false}}`,
		`{"type":"memberJoined","mode":"active","timestamp":1732500000000,"source":{"type":"group","groupId":"Ca56f94637c"},"webhookEventId":"01JD000000000000000000000J","deliveryContext":{"isRedelivery":false},"replyToken":"rt7","joined":{"members":[{"type":"user","userId":"U1"}]}}`,
	}
	odd := []string{
		`{"type":"postback","TYPE":"message","webhookEventId":"a","source":{"type":"user","userId":"U1"},"postback":{"data":"list"}}`,
		`{"TYPE":"postback","webhookEventId":"b","source":{"type":"user","userId":"U1"}}`,
		`{"type":"message","type":"postback","webhookEventId":"c","source":{"type":"user","userId":"U1"},"postback":{"data":"x"}}`,
		`{"type":"message","webhookEventId":"d","source":{"type":"group","groupId":"C1","userId":"U1"},"message":{"type":"text","id":"1","text":"hi"}}`,
		`{"type":"message","message":{"type":"sticker"},"source":{"type":"room","roomId":"R1"}}`,
		`{"type":"follow","source":{"type":"user","userId":"U2"},"webhookEventId":"e"}`,
		`{"type":"unsend","unsend":{"messageId":"1"},"source":{"type":"user","userId":"U2"}}`,
		`{"type":"postback","source":"nope"}`,
		`{"type":7}`,
		`{}`,
	}
	for _, e := range append(events, odd...) {
		raw := json.RawMessage(e)
		want, wantErr := webhook.UnmarshalEvent(raw)
		got, err := decodeEvent(raw)
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, any(want)) && wantErr == nil {
			t.Errorf("decodeEvent(%s) = %#v, %v; UnmarshalEvent gives %#v, %v", raw, got, err, want, wantErr)
		}
	}
}
