// Package sim measures polling policies on virtual time: it subscribes
// sandbox parcels in a real store, runs the real poller and dispatcher step
// by step against the sandbox held to a carrier's rate limit (and, in a
// fault scenario, down for a while), and reports carrier requests per
// delivered parcel, how long each event takes to reach the chat ("out for
// delivery" first), and the pushes a platform with a monthly quota (LINE)
// would count.
package sim
