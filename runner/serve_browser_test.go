package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// findChromium finds a headless-capable Chromium: $CHROME, else Debian's
// chromium, else Google's. Without one the browser test skips, unless
// $REQUIRE_CHROMIUM says it must run (CI installs Debian's).
func findChromium(t *testing.T) string {
	for _, name := range []string{os.Getenv("CHROME"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("REQUIRE_CHROMIUM") != "" {
		t.Fatal("REQUIRE_CHROMIUM is set and no Chromium is installed (apt-get install chromium)")
	}
	t.Skip("no Chromium installed (apt-get install chromium); set REQUIRE_CHROMIUM=1 to make this a failure")
	return ""
}

// browser opens a headless Chromium at width×height; errs collects what
// the page throws or logs as an error.
func browser(t *testing.T, width, height int) (ctx context.Context, errs func() []string) {
	t.Helper()
	// Chromium's helpers may still write to their profile as the test
	// ends: it is removed without failing the test.
	profile, err := os.MkdirTemp("", "serve-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(findChromium(t)),
		chromedp.WindowSize(width, height),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })
	var mu = make(chan struct{}, 1)
	var seen []string
	chromedp.ListenTarget(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				msg = "console.error: " + strings.Join(parts, " ")
			}
		}
		if msg != "" {
			mu <- struct{}{}
			seen = append(seen, msg)
			<-mu
		}
	})
	return ctx, func() []string {
		mu <- struct{}{}
		defer func() { <-mu }()
		return slices.Clone(seen)
	}
}

// screenshotDir is where the test's screenshots are kept: $CI_ARTIFACTS
// (CI keeps them), else the test's temporary folder.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("CI_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// TestServeInTheBrowser drives the page as a learner does, in headless
// Chromium: step 2 of lesson 3 offers to run step 1 first; step 1 runs from
// the keyboard (Tab to its Run button, Enter); step 2 runs by a click and
// three delivery reports appear, the ones the lesson reported and Kafka
// holds. No JavaScript error, and no sideways scrolling at a phone's width.
func TestServeInTheBrowser(t *testing.T) {
	ts := startTestServer(t)
	ctx, errs := browser(t, 1280, 720)
	run2 := `#cell-s3-2 button.run`
	err := chromedp.Run(ctx,
		chromedp.Navigate(ts.url+"/?token="+ts.token+"#lesson-3"),
		chromedp.WaitVisible(run2),
		chromedp.Click(run2),
		chromedp.WaitVisible(`#needs-s3-2 button`),
	)
	if err != nil {
		t.Fatalf("open lesson 3 and click step 2's Run: %v (page errors: %v)", err, errs())
	}
	// The keyboard: Tab until step 1's Run button has the focus, then Enter.
	focused := false
	for i := 0; i < 80 && !focused; i++ {
		if err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab),
			chromedp.Evaluate(`document.activeElement.matches("#cell-s3-1 button.run")`, &focused)); err != nil {
			t.Fatal(err)
		}
	}
	if !focused {
		t.Fatal("80 presses of Tab never reached step 1's Run button")
	}
	err = chromedp.Run(ctx,
		chromedp.KeyEvent(kb.Enter),
		chromedp.Poll(`document.querySelector("#status-s3-1").classList.contains("ok")`, nil, chromedp.WithPollingTimeout(60*time.Second)),
		chromedp.Poll(`!document.querySelector("#cell-s3-2 button.run").disabled`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Click(run2),
		chromedp.Poll(`document.querySelectorAll("#out-s3-2 .record.delivered").length >= 3`, nil, chromedp.WithPollingTimeout(60*time.Second)),
	)
	if err != nil {
		t.Fatalf("run step 1 from the keyboard, then step 2 by a click: %v (page errors: %v)", err, errs())
	}
	var shown []webRecord
	if err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("#out-s3-2 .record.delivered")].map(d =>
		({kind: d.dataset.kind, topic: d.dataset.topic, partition: Number(d.dataset.partition), offset: Number(d.dataset.offset)}))`, &shown)); err != nil {
		t.Fatal(err)
	}
	var recorded []webRecord
	for _, r := range ts.rec.Records(lessons.Delivered) {
		recorded = append(recorded, webRecord{Kind: "delivered", Topic: r.Topic, Partition: r.Partition, Offset: r.Offset})
	}
	if len(shown) != 3 || !slices.Equal(shown, recorded) {
		t.Errorf("the page shows %v; the lesson reported %v", shown, recorded)
	}
	checkEndOffsets(t, ts.env, shown)
	// The picture at a projector's size, kept.
	var png []byte
	if err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 720),
		chromedp.ScrollIntoView(`#cell-s3-2 .actions`),
		chromedp.Poll(`document.querySelector("#cluster-panel").textContent.includes("`+ts.env.Topic+`")`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.CaptureScreenshot(&png)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(screenshotDir(t), "serve-1280x720.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	// A phone's width: nothing runs off the side of the page.
	var overflow int
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844),
		chromedp.ScrollIntoView(`#cell-s3-2`),
		chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflow),
		chromedp.CaptureScreenshot(&png)); err != nil {
		t.Fatal(err)
	}
	if overflow > 0 {
		t.Errorf("at a phone's width (390 px) the page is %d px wider than the screen", overflow)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "serve-390x844.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("the page logged JavaScript errors: %v", e)
	}
}
