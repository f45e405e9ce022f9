package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/todoku/todoku/tracker"
)

// Shipment snapshots are stored in a compact binary form that both backends
// share. A value starts with a format byte; JSON written by older versions
// starts with '{' and is still read.
//
// Format 1:
//
//	0x01
//	stage ID (ASCII) 0x00            readable by Lua: '^\1([%l_]*)%z'
//	checked-at (16 bytes)            Unix seconds (int64), nanoseconds (uint32),
//	                                 zone offset in seconds (int32), big-endian;
//	                                 fixed width so a backend can rewrite it in
//	                                 place (TouchShipment)
//	body, raw DEFLATE with shipmentDict as preset dictionary:
//	  number, carrier, source, last mile, error: strings
//	  linked: count, strings
//	  since, eta, failing since: times
//	  sandbox: one byte
//	  events: count, then per event: time (seconds as a delta from the
//	  previous event's), location, text, code, source, stage ID
//
// Strings are a uvarint length and bytes; times are varint seconds (or a
// delta), uvarint nanoseconds and varint zone offset seconds. Decoded times
// carry the same location a JSON round trip gives them (UTC, Local when
// the offset is the local one at that instant, else a fixed zone).
const formatV1 = 0x01

// checkedAtSize is the width of the fixed checked-at field.
const checkedAtSize = 16

// shipmentDict primes the compressor with words carriers use, so that even
// a short timeline compresses well. It is part of format 1: never change
// it; a new dictionary needs a new format byte.
const shipmentDict = "not_foundinfo_receivedpicked_upat_sorting_centerexport_customsdeparted_origin" +
	"in_transitarrived_destinationimport_customshanded_to_last_mileout_for_delivery" +
	"attempted_deliveryawaiting_pickupdeliveredreturningreturnedexceptionlostexpired" +
	"cainiaoseventeentrackjapanpostyamatosagawathailandpostsandbox" +
	"PU_PICKUP_SUCCESSSC_INBOUND_SUCCESSSC_OUTBOUND_SUCCESSGTMS_OE_DEPARTLH_HO_IN_SUCCESS" +
	"LH_HO_AIRLINELH_DEPARTLH_ARRIVECC_EX_STARTCC_EX_SUCCESSCC_IM_STARTCC_IM_SUCCESS" +
	"GTMS_ACCEPTGTMS_DO_DEPARTGTMS_SIGNEDCOMMON_INTRANSITCW_OUTBOUNDLH_POST_COLLECTION" +
	"Order information receivedSeller shipped the parcelReceived by logistics company" +
	"Arrived at sorting centerDeparted from sorting centerLeft the warehouse" +
	"Export customs clearance startedExport customs clearance complete" +
	"Handed over to airlineDeparted from departure countryDeparted from origin country" +
	"Arrived at destination airportArrived at linehaul officewait for customs clearance" +
	"Import customs clearance startedImport customs clearance completeHanded over to customs" +
	"Handed over to last mile carrier, new tracking number: Arrived at delivery center" +
	"Arrival at collection/delivery officeOut for deliveryDelivery attempted. Notice left." +
	"Absence. Attempted delivery.Retention at post officeFinal deliveryPackage delivered" +
	"Delivered at counterShipment departed from facilityAccepted for transportation by postal service" +
	"International Exchange OfficeInternational AirportPost OfficeDelivery CenterSales Office" +
	"ShenzhenGuangzhouYiwuHangzhouDongguanShanghaiHong KongTokyoOsakaBangkokChinaJapanThailand"

// ErrUnknownFormat: a stored shipment value is in no format this build reads.
var ErrUnknownFormat = errors.New("store: unknown shipment encoding")

var (
	writers = sync.Pool{New: func() any {
		w, err := flate.NewWriterDict(io.Discard, flate.DefaultCompression, []byte(shipmentDict))
		if err != nil {
			panic(err) // only for an invalid level
		}
		return w
	}}
	readers sync.Pool // of io.ReadCloser that are flate.Resetter
	bodies  = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// stagesByID maps every stage ID, and "" for StageUnknown, to its stage,
// so decoding looks a stage up without allocating.
var stagesByID = func() map[string]tracker.Stage {
	m := map[string]tracker.Stage{"": tracker.StageUnknown}
	for _, st := range tracker.Stages() {
		m[st.String()] = st
	}
	return m
}()

// parseStage is Stage.UnmarshalText without the allocation.
func parseStage(b []byte) (tracker.Stage, error) {
	if st, ok := stagesByID[string(b)]; ok {
		return st, nil
	}
	var st tracker.Stage
	err := st.UnmarshalText(b) // for its error
	return st, err
}

// EncodeShipment encodes sh in the current format.
func EncodeShipment(sh tracker.Shipment) []byte {
	var body []byte
	body = appendString(body, sh.Number)
	body = appendString(body, sh.Carrier)
	body = appendString(body, sh.Source)
	body = appendString(body, sh.LastMile)
	body = appendString(body, sh.Error)
	body = binary.AppendUvarint(body, uint64(len(sh.Linked)))
	for _, l := range sh.Linked {
		body = appendString(body, l)
	}
	body = appendTime(body, sh.Since, 0)
	body = appendTime(body, sh.ETA, 0)
	body = appendTime(body, sh.FailingSince, 0)
	if sh.Sandbox {
		body = append(body, 1)
	} else {
		body = append(body, 0)
	}
	body = binary.AppendUvarint(body, uint64(len(sh.Events)))
	var prev int64
	for _, e := range sh.Events {
		body = appendTime(body, e.Time, prev)
		prev = e.Time.Unix()
		body = appendString(body, e.Location)
		body = appendString(body, e.Text)
		body = appendString(body, e.Code)
		body = appendString(body, e.Source)
		body = appendString(body, e.Stage.String())
	}

	stage := sh.Stage.String()
	out := bytes.NewBuffer(make([]byte, 0, 2+len(stage)+checkedAtSize+len(body)/2+16))
	out.WriteByte(formatV1)
	out.WriteString(stage)
	out.WriteByte(0)
	out.Write(CheckedAtBytes(sh.CheckedAt))
	w := writers.Get().(*flate.Writer)
	w.Reset(out)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = w.Write(body)
	_ = w.Close()
	writers.Put(w)
	return out.Bytes()
}

// DecodeShipment decodes a value written by EncodeShipment, or the JSON
// of older versions.
func DecodeShipment(raw []byte) (tracker.Shipment, error) {
	var sh tracker.Shipment
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &sh); err != nil {
			return tracker.Shipment{}, fmt.Errorf("store: unable to decode shipment: %w", err)
		}
		return sh, nil
	}
	if len(raw) == 0 || raw[0] != formatV1 {
		return tracker.Shipment{}, ErrUnknownFormat
	}
	fail := func(err error) (tracker.Shipment, error) {
		return tracker.Shipment{}, fmt.Errorf("store: unable to decode shipment: %w", err)
	}
	end := bytes.IndexByte(raw[1:], 0)
	if end < 0 || len(raw) < 1+end+1+checkedAtSize {
		return fail(io.ErrUnexpectedEOF)
	}
	var err error
	if sh.Stage, err = parseStage(raw[1 : 1+end]); err != nil {
		return fail(err)
	}
	off := 1 + end + 1
	sh.CheckedAt = parseCheckedAt(raw[off : off+checkedAtSize])

	body := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(body)
	if err := inflate(body, raw[off+checkedAtSize:]); err != nil {
		return fail(err)
	}
	d := decoder{b: body.Bytes()}
	sh.Number = d.str()
	sh.Carrier = d.str()
	sh.Source = d.str()
	sh.LastMile = d.str()
	sh.Error = d.str()
	if n := d.count(); n > 0 {
		sh.Linked = make([]string, n)
		for i := range sh.Linked {
			sh.Linked[i] = d.str()
		}
	}
	sh.Since = d.time(0)
	sh.ETA = d.time(0)
	sh.FailingSince = d.time(0)
	sh.Sandbox = d.byte() == 1
	if n := d.count(); n > 0 {
		sh.Events = make([]tracker.Event, n)
		var prev int64
		for i := range sh.Events {
			e := &sh.Events[i]
			e.Time = d.time(prev)
			prev = e.Time.Unix()
			e.Location = d.shared()
			e.Text = d.shared()
			e.Code = d.shared()
			e.Source = d.shared()
			if st, err := parseStage(d.bytes()); err != nil && d.err == nil {
				d.err = err
			} else {
				e.Stage = st
			}
		}
	}
	if d.err != nil {
		return fail(d.err)
	}
	if len(d.b) != 0 {
		return fail(errors.New("trailing bytes"))
	}
	return sh, nil
}

// ShipmentStage returns the stage of an encoded shipment without decoding
// the rest.
func ShipmentStage(raw []byte) (tracker.Stage, error) {
	if len(raw) > 0 && raw[0] == formatV1 {
		end := bytes.IndexByte(raw[1:], 0)
		if end < 0 {
			return tracker.StageUnknown, fmt.Errorf("store: unable to decode shipment stage: %w", io.ErrUnexpectedEOF)
		}
		var st tracker.Stage
		if err := st.UnmarshalText(raw[1 : 1+end]); err != nil {
			return tracker.StageUnknown, fmt.Errorf("store: unable to decode shipment stage: %w", err)
		}
		return st, nil
	}
	sh, err := DecodeShipment(raw)
	return sh.Stage, err
}

// TouchShipment rewrites the checked-at of an encoded shipment in place and
// reports whether it could: values in an older format cannot be touched
// and must be written whole.
func TouchShipment(raw []byte, checkedAt time.Time) bool {
	off, ok := CheckedAtOffset(raw)
	if !ok {
		return false
	}
	copy(raw[off:], CheckedAtBytes(checkedAt))
	return true
}

// CheckedAtOffset returns where the fixed-width checked-at field of an
// encoded shipment starts, or false for values in an older format.
func CheckedAtOffset(raw []byte) (int, bool) {
	if len(raw) == 0 || raw[0] != formatV1 {
		return 0, false
	}
	end := bytes.IndexByte(raw[1:], 0)
	if end < 0 || len(raw) < 1+end+1+checkedAtSize {
		return 0, false
	}
	return 1 + end + 1, true
}

// CheckedAtBytes is the fixed-width checked-at field for t.
func CheckedAtBytes(t time.Time) []byte {
	_, offset := t.Zone()
	b := make([]byte, 0, checkedAtSize)
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	b = binary.BigEndian.AppendUint32(b, uint32(int32(offset)))
	return b
}

func parseCheckedAt(b []byte) time.Time {
	sec := int64(binary.BigEndian.Uint64(b))
	nsec := int64(binary.BigEndian.Uint32(b[8:]))
	offset := int(int32(binary.BigEndian.Uint32(b[12:])))
	return zoned(sec, nsec, offset)
}

// zoned builds the time a JSON round trip of an RFC 3339 time with this
// offset gives: UTC for offset zero, Local when the offset is the local
// one at that instant, else a fixed zone without a name.
func zoned(sec, nsec int64, offset int) time.Time {
	t := time.Unix(sec, nsec)
	if offset == 0 {
		return t.UTC()
	}
	if _, local := t.Zone(); local == offset {
		return t
	}
	return t.In(time.FixedZone("", offset))
}

// inflate decompresses a body into buf, which it resets first.
func inflate(buf *bytes.Buffer, compressed []byte) error {
	buf.Reset()
	src := bytes.NewReader(compressed)
	var r io.ReadCloser
	if v := readers.Get(); v != nil {
		r = v.(io.ReadCloser)
		if err := r.(flate.Resetter).Reset(src, []byte(shipmentDict)); err != nil {
			return err
		}
	} else {
		r = flate.NewReaderDict(src, []byte(shipmentDict))
	}
	_, err := buf.ReadFrom(r)
	readers.Put(r)
	return err
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time, base int64) []byte {
	_, offset := t.Zone()
	b = binary.AppendVarint(b, t.Unix()-base)
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	return binary.AppendVarint(b, int64(offset))
}

// decoder reads the body; the first error sticks and later reads return
// zero values.
type decoder struct {
	b   []byte
	err error

	// recent holds the last strings shared returned: events repeat their
	// locations, codes and sources, and one string serves them all.
	recent [8]string
	next   int
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = io.ErrUnexpectedEOF
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = io.ErrUnexpectedEOF
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that must fit in what is left.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		if d.err == nil {
			d.err = io.ErrUnexpectedEOF
		}
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil || n == 0 {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// bytes reads a string's bytes without copying them.
func (d *decoder) bytes() []byte {
	n := d.count()
	if d.err != nil {
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

// shared reads a string, reusing an equal one read recently.
func (d *decoder) shared() string {
	b := d.bytes()
	if len(b) == 0 {
		return ""
	}
	for _, s := range d.recent {
		if s == string(b) {
			return s
		}
	}
	s := string(b)
	d.recent[d.next] = s
	d.next = (d.next + 1) % len(d.recent)
	return s
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = io.ErrUnexpectedEOF
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) time(base int64) time.Time {
	sec := d.varint() + base
	nsec := d.uvarint()
	offset := d.varint()
	if d.err != nil || nsec >= 1e9 {
		if d.err == nil {
			d.err = errors.New("bad time")
		}
		return time.Time{}
	}
	return zoned(sec, int64(nsec), int(offset))
}
