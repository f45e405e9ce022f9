// Package sandbox is a simulated carrier for demos, tests and load tests. It
// serves only numbers with the reserved SBX prefix (SBX + two letters + 4 to 8
// digits, e.g. SBXJP0001) and gives each one a deterministic, plausible journey
// from China to Japan (SBXJP…) or Thailand (SBXTH…), anchored at the time Todoku
// began following the number and optionally accelerated. Scans carry the local
// time of their place, and the last mile keeps the destination's clock: "out for
// delivery" leaves with the morning delivery run (or a courier's afternoon run)
// after the parcel reaches the delivery office, and deliveries end by evening.
//
// SBXJP0001, SBXTH0001 and SBXTH0002 are always clean happy paths; SBXJP0002
// (redelivery), SBXJP0003 (pickup point) and SBXTH0003 (held after a failed
// attempt) always show a delivery problem. Every other number gets its route
// details, durations and any problem from a hash of the number.
package sandbox
