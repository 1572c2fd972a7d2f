package webapp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/httpstatus"
)

// clinicianRecognizer marks spans a clinician added by hand.
const clinicianRecognizer = "clinician"

// maxSpansPerNote bounds an edit request.
const maxSpansPerNote = 20000

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /static/", s.ready(staticHandler()))
	m.Handle("GET /{$}", s.ready(http.HandlerFunc(s.index)))
	m.Handle("GET /api/notes", s.ready(s.withSession(s.listNotes)))
	m.Handle("POST /api/notes", s.ready(s.withSession(s.addNotes)))
	m.Handle("POST /api/notes/{id}/spans", s.ready(s.withSession(s.editSpans)))
	m.Handle("POST /api/notes/{id}/approve", s.ready(s.withSession(s.approve)))
	m.Handle("POST /api/notes/{id}/reject", s.ready(s.withSession(s.reject)))
	m.Handle("POST /api/redact", s.ready(http.HandlerFunc(s.redactOne)))
	m.Handle("/", s.ready(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusNotFound, "not found")
	})))
	s.mux = m
}

// apiError is the JSON body of every error: a message a clinician or
// operator can act on, never any note text.
type apiError struct {
	Error string `json:"error"`
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ok, reason := s.gate.status()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ready": false, "reason": reason})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ready": true})
}

// ready fails closed until the storage secret is released: no page, no
// upload, no asset. Nothing a clinician enters could be kept anyway.
func (s *Server) ready(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, reason := s.gate.status(); !ok {
			w.Header().Set("Retry-After", "5")
			msg := "The de-identification service is not ready: " + reason + "."
			if r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
				// A clinician opening the page gets a page that says so and
				// reloads itself (meta refresh: no script needed).
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusServiceUnavailable)
				notReadyTmpl.Execute(w, msg)
				return
			}
			httpError(w, http.StatusServiceUnavailable, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withSession loads the session; POSTs also need the CSRF header. The page
// (index) creates sessions; API calls without one get 401.
func (s *Server) withSession(next func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		sess := s.sessions.get(r)
		if sess == nil {
			httpError(w, http.StatusUnauthorized, "Your session expired (its notes were discarded). Reload the page to start again.")
			return
		}
		if r.Method != http.MethodGet && !sess.checkCSRF(r) {
			httpError(w, http.StatusForbidden, "Missing or wrong CSRF token. Reload the page.")
			return
		}
		next(w, r, sess)
	})
}

var (
	indexTmpl    = template.Must(template.ParseFS(assets, "static/index.html"))
	notReadyTmpl = template.Must(template.New("notready").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<title>Not ready yet: clinical note de-identification</title></head>
<body><main><h1>Not ready yet</h1><p role="status">{{.}}</p>
<p>This page reloads itself every 10 seconds. No note can be entered until the service is ready.</p></main></body></html>`))
)

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	sess := s.sessions.get(r)
	if sess == nil {
		var err error
		if sess, err = s.sessions.create(w); err != nil {
			httpError(w, http.StatusServiceUnavailable, err.Error())
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var buf bytes.Buffer
	err := indexTmpl.Execute(&buf, map[string]any{
		"CSRF":       sess.csrf,
		"Types":      deid.Types,
		"MaxBatch":   s.cfg.MaxBatch,
		"MaxNoteKiB": s.cfg.MaxNoteBytes >> 10,
		"MaxUpload":  s.cfg.MaxUploadBytes,
		"Mode":       string(s.cfg.Mode),
		"Attest":     s.gate.attestation(r.Context()),
	})
	if err != nil {
		s.log.Error("render index", "err", err)
		httpError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Write(buf.Bytes())
}

// noteView is what the browser gets for a note. Text (the original) is only
// sent while the note is pending review.
type noteView struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Status   string         `json:"status"`
	Blob     string         `json:"blob,omitempty"`
	Text     string         `json:"text,omitempty"`
	Spans    []deid.Span    `json:"spans"`
	Redacted deid.Redaction `json:"redacted"`
	// Detectors are the detectors that ran on this note ("rules", "tagger", "model").
	Detectors []string `json:"detectors"`
}

func (n *note) view() noteView {
	v := noteView{ID: n.ID, Name: n.Name, Status: n.Status, Blob: n.Blob, Spans: n.spans, Redacted: n.redacted, Detectors: n.ran}
	if n.Status == statusPending {
		v.Text = n.text
	}
	if v.Spans == nil {
		v.Spans = []deid.Span{}
	}
	if v.Redacted.Spans == nil {
		v.Redacted.Spans = []deid.Span{}
	}
	return v
}

const (
	statusPending   = "pending"
	statusApproving = "approving"
	statusApproved  = "approved"
	statusRejected  = "rejected"
)

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	views := make([]noteView, 0, len(sess.notes))
	for _, n := range sess.notes {
		views = append(views, n.view())
	}
	sess.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"notes": views})
}

// redactOne de-identifies one note sent as the request body and answers the
// redacted text (the app's mode), for scripts and curl. It keeps nothing:
// no session, no review, no upload. Approval still goes through the page.
func (s *Server) redactOne(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, int64(s.cfg.MaxNoteBytes))
	b, err := io.ReadAll(r.Body)
	if err != nil {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The note is larger than the limit of %s.", size(int64(s.cfg.MaxNoteBytes))))
		return
	}
	text := string(b)
	if strings.TrimSpace(text) == "" {
		httpError(w, http.StatusBadRequest, "The note is empty.")
		return
	}
	if !utf8.ValidString(text) {
		httpError(w, http.StatusBadRequest, "The note is not valid UTF-8 text.")
		return
	}
	spans, err := s.cfg.Detector.Detect(r.Context(), text)
	switch {
	case errors.Is(err, deid.ErrTooLong):
		// Within MaxNoteBytes but over the engine's own limit.
		httpError(w, http.StatusRequestEntityTooLarge, "The note is too long for the de-identification engine.")
		return
	case errors.Is(err, deid.ErrEmpty), errors.Is(err, deid.ErrInvalidUTF8):
		httpError(w, http.StatusBadRequest, "The note is empty or not valid UTF-8 text.")
		return
	case err != nil:
		s.log.Error("redact: detection failed", "err", err)
		httpError(w, http.StatusInternalServerError, "De-identification failed.")
		return
	}
	out, err := deid.Redact(text, spans, s.cfg.Mode)
	if err != nil {
		s.log.Error("redact: redaction failed", "err", err)
		httpError(w, http.StatusInternalServerError, "De-identification failed.")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, out)
	if !strings.HasSuffix(out, "\n") {
		_, _ = io.WriteString(w, "\n")
	}
}

// fileError reports one rejected file or paste in an upload.
type fileError struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

type uploadResult struct {
	Notes  []noteView  `json:"notes"`
	Errors []fileError `json:"errors"`
}

type incoming struct {
	name string
	text string
}

// uploadError answers a failed read of the upload: 413 when the body broke
// MaxUploadBytes, 400 otherwise.
func (s *Server) uploadError(w http.ResponseWriter, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The upload is larger than the limit of %s. Upload fewer or smaller files.", size(s.cfg.MaxUploadBytes)))
		return
	}
	httpError(w, http.StatusBadRequest, "Malformed upload.")
}

// addNotes takes a multipart form with "text" fields (pasted notes) and
// "files" parts (.txt uploads). The body is read as a stream with hard
// limits: nothing touches the disk, and a batch that breaks a limit is
// refused whole with a message saying which limit.
func (s *Server) addNotes(w http.ResponseWriter, r *http.Request, sess *session) {
	if r.ContentLength > s.cfg.MaxUploadBytes {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The upload is %s; the limit per upload is %s. Upload fewer or smaller files.", size(r.ContentLength), size(s.cfg.MaxUploadBytes)))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		httpError(w, http.StatusUnsupportedMediaType, "Send notes as multipart/form-data (fields \"text\" or \"files\").")
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		httpError(w, http.StatusBadRequest, "Malformed upload.")
		return
	}
	var (
		in       []incoming
		errs     []fileError
		parts    int
		tooMany  bool
		pasteSeq int
	)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.uploadError(w, err)
			return
		}
		field := part.FormName()
		if field != "text" && field != "files" {
			part.Close()
			continue
		}
		parts++
		if parts > s.cfg.MaxBatch {
			// Keep reading (bounded by MaxBytesReader) so the client gets
			// this answer instead of a reset connection.
			tooMany = true
			io.Copy(io.Discard, part)
			part.Close()
			continue
		}
		name := displayName(part.FileName())
		if field == "text" {
			pasteSeq++
			name = fmt.Sprintf("Pasted note %d", pasteSeq)
		}
		data, err := io.ReadAll(io.LimitReader(part, int64(s.cfg.MaxNoteBytes)+1))
		part.Close()
		if err != nil {
			s.uploadError(w, err)
			return
		}
		if len(data) > s.cfg.MaxNoteBytes {
			errs = append(errs, fileError{name, fmt.Sprintf("larger than the limit of %s per note", size(int64(s.cfg.MaxNoteBytes)))})
			continue
		}
		text, problem := checkText(data)
		if problem != "" {
			errs = append(errs, fileError{name, problem})
			continue
		}
		in = append(in, incoming{name: name, text: text})
	}
	if tooMany {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("This batch has %d notes; the limit is %d per batch. Upload them in smaller batches.", parts, s.cfg.MaxBatch))
		return
	}
	if len(in) == 0 && len(errs) == 0 {
		httpError(w, http.StatusBadRequest, "Nothing to review: paste a note or choose .txt files.")
		return
	}

	var held int64
	for _, n := range in {
		held += int64(len(n.text))
	}
	sess.mu.Lock()
	room := s.cfg.MaxSessionNotes - len(sess.notes)
	sess.mu.Unlock()
	if len(in) > room {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("This session already holds %d notes; the limit is %d. Approve or reject some, or start a new session.", s.cfg.MaxSessionNotes-room, s.cfg.MaxSessionNotes))
		return
	}
	if !s.sessions.reserve(held) {
		httpError(w, http.StatusServiceUnavailable, "The server holds as many notes as it may right now. Finish reviewing some notes and try again.")
		return
	}
	// Detection with a transformer on CPU can take seconds per note; give
	// the answer time beyond the server's default write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(2*time.Minute + time.Duration(len(in))*time.Minute))
	res := uploadResult{Notes: []noteView{}, Errors: errs}
	var added []*note
	for _, n := range in {
		nt, problem := s.newNote(r, n)
		if problem != "" {
			res.Errors = append(res.Errors, fileError{n.name, problem})
			held -= int64(len(n.text))
			s.sessions.release(int64(len(n.text)))
			continue
		}
		added = append(added, nt)
	}
	sess.mu.Lock()
	if sess.dead {
		sess.mu.Unlock()
		s.sessions.release(held)
		httpError(w, http.StatusUnauthorized, "Your session expired. Reload the page to start again.")
		return
	}
	for _, nt := range added {
		sess.notes = append(sess.notes, nt)
		sess.byID[nt.ID] = nt
		res.Notes = append(res.Notes, nt.view())
	}
	sess.held += held
	sess.mu.Unlock()
	if res.Errors == nil {
		res.Errors = []fileError{}
	}
	code := http.StatusOK
	if len(res.Notes) == 0 {
		code = http.StatusUnprocessableEntity
	}
	s.log.Info("notes added", "accepted", len(res.Notes), "refused", len(res.Errors))
	writeJSON(w, code, res)
}

// checkText accepts UTF-8 text without NUL bytes (a NUL is the surest sign
// of a binary file), drops a byte-order mark, and refuses blank notes.
func checkText(data []byte) (string, string) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "", "the note is empty"
	case bytes.IndexByte(data, 0) >= 0:
		return "", "this looks like a binary file, not plain text"
	case !utf8.Valid(data):
		return "", "the text is not valid UTF-8; save it as UTF-8 plain text"
	}
	return string(data), ""
}

// displayName keeps a file's base name for the clinician's list, bounded
// and valid UTF-8. It is shown in the page only: never logged, never uploaded.
func displayName(s string) string {
	s = path.Base(strings.ReplaceAll(s, "\\", "/"))
	s = strings.ToValidUTF8(s, "?")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	if s == "" || s == "." || s == "/" {
		s = "unnamed file"
	}
	return s
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) newNote(r *http.Request, in incoming) (*note, string) {
	spans, err := s.cfg.Detector.Detect(r.Context(), in.text)
	if err != nil {
		switch {
		case errors.Is(err, deid.ErrEmpty):
			return nil, "the note is empty"
		case errors.Is(err, deid.ErrTooLong):
			return nil, "the note is too long for the engine"
		case errors.Is(err, deid.ErrInvalidUTF8):
			return nil, "the text is not valid UTF-8"
		}
		// Recognizer errors never carry the text (deid's contract); log the
		// error to see model failures.
		s.log.Error("detect failed", "err", err)
		return nil, "de-identification failed for this note; it was not kept"
	}
	n := &note{ID: newID(), Name: in.name, text: in.text, runes: utf8.RuneCountInString(in.text), detected: spans, spans: spans, Status: statusPending,
		ran: detectorNames(s.cfg.Detector)}
	var seed [8]byte
	rand.Read(seed[:])
	for _, b := range seed {
		n.seed = n.seed<<8 | uint64(b)
	}
	if err := s.redact(n); err != nil {
		s.log.Error("redact failed", "err", err)
		return nil, "de-identification failed for this note; it was not kept"
	}
	return n, ""
}

func (s *Server) redact(n *note) error {
	red, err := deid.RedactDetailed(n.text, n.spans, s.cfg.Mode, deid.WithSeed(n.seed))
	if err != nil {
		return err
	}
	n.redacted = red
	return nil
}

// editRequest replaces a note's spans: the browser sends the whole list
// after each removal or addition.
type editRequest struct {
	Spans []struct {
		Start int    `json:"start"`
		End   int    `json:"end"`
		Type  string `json:"type"`
	} `json:"spans"`
}

func (s *Server) pendingNote(w http.ResponseWriter, r *http.Request, sess *session) *note {
	n := sess.byID[r.PathValue("id")]
	if n == nil {
		httpError(w, http.StatusNotFound, "No such note in this session (it may have expired).")
		return nil
	}
	switch n.Status {
	case statusPending:
		return n
	case statusApproving:
		httpError(w, http.StatusConflict, "This note is being approved and uploaded.")
	default:
		httpError(w, http.StatusConflict, "This note was already "+n.Status+".")
	}
	return nil
}

func (s *Server) editSpans(w http.ResponseWriter, r *http.Request, sess *session) {
	var req editRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2<<20))
	if err := dec.Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, "Malformed span list.")
		return
	}
	if len(req.Spans) > maxSpansPerNote {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Too many spans (limit %d).", maxSpansPerNote))
		return
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	n := s.pendingNote(w, r, sess)
	if n == nil {
		return
	}
	type key struct {
		start, end int
		t          deid.Type
	}
	detected := map[key]string{}
	for _, d := range n.detected {
		detected[key{d.Start, d.End, d.Type}] = d.Recognizer
	}
	spans := make([]deid.Span, 0, len(req.Spans))
	for _, sp := range req.Spans {
		t, err := deid.ParseType(sp.Type)
		if err != nil {
			httpError(w, http.StatusBadRequest, "Unknown PHI type.")
			return
		}
		if sp.Start < 0 || sp.End <= sp.Start || sp.End > n.runes {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("Span [%d,%d) is outside the note (%d characters).", sp.Start, sp.End, n.runes))
			return
		}
		// The recognizer is never taken from the browser: it is the
		// engine's for a span it found, "clinician" for one added by hand.
		rec, ok := detected[key{sp.Start, sp.End, t}]
		if !ok {
			rec = clinicianRecognizer
		}
		spans = append(spans, deid.Span{Start: sp.Start, End: sp.End, Type: t, Recognizer: rec})
	}
	old := n.spans
	n.spans = deid.Resolve(spans)
	if err := s.redact(n); err != nil {
		n.spans = old
		s.log.Error("redact failed", "err", err)
		httpError(w, http.StatusInternalServerError, "Could not apply the change.")
		return
	}
	writeJSON(w, http.StatusOK, n.view())
}

// report is the JSON uploaded next to an approved note: what was replaced,
// where, and by whom — types and offsets only, never the original values.
type report struct {
	NoteID      string       `json:"note_id"`
	ApprovedAt  time.Time    `json:"approved_at"`
	Mode        string       `json:"mode"`
	TextBlob    string       `json:"text_blob"`
	Characters  int          `json:"original_characters"`
	Detectors   []string     `json:"detectors"`
	Spans       []reportSpan `json:"spans"`
	OutputSpans []reportSpan `json:"output_spans"`
	Edits       struct {
		Detected int `json:"detected"`
		Removed  int `json:"removed"`
		Added    int `json:"added"`
	} `json:"edits"`
}

type reportSpan struct {
	Start  int       `json:"start"`
	End    int       `json:"end"`
	Type   deid.Type `json:"type"`
	Source string    `json:"source,omitempty"`
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request, sess *session) {
	st := s.gate.store()
	sess.mu.Lock()
	n := s.pendingNote(w, r, sess)
	if n == nil {
		sess.mu.Unlock()
		return
	}
	n.Status = statusApproving // a second click cannot upload twice
	now := time.Now().UTC()
	base := fmt.Sprintf("notes/%s/%s", now.Format("2006-01-02"), n.ID)
	rep := report{NoteID: n.ID, ApprovedAt: now, Mode: string(s.cfg.Mode), TextBlob: base + ".txt", Characters: n.runes, Detectors: n.ran}
	inDetected := map[deid.Span]bool{}
	for _, d := range n.detected {
		inDetected[deid.Span{Start: d.Start, End: d.End, Type: d.Type}] = true
	}
	kept := map[deid.Span]bool{}
	for _, sp := range n.spans {
		rep.Spans = append(rep.Spans, reportSpan{sp.Start, sp.End, sp.Type, sp.Recognizer})
		key := deid.Span{Start: sp.Start, End: sp.End, Type: sp.Type}
		kept[key] = true
		if !inDetected[key] {
			rep.Edits.Added++
		}
	}
	for k := range inDetected {
		if !kept[k] {
			rep.Edits.Removed++
		}
	}
	rep.Edits.Detected = len(n.detected)
	for _, sp := range n.redacted.Spans {
		rep.OutputSpans = append(rep.OutputSpans, reportSpan{Start: sp.Start, End: sp.End, Type: sp.Type})
	}
	text := n.redacted.Text
	sess.mu.Unlock()

	repJSON, err := json.MarshalIndent(rep, "", "  ")
	if err == nil {
		err = st.Put(r.Context(), base+".txt", []byte(text), "text/plain; charset=utf-8")
	}
	if err == nil {
		err = st.Put(r.Context(), base+".json", repJSON, "application/json")
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if err != nil {
		n.Status = statusPending
		s.log.Error("upload of approved note failed", "note", n.ID, "err", err)
		httpError(w, http.StatusBadGateway, "Uploading the de-identified note failed; it is still pending. Try again.")
		return
	}
	s.decided(sess, n, statusApproved)
	n.Blob = base + ".txt"
	s.log.Info("note approved and uploaded", "note", n.ID, "blob", n.Blob, "spans", len(rep.Spans))
	writeJSON(w, http.StatusOK, n.view())
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, sess *session) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	n := s.pendingNote(w, r, sess)
	if n == nil {
		return
	}
	s.decided(sess, n, statusRejected)
	n.redacted = deid.Redaction{}
	n.spans, n.detected = nil, nil
	s.log.Info("note rejected and discarded", "note", n.ID)
	writeJSON(w, http.StatusOK, n.view())
}

// decided drops the original once a note is approved or rejected: it is no
// longer needed, and holding it longer only widens exposure. sess.mu is held;
// the global budget is released without it (lock order).
func (s *Server) decided(sess *session, n *note, status string) {
	n.Status = status
	freed := int64(len(n.text))
	n.text = ""
	sess.held -= freed
	go s.sessions.release(freed)
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// securityHeaders forbids framing, inline script, sniffing and referrers,
// and caching of anything (pages carry patient text).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// logRequests logs method, path pattern and status. Paths hold only random
// note ids; query strings and bodies are never logged.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := httpstatus.Wrap(w)
		next.ServeHTTP(sw, r)
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			return
		}
		s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", sw.Code(), "ms", time.Since(start).Milliseconds())
	})
}

// recoverer turns a panic into a 500 without logging its value (which could
// hold note text); the stack names code, not data.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "path", r.URL.Path, "stack", string(debug.Stack()))
				httpError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
