// Package cainiao tracks parcels through Cainiao's public, keyless global
// tracking endpoint (GET /global/detail.json?mailNos=a,b,c&lang=en-US), the
// one behind global.cainiao.com. It serves LP numbers, S10 numbers from China
// and the other shapes Detect attributes to Cainiao, asks about up to
// BatchSize numbers per request, maps Cainiao's per-scan actionCodes onto
// tracker stages (Stage), and reports the last-mile carrier and domestic
// number after a handover.
package cainiao
