// Package sim measures polling policies on virtual time: it subscribes
// sandbox parcels in a real store, runs the real poller and dispatcher step
// by step, and reports carrier requests per delivered parcel, how long "out
// for delivery" takes to reach the chat, and the pushes a platform with a
// monthly quota (LINE) would count.
package sim
