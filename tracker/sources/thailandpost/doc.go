// Package thailandpost is the source for Thailand Post's official Track &
// Trace API (trackapi.thailandpost.co.th). It exchanges the long-lived API
// token from the developer portal for a short-lived access token, caches it
// until shortly before it expires, and asks for up to 100 barcodes per
// request. Dates come in the Buddhist era when the answer is in Thai and are
// converted to Gregorian times in Asia/Bangkok.
package thailandpost
