// Package intent understands what a chat message asks for: follow a number,
// where is my parcel, when will it arrive, why is it late, stop, rename, and
// the other conversation features, in Japanese, English and Thai. It is pure:
// Understand reads the text (and the current time, for yearless dates) and
// returns the intent, the language the message is written in, the tracking
// numbers it holds and which parcel it refers to.
package intent
