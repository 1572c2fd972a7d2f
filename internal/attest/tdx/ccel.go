package tdx

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
)

// TCG algorithm IDs used by CC event logs.
const (
	algSHA1   = 0x0004
	algSHA256 = 0x000B
	algSHA384 = 0x000C
	algSHA512 = 0x000D
	algSM3    = 0x0012
)

// MaxEventLogSize bounds the CC event log we parse (upstream issue: large
// event logs; the ACPI CCEL area is 64 KiB on most firmware, but grub and
// the kernel can append more).
const MaxEventLogSize = 4 << 20

// maxEvents bounds the number of events, so a crafted log cannot make us
// allocate without end.
const maxEvents = 1 << 16

// Digest is one digest of an event.
type Digest struct {
	Alg    uint16
	Digest []byte
}

// Event is one TCG PCR_EVENT2 of a CC event log. Index is the CC MR index
// (1..4 for RTMR 0..3; 0 for MRTD).
type Event struct {
	Index   uint32
	Type    uint32
	Digests []Digest
	Data    []byte
}

// SHA384 returns the event's SHA-384 digest, or nil.
func (e Event) SHA384() []byte {
	for _, d := range e.Digests {
		if d.Alg == algSHA384 {
			return d.Digest
		}
	}
	return nil
}

// ParseEventLog parses a CC event log in the TCG crypto-agile format (the
// CCEL ACPI table's log area): a TCG_PCR_EVENT "Spec ID Event03" header and
// TCG_PCR_EVENT2 entries. Unused space (0xFF or 0x00 fill) ends the log.
func ParseEventLog(data []byte) ([]Event, error) {
	if len(data) > MaxEventLogSize {
		return nil, fmt.Errorf("parse event log: %d bytes exceeds limit of %d", len(data), MaxEventLogSize)
	}
	r := reader{b: data}
	// Header: pcrIndex, eventType (EV_NO_ACTION), SHA-1 digest, size, Spec ID event.
	r.u32()
	if typ := r.u32(); typ != 3 {
		return nil, errors.New("parse event log: first event is not EV_NO_ACTION (Spec ID Event)")
	}
	r.take(20)
	spec := r.take(int(r.u32()))
	if r.err != nil {
		return nil, fmt.Errorf("parse event log header: %w", r.err)
	}
	sizes, err := parseSpecID(spec)
	if err != nil {
		return nil, err
	}
	var out []Event
	for r.remaining() >= 8 {
		idx := binary.LittleEndian.Uint32(r.b[r.off:])
		if idx == 0xFFFFFFFF || (idx == 0 && binary.LittleEndian.Uint32(r.b[r.off+4:]) == 0) {
			break // unused log area
		}
		if len(out) >= maxEvents {
			return nil, fmt.Errorf("parse event log: more than %d events", maxEvents)
		}
		ev := Event{Index: r.u32(), Type: r.u32()}
		n := r.u32()
		if r.err == nil && n > uint32(len(sizes)) {
			return nil, fmt.Errorf("parse event log: event %d has %d digests, header declares %d algorithms", len(out), n, len(sizes))
		}
		for i := uint32(0); i < n && r.err == nil; i++ {
			alg := r.u16()
			size, ok := sizes[alg]
			if !ok {
				return nil, fmt.Errorf("parse event log: event %d uses undeclared algorithm 0x%x", len(out), alg)
			}
			ev.Digests = append(ev.Digests, Digest{Alg: alg, Digest: r.take(int(size))})
		}
		ev.Data = r.take(int(r.u32()))
		if r.err != nil {
			return nil, fmt.Errorf("parse event log: event %d: %w", len(out), r.err)
		}
		out = append(out, ev)
	}
	return out, nil
}

func parseSpecID(spec []byte) (map[uint16]uint16, error) {
	const sig = "Spec ID Event03\x00"
	r := reader{b: spec}
	if string(r.take(len(sig))) != sig {
		return nil, errors.New("parse event log: header is not a Spec ID Event03")
	}
	r.u32()   // platform class
	r.take(4) // spec version minor, major, errata, uintn size
	n := r.u32()
	if r.err != nil || n == 0 || n > 16 {
		return nil, errors.New("parse event log: bad algorithm count in Spec ID event")
	}
	sizes := map[uint16]uint16{}
	for i := uint32(0); i < n; i++ {
		alg, size := r.u16(), r.u16()
		if size == 0 || size > 64 {
			return nil, fmt.Errorf("parse event log: algorithm 0x%x has digest size %d", alg, size)
		}
		sizes[alg] = size
	}
	if r.err != nil {
		return nil, fmt.Errorf("parse event log: Spec ID event: %w", r.err)
	}
	return sizes, nil
}

// Replay extends RTMR 0..3 with the SHA-384 digests of events 1..4, as the
// TDX module did, and returns the resulting registers.
func Replay(events []Event) ([4][48]byte, error) {
	var rtmr [4][48]byte
	for i, e := range events {
		if e.Index < 1 || e.Index > 4 || e.Type == 3 { // MRTD or EV_NO_ACTION: not extended
			continue
		}
		d := e.SHA384()
		if len(d) != 48 {
			return rtmr, fmt.Errorf("event %d extends RTMR%d without a SHA-384 digest", i, e.Index-1)
		}
		h := sha512.New384()
		h.Write(rtmr[e.Index-1][:])
		h.Write(d)
		copy(rtmr[e.Index-1][:], h.Sum(nil))
	}
	return rtmr, nil
}

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) remaining() int { return len(r.b) - r.off }

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.remaining() {
		r.err = errors.New("truncated")
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

var eventTypeNames = map[uint32]string{
	0x0: "EV_PREBOOT_CERT", 0x1: "EV_POST_CODE", 0x2: "EV_UNUSED", 0x3: "EV_NO_ACTION",
	0x4: "EV_SEPARATOR", 0x5: "EV_ACTION", 0x6: "EV_EVENT_TAG", 0x7: "EV_S_CRTM_CONTENTS",
	0x8: "EV_S_CRTM_VERSION", 0x9: "EV_CPU_MICROCODE", 0xA: "EV_PLATFORM_CONFIG_FLAGS",
	0xB: "EV_TABLE_OF_DEVICES", 0xC: "EV_COMPACT_HASH", 0xD: "EV_IPL", 0xE: "EV_IPL_PARTITION_DATA",
	0xF: "EV_NONHOST_CODE", 0x10: "EV_NONHOST_CONFIG", 0x11: "EV_NONHOST_INFO",
	0x12:       "EV_OMIT_BOOT_DEVICE_EVENTS",
	0x80000000: "EV_EFI_EVENT_BASE", 0x80000001: "EV_EFI_VARIABLE_DRIVER_CONFIG",
	0x80000002: "EV_EFI_VARIABLE_BOOT", 0x80000003: "EV_EFI_BOOT_SERVICES_APPLICATION",
	0x80000004: "EV_EFI_BOOT_SERVICES_DRIVER", 0x80000005: "EV_EFI_RUNTIME_SERVICES_DRIVER",
	0x80000006: "EV_EFI_GPT_EVENT", 0x80000007: "EV_EFI_ACTION", 0x80000008: "EV_EFI_PLATFORM_FIRMWARE_BLOB",
	0x80000009: "EV_EFI_HANDOFF_TABLES", 0x8000000A: "EV_EFI_PLATFORM_FIRMWARE_BLOB2",
	0x8000000B: "EV_EFI_HANDOFF_TABLES2", 0x8000000C: "EV_EFI_VARIABLE_BOOT2",
	0x80000010: "EV_EFI_HCRTM_EVENT", 0x800000E0: "EV_EFI_VARIABLE_AUTHORITY",
	0x800000E1: "EV_EFI_SPDM_FIRMWARE_BLOB", 0x800000E2: "EV_EFI_SPDM_FIRMWARE_CONFIG",
}

// TypeName returns the TCG name of an event type.
func TypeName(t uint32) string {
	if n, ok := eventTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("0x%08X", t)
}

var algNames = map[uint16]string{algSHA1: "SHA-1", algSHA256: "SHA-256", algSHA384: "SHA-384", algSHA512: "SHA-512", algSM3: "SM3"}

// AlgName returns the name upstream uses for a TCG algorithm ID.
func AlgName(a uint16) string {
	if n, ok := algNames[a]; ok {
		return n
	}
	return fmt.Sprintf("0x%04X", a)
}
