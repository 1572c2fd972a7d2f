package tdx

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"

	"github.com/trustgate/trustgate/internal/attest"
)

// Claim names, as upstream Trustee's TDX verifier emits them (compare
// testvectors/trustee/tdx/parse_tdx_claims_expected.json): the quote header
// and body as hex of their raw bytes, the decoded TD attributes, and the
// hoisted report_data and init_data (MRCONFIGID).
const (
	ClaimQuote         = "quote"
	ClaimTDAttributes  = "td_attributes"
	ClaimReportData    = "report_data"
	ClaimInitData      = "init_data"
	ClaimUEFIEventLogs = "uefi_event_logs"
)

type field struct {
	name     string
	off, end int
}

var headerFields = []field{
	{"version", 0, 2}, {"att_key_type", 2, 4}, {"tee_type", 4, 8}, {"reserved", 8, 12},
	{"vendor_id", 12, 28}, {"user_data", 28, 48},
}

var bodyFields = []field{
	{"tcb_svn", 0, 16}, {"mr_seam", 16, 64}, {"mrsigner_seam", 64, 112}, {"seam_attributes", 112, 120},
	{"td_attributes", 120, 128}, {"xfam", 128, 136}, {"mr_td", 136, 184}, {"mr_config_id", 184, 232},
	{"mr_owner", 232, 280}, {"mr_owner_config", 280, 328}, {"rtmr_0", 328, 376}, {"rtmr_1", 376, 424},
	{"rtmr_2", 424, 472}, {"rtmr_3", 472, 520}, {"report_data", 520, 584},
}

func hexFields(b []byte, fs []field) map[string]any {
	out := make(map[string]any, len(fs))
	for _, f := range fs {
		out[f.name] = hex.EncodeToString(b[f.off:f.end])
	}
	return out
}

// Claims maps a verified raw v4 quote to upstream's claims.
func Claims(raw []byte) attest.Claims {
	body := raw[bodyOffset : bodyOffset+bodySize]
	attrs := binary.LittleEndian.Uint64(body[120:128])
	return attest.Claims{
		ClaimQuote: map[string]any{
			"header": hexFields(raw[:headerSize], headerFields),
			"body":   hexFields(body, bodyFields),
		},
		ClaimTDAttributes: map[string]any{
			"debug":           attrs&(1<<0) != 0,
			"septve_disable":  attrs&(1<<28) != 0,
			"protection_keys": attrs&(1<<30) != 0,
			"key_locker":      attrs&(1<<31) != 0,
			"perfmon":         attrs&(1<<63) != 0,
		},
		ClaimReportData: hex.EncodeToString(body[520:584]),
		ClaimInitData:   hex.EncodeToString(body[184:232]),
	}
}

func eventClaims(events []Event) []any {
	out := make([]any, 0, len(events))
	for _, e := range events {
		digests := make([]any, 0, len(e.Digests))
		matches := false
		for _, d := range e.Digests {
			digests = append(digests, map[string]any{"alg": AlgName(d.Alg), "digest": hex.EncodeToString(d.Digest)})
			if d.Alg == algSHA384 {
				sum := sha512.Sum384(e.Data)
				matches = string(sum[:]) == string(d.Digest)
			}
		}
		out = append(out, map[string]any{
			"index":                e.Index,
			"type_name":            TypeName(e.Type),
			"digests":              digests,
			"event":                base64.StdEncoding.EncodeToString(e.Data),
			"digest_matches_event": matches,
			"details":              Details(e),
		})
	}
	return out
}

// Body returns the 584-byte TD quote body of a raw v4 quote (call only on a
// quote that VerifiedQuote accepted).
func Body(raw []byte) []byte { return raw[bodyOffset : bodyOffset+bodySize] }
