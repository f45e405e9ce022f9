// Package poller is the poll loop: a scheduler that claims due shipments from
// the store under a lease, a bounded pool of workers that fetch them through
// tracker sources in batches, and one atomic commit per shipment of the new
// snapshot, its notifications and its next check time.
package poller
