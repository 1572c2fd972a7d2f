package testenv

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium starts headless Chromium (from ChromiumPath; skipped or failed as
// Require says when unset) with a private profile and a width×height window,
// and returns its context. The context has no deadline, because a deadline
// on the first run would stop the browser: bound each step with
// context.WithTimeout instead. cancel closes the browser; the test's cleanup
// calls it too.
func Chromium(t testing.TB, width, height int) (ctx context.Context, cancel context.CancelFunc) {
	t.Helper()
	path := Require(t, ChromiumPath)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	cancel = func() {
		cancelCtx()
		cancelAlloc()
	}
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, cancel
}
