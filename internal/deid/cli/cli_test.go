package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid/ner"
	"github.com/trustgate/trustgate/internal/deid/ner/onnxgen"
	"github.com/trustgate/trustgate/internal/testenv"
)

// canary values: if any of them shows up on stderr or in a log, a note leaked.
const (
	canaryName  = "Zebulon Quartermaine"
	canaryPhone = "617-555-0142"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &out, &errb)
	for _, c := range []string{canaryName, "Zebulon", "Quartermaine", canaryPhone} {
		if strings.Contains(errb.String(), c) {
			t.Fatalf("stderr leaks note text %q: %s", c, errb.String())
		}
	}
	return code, out.String(), errb.String()
}

func TestRedact(t *testing.T) {
	const seed = "Dr. Strange admitted John Doe to Mount Rushmore Hospital on 2023-05-12"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"redact"}, "Dr. [NAME] admitted [NAME] to [LOCATION] on [DATE]"},
		{[]string{"redact", "--mode", "tags"}, "Dr. [NAME] admitted [NAME] to [LOCATION] on [DATE]"},
		{[]string{"redact", "--mode", "numbered"}, "Dr. [NAME-1] admitted [NAME-2] to [LOCATION-1] on [DATE-1]"},
	}
	for _, tc := range tests {
		code, out, errOut := run(t, seed, tc.args...)
		if code != 0 || out != tc.want {
			t.Errorf("%v: code %d, out %q, err %q; want %q", tc.args, code, out, errOut, tc.want)
		}
	}
	code, out, _ := run(t, seed, "redact", "--mode", "surrogate", "--seed", "9")
	if code != 0 || strings.Contains(out, "Strange") || strings.Contains(out, "John Doe") || strings.Contains(out, "2023-05-12") {
		t.Fatalf("surrogate: code %d out %q", code, out)
	}
	t.Setenv("TRUSTGATE_DEID_MODE", "numbered")
	if _, out, _ := run(t, "John Doe", "redact"); out != "[NAME-1]" {
		t.Fatalf("TRUSTGATE_DEID_MODE ignored: %q", out)
	}
}

// TestRedactFile: `deid redact FILE` reads the file, not stdin; "-" is stdin.
func TestRedactFile(t *testing.T) {
	dir := t.TempDir()
	note := filepath.Join(dir, "note.txt")
	if err := os.WriteFile(note, []byte("Dr. Strange admitted John Doe to Mount Rushmore Hospital on 2023-05-12"), 0o600); err != nil {
		t.Fatal(err)
	}
	const want = "Dr. [NAME] admitted [NAME] to [LOCATION] on [DATE]"
	// stdin holds other text: the file must win
	if code, out, errOut := run(t, "stdin text, not the note", "redact", note); code != 0 || out != want {
		t.Fatalf("redact FILE: code %d out %q stderr %q", code, out, errOut)
	}
	if code, out, _ := run(t, "Seen by Dr. Wilson today.", "redact", "-"); code != 0 || out != "Seen by Dr. [NAME] today." {
		t.Fatalf("redact -: code %d out %q", code, out)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(dir, "binary.bin")
	if err := os.WriteFile(binary, []byte(canaryName+"\x00\xff\xfe"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"redact", filepath.Join(dir, "missing.txt")}, 1, "open note"},
		{[]string{"redact", empty}, 1, "text is empty"},
		{[]string{"redact", binary}, 1, "not valid UTF-8"},
		{[]string{"redact", dir}, 1, "is a directory"},
		{[]string{"redact", note, note}, 2, "at most one FILE"},
	} {
		if code, _, errOut := run(t, "", tc.args...); code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: code %d stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
}

func TestRedactBadInput(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		msg         string
	}{
		{"empty", "", []string{"redact"}, 1, "text is empty"},
		{"invalid utf8", canaryName + " \xff", []string{"redact"}, 1, "not valid UTF-8"},
		{"too long", strings.Repeat("a", 4<<20+10), []string{"redact"}, 1, "too long"},
		{"bad mode", canaryName, []string{"redact", "--mode", "loud"}, 2, "unknown redaction mode"},
		{"bad flag", "", []string{"redact", "--nope"}, 2, "flag provided but not defined"},
		{"unknown command", "", []string{"frobnicate"}, 2, "unknown command"},
		{"no command", "", nil, 2, "usage"},
		{"missing model", canaryName, []string{"redact", "--model", "/nonexistent/model"}, 1, "load model"},
		{"eval without file", "", []string{"eval"}, 2, "want exactly one FILE"},
		{"eval missing file", "", []string{"eval", "/nonexistent.jsonl"}, 1, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.msg) {
				t.Fatalf("code %d stderr %q; want %d and %q", code, errOut, tc.code, tc.msg)
			}
		})
	}
}

type detectLine struct {
	Spans []struct {
		Start int    `json:"start"`
		End   int    `json:"end"`
		Type  string `json:"type"`
	} `json:"spans"`
	Error string `json:"error"`
}

func decodeLines(t *testing.T, out string) []detectLine {
	t.Helper()
	var lines []detectLine
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		var d detectLine
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		lines = append(lines, d)
	}
	return lines
}

// TestDetect: one output line per input line, in order; bad lines get an
// error member naming the problem, not the text, and the command exits 1.
func TestDetect(t *testing.T) {
	in := strings.Join([]string{
		`{"text":"Dr. Strange admitted John Doe on 2023-05-12"}`,
		`{"text":"` + canaryName + ` called from ` + canaryPhone + ` \ud800"}`,
		`not json ` + canaryName,
		`{"text":""}`,
		`{"text":"Zoë 👩‍⚕️ Dr. Ångström"}`,
	}, "\n")
	// the rules alone: exact spans (the tagger's are checked in TestTaggerWired)
	code, out, errOut := run(t, in, "detect", "--tagger=false")
	if code != 1 || !strings.Contains(errOut, "2 line(s)") {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
	if strings.Contains(out, canaryName) {
		t.Fatal("stdout error member echoes the note")
	}
	lines := decodeLines(t, out)
	if len(lines) != 5 {
		t.Fatalf("%d output lines, want 5:\n%s", len(lines), out)
	}
	first := lines[0].Spans
	if len(first) != 3 || first[0].Start != 4 || first[0].End != 11 || first[0].Type != "NAME" ||
		first[1].Start != 21 || first[1].End != 29 || first[2].Type != "DATE" {
		t.Fatalf("line 1 spans %+v", first)
	}
	if lines[1].Error != "" || len(lines[1].Spans) != 2 {
		t.Fatalf("line 2 (lone surrogate escape decodes to U+FFFD): %+v", lines[1])
	}
	if lines[2].Error == "" || lines[3].Error == "" || !strings.Contains(lines[3].Error, "empty") {
		t.Fatalf("bad lines without error members: %+v %+v", lines[2], lines[3])
	}
	if s := lines[4].Spans; len(s) != 1 || s[0].Start != 13 || s[0].End != 21 { // 👩‍⚕️ is 4 code points
		t.Fatalf("code-point offsets on line 5: %+v", s)
	}
}

// TestTaggerWired: the commands run the rules and the statistical tagger
// unless --tagger=false; both are named as detectors.
func TestTaggerWired(t *testing.T) {
	e, err := engine("", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Detectors(); len(got) != 2 || got[0] != "rules" || got[1] != "tagger" {
		t.Fatalf("detectors %v, want [rules tagger]", got)
	}
	e, err = engine("", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Detectors(); len(got) != 1 || got[0] != "rules" {
		t.Fatalf("--tagger=false: detectors %v, want [rules]", got)
	}
	// with the tagger, every line is still answered in order
	code, out, _ := run(t, `{"text":"Dr. Strange admitted John Doe on 2023-05-12"}`+"\n"+`{"text":"BP 120/80 HR 80 sats 98%"}`+"\n", "detect")
	lines := decodeLines(t, out)
	if code != 0 || len(lines) != 2 || len(lines[0].Spans) < 3 || len(lines[1].Spans) != 0 {
		t.Fatalf("code %d lines %+v", code, lines)
	}
}

// TestDetectHugeLine: a line over 16 MiB gets an error line and the next
// line is still answered.
func TestDetectHugeLine(t *testing.T) {
	in := `{"text":"` + strings.Repeat("a", 17<<20) + `"}` + "\n" + `{"text":"Dr. Strange"}` + "\n"
	code, out, errOut := run(t, in, "detect")
	lines := decodeLines(t, out)
	if code != 1 || len(lines) != 2 || !strings.Contains(lines[0].Error, "16 MiB") || len(lines[1].Spans) != 1 {
		t.Fatalf("code %d, err %q, lines %+v", code, errOut, lines)
	}
}

// TestDetectBatch: 10,000 notes in one batch, one answer line each.
func TestDetectBatch(t *testing.T) {
	var in strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&in, `{"text":"Note %d: Dr. Strange saw John Doe on 2023-05-12."}`+"\n", i)
	}
	code, out, errOut := run(t, in.String(), "detect", "--tagger=false")
	lines := decodeLines(t, out)
	if code != 0 || len(lines) != 10000 || len(lines[9999].Spans) != 3 {
		t.Fatalf("code %d err %q, %d lines", code, errOut, len(lines))
	}
}

func TestRedactBinary(t *testing.T) {
	bin := string([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0xff, 0xfe, 0x00, 0x80})
	code, out, errOut := run(t, bin, "redact")
	if code != 1 || out != "" || !strings.Contains(errOut, "not valid UTF-8") {
		t.Fatalf("binary input: code %d out %q err %q", code, out, errOut)
	}
	code, out, errOut = run(t, strings.Repeat("Dr. Strange ", 2<<20), "redact") // 24 MB
	if code != 1 || out != "" || !strings.Contains(errOut, "too long") {
		t.Fatalf("24 MB input: code %d err %q", code, errOut)
	}
}

func TestEvalAndSynth(t *testing.T) {
	code, notes, _ := run(t, "", "synth", "--n", "20", "--seed", "3")
	if code != 0 || strings.Count(notes, "\n") != 20 {
		t.Fatalf("synth: code %d, %d lines", code, strings.Count(notes, "\n"))
	}
	path := filepath.Join(t.TempDir(), "gold.jsonl")
	if err := os.WriteFile(path, []byte(notes), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "eval", path)
	if code != 0 || !strings.Contains(out, "notes: 20") || !strings.Contains(out, "OVERALL") {
		t.Fatalf("eval: code %d out %q err %q", code, out, errOut)
	}
	code, out, _ = run(t, "", "eval", "--json", path)
	var ev struct {
		Notes int `json:"notes"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &ev) != nil || ev.Notes != 20 {
		t.Fatalf("eval --json: code %d out %q", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte(`{"text":"`+canaryName+`","spans":[{"start":0,"end":99,"type":"NAME"}]}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "", "eval", bad); code != 1 || !strings.Contains(errOut, "line 1") {
		t.Fatalf("eval of bad gold: code %d err %q", code, errOut)
	}
}

// TestNoNoteTextInLogs runs every command with canary PHI while capturing
// the default slog logger; neither the log nor stderr may contain it.
func TestNoNoteTextInLogs(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)
	note := "Pt: " + canaryName + ", phone " + canaryPhone
	run(t, note, "redact")
	run(t, note+"\xff", "redact")
	run(t, `{"text":"`+note+`"}`+"\n{bad "+note, "detect")
	for _, c := range []string{"Zebulon", "Quartermaine", canaryPhone} {
		if strings.Contains(logs.String(), c) {
			t.Fatalf("log contains %q", c)
		}
	}
}

// TestDetectWithModel plugs a tiny generated ONNX model in with --model; its
// spans are merged with the rules'.
func TestDetectWithModel(t *testing.T) {
	if _, err := ner.Load(""); err != nil && strings.Contains(err.Error(), "without cgo") {
		t.Skip("built with CGO_ENABLED=0: no ONNX path")
	}
	testenv.Require(t, testenv.ONNXRuntime)
	dir := t.TempDir()
	if err := onnxgen.WriteTiny(dir, onnxgen.Tiny{Tokens: map[string]string{" gotham": "U-LOC"}, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, `{"text":"Dr. Strange flew to gotham"}`+"\n", "detect", "--tagger=false", "--model", dir)
	if code != 0 {
		t.Fatalf("code %d err %q", code, errOut)
	}
	lines := decodeLines(t, out)
	var types []string
	for _, s := range lines[0].Spans {
		types = append(types, s.Type)
	}
	if strings.Join(types, ",") != "NAME,LOCATION" || lines[0].Spans[1].Start != 20 || lines[0].Spans[1].End != 26 {
		t.Fatalf("spans %+v", lines[0].Spans)
	}
}

func FuzzDetectLines(f *testing.F) {
	f.Add(`{"text":"Dr. Smith"}` + "\n" + `{"text":""}`)
	f.Add("\xff\n{")
	f.Fuzz(func(t *testing.T, in string) {
		// invariant: every answer line is JSON with a spans array; a line
		// with an error has no spans; exit 0 exactly when no line failed
		var out, errb bytes.Buffer
		code := Main([]string{"detect", "--tagger=false"}, strings.NewReader(in), &out, &errb)
		failed := false
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if l == "" {
				continue
			}
			var d detectLine
			if err := json.Unmarshal([]byte(l), &d); err != nil || d.Spans == nil && d.Error == "" {
				t.Fatalf("answer line %q: %v", l, err)
			}
			if d.Error != "" {
				failed = true
				if len(d.Spans) != 0 {
					t.Fatalf("error line with spans: %q", l)
				}
			}
		}
		if (code == 0) == failed || code > 1 {
			t.Fatalf("exit %d with failed lines %v", code, failed)
		}
	})
}
