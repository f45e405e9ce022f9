// Package tracker is Todoku's domain model: canonical tracking numbers and their
// detection in free text, the ordered Stage enum with stable IDs, events,
// shipments, the Source interface every carrier integration implements, and the
// diff that tells which events and which stage are new. It imports no other
// package of the project.
package tracker
