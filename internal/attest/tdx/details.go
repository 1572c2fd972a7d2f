package tdx

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Event types whose data the details decode.
const (
	evPostCode            = 0x1
	evAction              = 0x5
	evEventTag            = 0x6
	evSCRTMVersion        = 0x8
	evPlatformConfigFlags = 0xA
	evCompactHash         = 0xC
	evIPL                 = 0xD
	evEFIVariableDriver   = 0x80000001
	evEFIVariableBoot     = 0x80000002
	evEFIBootApplication  = 0x80000003
	evEFIBootDriver       = 0x80000004
	evEFIRuntimeDriver    = 0x80000005
	evEFIAction           = 0x80000007
	evEFIFirmwareBlob2    = 0x8000000A
	evEFIHandoffTables2   = 0x8000000B
	evEFIVariableBoot2    = 0x8000000C
	evEFIVariableAuth     = 0x800000E0
)

// Details decodes the event data the way reference-value rules match it
// (upstream Trustee's uefi_event_logs[].details):
//
//   - image loads (EV_EFI_BOOT_SERVICES_APPLICATION, …_DRIVER,
//     EV_EFI_RUNTIME_SERVICES_DRIVER): "device_paths", one string per
//     device path node, e.g. ["VenMedia(1428f772-…)", "File(kernel)"]
//     for a kernel that TDVF loaded directly;
//   - UEFI variables: "unicode_name" ("SecureBoot") and "variable_name"
//     (the vendor GUID);
//   - text events (EV_EVENT_TAG, EV_IPL, EV_EFI_ACTION, …): "string", e.g.
//     "LOADED_IMAGE::LoadOptions" for the kernel command line TDVF measures;
//   - EV_EFI_PLATFORM_FIRMWARE_BLOB2 / EV_EFI_HANDOFF_TABLES2: "string",
//     the description.
//
// Data that does not decode gives no details: the digest is what was
// extended, so matching on digests stays possible.
func Details(e Event) map[string]any {
	d := map[string]any{}
	switch e.Type {
	case evEFIBootApplication, evEFIBootDriver, evEFIRuntimeDriver:
		if len(e.Data) < 32 {
			return d
		}
		n := binary.LittleEndian.Uint64(e.Data[24:32])
		if n > uint64(len(e.Data)-32) {
			return d
		}
		paths, ok := devicePath(e.Data[32 : 32+n])
		if !ok {
			return d
		}
		d["device_paths"] = paths
	case evEFIVariableDriver, evEFIVariableBoot, evEFIVariableBoot2, evEFIVariableAuth:
		if len(e.Data) < 32 {
			return d
		}
		n := binary.LittleEndian.Uint64(e.Data[16:24])
		if n > uint64(len(e.Data)-32)/2 {
			return d
		}
		d["variable_name"] = guid(e.Data[0:16])
		d["unicode_name"] = utf16String(e.Data[32 : 32+2*n])
	case evEventTag:
		data := e.Data
		// TCG_PCClientTaggedEvent: taggedEventID, taggedEventDataSize, data.
		if len(data) >= 8 && int(binary.LittleEndian.Uint32(data[4:8])) == len(data)-8 {
			data = data[8:]
		}
		if s, ok := text(data); ok {
			d["string"] = s
		}
	case evPostCode, evAction, evSCRTMVersion, evPlatformConfigFlags, evCompactHash, evIPL, evEFIAction:
		if s, ok := text(e.Data); ok {
			d["string"] = s
		}
	case evEFIFirmwareBlob2, evEFIHandoffTables2:
		if len(e.Data) > 0 && int(e.Data[0]) < len(e.Data) {
			if s, ok := text(e.Data[1 : 1+int(e.Data[0])]); ok {
				d["string"] = s
			}
		}
	}
	return d
}

// text decodes b as UTF-8 or, when it looks like it, UTF-16LE, without
// trailing NULs; ok is false for binary data.
func text(b []byte) (string, bool) {
	if len(b) >= 2 && len(b)%2 == 0 && b[1] == 0 && b[0] != 0 {
		s := utf16String(b)
		if printable(s) {
			return s, true
		}
	}
	s := strings.TrimRight(string(b), "\x00")
	if s == "" || !utf8.ValidString(s) || !printable(s) {
		return "", false
	}
	return s, true
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return s != ""
}

func utf16String(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// guid formats an EFI_GUID (first three fields little-endian).
func guid(b []byte) string {
	le := binary.LittleEndian
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", le.Uint32(b[0:4]), le.Uint16(b[4:6]), le.Uint16(b[6:8]), b[8:10], b[10:16])
}

// devicePath renders each node of a UEFI device path (UEFI spec §10.3,
// text forms of §10.6 for the nodes boot chains use); ok is false when the
// nodes do not tile the data.
func devicePath(b []byte) ([]any, bool) {
	var out []any
	for len(b) >= 4 {
		typ, sub, n := b[0], b[1], int(binary.LittleEndian.Uint16(b[2:4]))
		if n < 4 || n > len(b) {
			return nil, false
		}
		body := b[4:n]
		b = b[n:]
		if typ == 0x7F { // end of path (instance)
			continue
		}
		out = append(out, nodeText(typ, sub, body))
	}
	return out, len(b) == 0
}

func nodeText(typ, sub byte, b []byte) string {
	le := binary.LittleEndian
	switch {
	case typ == 1 && sub == 1 && len(b) == 2:
		return fmt.Sprintf("Pci(0x%x,0x%x)", b[1], b[0])
	case typ == 2 && sub == 1 && len(b) == 8 && le.Uint32(b[0:4]) == 0x0A0341D0:
		return fmt.Sprintf("PciRoot(0x%x)", le.Uint32(b[4:8]))
	case typ == 3 && sub == 0x17 && len(b) == 12:
		return fmt.Sprintf("NVMe(0x%x,%x)", le.Uint32(b[0:4]), b[4:12])
	case typ == 4 && sub == 1 && len(b) == 38:
		return fmt.Sprintf("HD(%d,GPT,%s,0x%x,0x%x)", le.Uint32(b[0:4]), guid(b[20:36]), le.Uint64(b[4:12]), le.Uint64(b[12:20]))
	case typ == 4 && sub == 3 && len(b) >= 16:
		return fmt.Sprintf("VenMedia(%s)", guid(b[0:16]))
	case typ == 4 && sub == 4:
		return fmt.Sprintf("File(%s)", utf16String(b))
	case typ == 4 && sub == 6 && len(b) == 16:
		return fmt.Sprintf("FvFile(%s)", guid(b))
	case typ == 4 && sub == 7 && len(b) == 16:
		return fmt.Sprintf("Fv(%s)", guid(b))
	}
	return fmt.Sprintf("Path(%d,%d,%x)", typ, sub, b)
}
