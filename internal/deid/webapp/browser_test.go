package webapp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trustgate/trustgate/internal/testenv"
)

// TestBrowserReviewFlow drives the page in real Chromium against real
// Azurite: paste → review → remove one span (with the keyboard) → add one
// span → approve → the uploaded blob holds exactly those edits.
func TestBrowserReviewFlow(t *testing.T) {
	testenv.Require(t, testenv.ChromiumPath) // skip before starting anything
	// The storage secret comes from a real trustee through a real guest's
	// local API, as in the VM: the header then says where the app runs.
	g := startAttestedGuest(t, testenv.Require(t, testenv.AzuriteConn))
	a := startAppCookie(t, Config{SecretURL: g.secretURL}, true)
	a.waitReady()

	ctx, closeBrowser := testenv.Chromium(t, 1280, 1000)
	defer closeBrowser()
	step, cancelStep := context.WithTimeout(ctx, 60*time.Second)
	defer cancelStep()

	const phone = "555-867-5309"
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			shot(t, ctx, "failure")
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("open page", chromedp.Do(step,
		chromedp.Navigate(a.ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("paste")),
		chromedp.SendKeys(chromedp.ID("paste"), canaryNote),
		chromedp.Click(chromedp.ID("paste-submit")),
		chromedp.WaitVisible(chromedp.CSS("article.note.pending .original button.span")),
	))
	// The page tells the clinician where the notes are: the TEE, the
	// initdata digest and the last attestation, as the guest reports them.
	header, err := chromedp.Run(step, chromedp.Text(chromedp.ID("attestation")))
	must("read attestation header", err)
	s := g.summary(t)
	if !s.Attested || s.LastAttestation == nil {
		t.Fatalf("guest not attested after releasing the secret: %+v", s)
	}
	wantHeader := "Runs in an attested VM: TEE sample (software test TEE, proves nothing), initdata sha256 " + g.digest +
		", last attestation " + s.LastAttestation.UTC().Format("2006-01-02 15:04:05 UTC") + ", EAR status " + s.EARStatus + "."
	if strings.Join(strings.Fields(header), " ") != wantHeader {
		t.Errorf("attestation header = %q, want %q", header, wantHeader)
	}
	// The engine highlighted the phone number; the clinician decides it is a
	// false positive and removes it with the keyboard (focus + Enter).
	phoneBtn := chromedp.Search(`//article//div[contains(@class,"original")]//button[contains(@class,"span") and text()="` + phone + `"]`)
	must("remove span", chromedp.Do(step,
		chromedp.Focus(phoneBtn),
		chromedp.KeyEvent("\r"),
		chromedp.Poll[chromedp.Void](`document.querySelector(".redacted").textContent.includes("`+phone+`")`),
	))
	status, err := chromedp.Run(step, chromedp.Text(chromedp.ID("status")))
	must("read status", err)
	ran, err := chromedp.Run(step, chromedp.Text(chromedp.CSS("article.note p.detectors")))
	must("read detectors", err)
	if ran != "Detectors run: rules." {
		t.Errorf("detectors line = %q, want the rules named", ran)
	}
	if !strings.Contains(status, "Removed") {
		t.Errorf("aria-live status after removal = %q", status)
	}
	// The engine missed "rosebud" (an everyday word, lower case, no cue); the clinician marks it as OTHER.
	must("add span", chromedp.Do(step,
		chromedp.SendKeys(chromedp.CSS("article.note input.phrase"), "rosebud"),
		chromedp.SetValue(chromedp.CSS("article.note select.type"), "OTHER"),
		chromedp.Click(chromedp.CSS("article.note button.mark")),
		chromedp.Poll[chromedp.Void](`(() => { const t = document.querySelector(".redacted").textContent; return t.includes("[OTHER]") && !t.includes("rosebud"); })()`),
	))
	shot(t, ctx, "review")
	// Accessibility basics on the live page: every form control has a
	// label, every button a name, and the status region is polite-live.
	problems, err := chromedp.Run(step, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		document.querySelectorAll("input, select, textarea").forEach(e => {
			if (!e.labels || e.labels.length === 0) out.push("unlabelled " + e.tagName + "#" + e.id);
		});
		document.querySelectorAll("button").forEach(b => {
			if (!(b.getAttribute("aria-label") || b.textContent).trim()) out.push("button without a name");
			if (b.type !== "button" && b.type !== "submit") out.push("button without a type");
		});
		if (document.getElementById("status").getAttribute("aria-live") !== "polite") out.push("status not live");
		if (document.querySelectorAll("[onclick], div[role=button]").length) out.push("clickable non-button");
		return out;
	})()`))
	must("accessibility check", err)
	if len(problems) > 0 {
		t.Errorf("accessibility problems: %v", problems)
	}
	must("approve", chromedp.Do(step,
		chromedp.Click(chromedp.CSS("article.note .decide button.primary")),
		chromedp.WaitVisible(chromedp.CSS("article.note.approved")),
	))
	shot(t, ctx, "approved")

	// Upload several .txt files (one of them binary); reject one good note.
	dir := t.TempDir()
	var files []string
	for name, body := range map[string]string{
		"a.txt": "Seen by Dr. Quackenbush on 2024-02-03.",
		"b.txt": "Zebulon called 555-867-5309 on 2024-02-04.",
		"c.txt": "\x00\x01binary",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	must("upload files", chromedp.Do(step,
		chromedp.SetUploadFiles(chromedp.ID("files"), files),
		chromedp.Click(chromedp.ID("upload-submit")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("article.note.pending").length === 2`),
	))
	errText, err := chromedp.Run(step, chromedp.Text(chromedp.ID("errors")))
	must("read errors", err)
	if !strings.Contains(errText, "c.txt") || !strings.Contains(errText, "binary") {
		t.Errorf("error region after a binary upload = %q", errText)
	}
	must("reject", chromedp.Do(step,
		chromedp.Click(chromedp.CSS("article.note.pending .decide button.danger")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("article.note.rejected").length === 1`),
	))
	shot(t, ctx, "files")

	// Mark by mouse selection in a note with emoji: the page must turn the
	// DOM's UTF-16 selection into code point offsets.
	must("select and mark", chromedp.Do(step,
		chromedp.SetValue(chromedp.ID("paste"), "😀😀 rosebud was here 😀"),
		chromedp.Click(chromedp.ID("paste-submit")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("article.note.pending").length === 2`),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const art = [...document.querySelectorAll("article.note")].pop();
			const seg = [...art.querySelectorAll(".original [data-start]")].find(e => e.textContent.includes("rosebud"));
			const node = seg.firstChild, i = node.textContent.indexOf("rosebud");
			const r = document.createRange();
			r.setStart(node, i); r.setEnd(node, i + 7);
			const sel = document.getSelection();
			sel.removeAllRanges(); sel.addRange(r);
		})()`),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll("article.note")].pop().querySelector(".selection").textContent.includes("characters 3–10")`),
		chromedp.Evaluate[chromedp.Void](`(() => { const a = [...document.querySelectorAll("article.note")].pop(); a.querySelector("select.type").value = "OTHER"; a.querySelector("button.mark").click(); })()`),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll("article.note")].pop().querySelector(".redacted").textContent === "😀😀 [OTHER] was here 😀"`),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("article.note")].pop().querySelector(".decide button.danger").click()`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("article.note.rejected").length === 2`),
	))

	// The blob holds the clinician's edits: the phone stays (removed span),
	// rosebud is tagged (added span), the name is gone.
	// Only the approved note reached the container: the rejected upload
	// and the still-pending one left nothing.
	names, err := a.store.List(context.Background(), "notes/")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 {
		t.Fatalf("blobs = %v, want text and report of the one approved note", names)
	}
	var text string
	for _, n := range names {
		if strings.HasSuffix(n, ".txt") {
			b, err := a.store.Get(context.Background(), n)
			if err != nil {
				t.Fatal(err)
			}
			text = string(b)
		}
	}
	if !strings.Contains(text, phone) || !strings.Contains(text, "He asked about [OTHER] again.") ||
		strings.Contains(text, "rosebud") || strings.Contains(text, "Quackenbush") || !strings.Contains(text, "[DATE]") {
		t.Errorf("uploaded text does not carry the edits:\n%s", text)
	}
}

// shot saves a full-page screenshot under $WEBAPP_SCREENSHOTS (when set)
// for a human to look at.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("WEBAPP_SCREENSHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100)) // 100: PNG; lower values give JPEG
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}
