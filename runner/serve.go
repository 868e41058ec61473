package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/watch"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The browser face of the walkthrough: the same lessons, run by the same
// engine (lessonRun), shown as a web page. Code runs on this machine at the
// page's request, so the server is Jupyter's kind: loopback only, and no
// request is served without the token it prints.

//go:embed web
var webFiles embed.FS

// defaultServePort is where serve listens when --port is not given.
const defaultServePort = 8888

// portsTried is how many ports from --port serve tries before giving up.
const portsTried = 20

// panelWidth is the cluster panel's width in characters: what fits beside
// the lesson at 1280 pixels.
const panelWidth = 60

// clusterEvery is how often the cluster panel is polled while a tab is open.
const clusterEvery = time.Second

// webServer serves one learner's page.
type webServer struct {
	base  context.Context // ends when the server stops (Ctrl-C)
	token string
	// hosts are the Host headers served: the loopback names of the port (a
	// page of another site that a DNS name points here is refused). nil:
	// any (--listen).
	hosts map[string]bool
	port  int
	tr    *i18n.Catalog
	// find finds a lesson by number, in the learner's language (a test
	// gives lessons of its own).
	find func(n int) (lessons.Lesson, bool)

	env     *lessons.Env
	sess    *session       // its out is the page's notes printer
	target  *cellTarget    // the cell output goes to
	printer *webPrinter    // the lessons' output
	hub     *hub           // the event streams
	coach   *coach         // exercises; its out is the notes printer
	watcher *watch.Watcher // the cluster panel; nil: none

	mu  sync.Mutex
	run *lessonRun // the lesson being played; nil: none yet
	// ready is the run whose setup (its topic) is done.
	ready *lessonRun
	busy  *job // what runs now; nil: nothing
	jobs  sync.WaitGroup
}

// job is what runs at the page's request: a step, a check, an edit.
type job struct {
	cancel context.CancelFunc
	client string // the stream of the tab that asked: closing it stops the job
	cell   string
}

// newWebServer makes the server for env; out is where the notes of the
// engine (a failure, a skipped step) go, already writing to the page.
func newWebServer(ctx context.Context, env *lessons.Env, tr *i18n.Catalog, prefix string) *webServer {
	h := newHub()
	t := &cellTarget{}
	p := newWebPrinter(h, t)
	p.out.SetCatalog(tr)
	notes := output.New(&cellWriter{hub: h, target: t, kind: "note"}, true)
	notes.SetCatalog(tr)
	env.Out = p
	s := &webServer{base: ctx, token: newToken(), tr: tr, env: env, target: t, printer: p, hub: h,
		find: func(n int) (lessons.Lesson, bool) { return findLocal(tr, n) }}
	s.sess = &session{env: env, out: notes, prompt: unattended{out: notes}, book: noJournal{},
		onPage: true}
	s.sess.progress = openProgress(prefix, notes)
	s.coach = &coach{prefix: prefix, out: notes, progress: s.sess.progress}
	return s
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b) // never fails (crypto/rand's own promise since Go 1.24)
	return hex.EncodeToString(b)
}

// listenLoopback listens on 127.0.0.1 at port, or at the next free port
// when it is taken; moved says it moved.
func listenLoopback(port int) (ln net.Listener, moved bool, err error) {
	for p := port; p < port+portsTried; p++ {
		ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err == nil {
			return ln, p != port, nil
		}
		if !addrInUse(err) {
			return nil, false, err
		}
	}
	return nil, false, fmt.Errorf("ports %d to %d are all taken: choose another with --port", port, port+portsTried-1)
}

// addrInUse says a listen failed because the port is taken: EADDRINUSE,
// or WSAEADDRINUSE (10048) on Windows.
func addrInUse(err error) bool {
	var errno syscall.Errno
	return errors.Is(err, syscall.EADDRINUSE) || (errors.As(err, &errno) && errno == 10048)
}

// loopbackHosts are the Host headers a browser sends to the port on this
// machine.
func loopbackHosts(port int) map[string]bool {
	p := strconv.Itoa(port)
	return map[string]bool{"127.0.0.1:" + p: true, "localhost:" + p: true, "[::1]:" + p: true}
}

// handler is every page and API behind the checks: a known host, the same
// origin, the token.
func (s *webServer) handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFiles, "web")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /api/texts", s.texts)
	mux.HandleFunc("GET /api/lessons", s.lessonList)
	mux.HandleFunc("GET /api/lessons/{n}", s.lesson)
	mux.HandleFunc("GET /api/exercises", s.exercises)
	mux.HandleFunc("GET /api/events", s.events)
	mux.HandleFunc("POST /api/run", s.runHandler)
	mux.HandleFunc("POST /api/stop", s.stopHandler)
	mux.HandleFunc("POST /api/quiz", s.quizHandler)
	mux.HandleFunc("POST /api/check", s.checkHandler)
	mux.HandleFunc("POST /api/edit", s.editHandler)
	mux.HandleFunc("POST /api/restore", s.restoreHandler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		if s.hosts != nil && !s.hosts[r.Host] {
			http.Error(w, s.tr.F("Host %q is not this server's: open the address the runner printed.", r.Host), http.StatusForbidden)
			return
		}
		if !s.sameOrigin(r) {
			http.Error(w, s.tr.T("Refused: the request comes from another site's page."), http.StatusForbidden)
			return
		}
		given := r.URL.Query().Get("token")
		if given == "" {
			given = r.Header.Get("X-Token")
		}
		if given == "" {
			if c, err := r.Cookie(s.cookieName()); err == nil {
				given = c.Value
			}
		}
		if subtle.ConstantTimeCompare([]byte(given), []byte(s.token)) != 1 {
			http.Error(w, s.tr.T("This page needs its token: open the address with ?token= that go run ./runner serve printed."), http.StatusForbidden)
			return
		}
		if r.URL.Query().Has("token") && r.Method == http.MethodGet && r.URL.Path == "/" {
			// The token becomes a cookie of this port, and leaves the address
			// bar (and the history).
			http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// cookieName is per port: cookies do not tell ports apart, and a class may
// run a server each on one machine.
func (s *webServer) cookieName() string { return "kafka-lessons-" + strconv.Itoa(s.port) }

// sameOrigin refuses what another site's page asks of this one: a browser
// names the page's origin on a POST, and says whether it is cross-site.
func (s *webServer) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	return origin == "" || origin == "http://"+r.Host
}

func (s *webServer) page(w http.ResponseWriter, r *http.Request) {
	b, err := webFiles.ReadFile("web/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	lang := "en"
	if s.tr != nil {
		lang = s.tr.Tag().String()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(strings.Replace(string(b), `<html lang="en">`, `<html lang="`+lang+`">`, 1)))
}

// writeJSON answers with v.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// refuse answers with an error the page shows.
func refuse(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readJSON reads a request's JSON body into v, at most 1 MiB. JSON only:
// another site's page cannot send it without asking first (CORS), a second
// guard behind the origin check.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		refuse(w, http.StatusUnsupportedMediaType, "bad request: the body must be JSON (Content-Type: application/json)")
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		refuse(w, http.StatusBadRequest, "bad request: "+err.Error())
		return false
	}
	return true
}

// clientID is what a page may name its stream: its own random id, made
// once per tab, so that a stream that reconnects is the same tab.
var clientID = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// tabGrace is how long a tab's stream may be away (a reconnect) before the
// job that tab started is stopped as the tab's being closed.
const tabGrace = 3 * time.Second

// events is the page's stream (server-sent events): what happened so far,
// then each event as it happens. When a tab's stream closes and the tab
// does not come back, the job it started stops.
func (s *webServer) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	client := r.URL.Query().Get("client")
	if !clientID.MatchString(client) {
		client = newToken()[:16]
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	id := newToken()[:16] // this stream's: a tab may have a second one for a moment
	past, live := s.hub.subscribe(id, client)
	defer func() {
		s.hub.unsubscribe(id)
		go func() {
			select {
			case <-time.After(tabGrace):
			case <-s.base.Done():
				return
			}
			if !s.hub.connected(client) {
				s.stopJobOf(client)
			}
		}()
	}()
	send := func(e event) bool {
		b, _ := json.Marshal(e)
		_, err := fmt.Fprintf(w, "data: %s\n\n", b)
		return err == nil
	}
	fmt.Fprint(w, "retry: 1000\n\n") // a lost stream comes back within a second
	send(event{Type: "hello", Client: client})
	for _, e := range past {
		if !send(e) {
			return
		}
	}
	flusher.Flush()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case e, open := <-live:
			if !open || !send(e) {
				return
			}
			flusher.Flush()
		case <-keepAlive.C:
			fmt.Fprint(w, ": still here\n\n")
			flusher.Flush()
		case <-r.Context().Done():
			return
		case <-s.base.Done():
			return
		}
	}
}

// stopJobOf stops the job the stream client asked for: its tab closed.
func (s *webServer) stopJobOf(client string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy != nil && s.busy.client == client {
		s.busy.cancel()
	}
}

func (s *webServer) stopHandler(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy != nil {
		s.busy.cancel()
	}
	writeJSON(w, http.StatusOK, map[string]bool{"stopped": s.busy != nil})
}

// start runs f as the page's one job, unless one runs already or the
// server stops; with a lesson, f gets its run (runFor). The check, the run
// and the job are one step under s.mu: a second request cannot clean up
// the run the first is about to play. before, when set, may still decline
// (it answered the request itself).
func (s *webServer) start(client, cell string, l *lessons.Lesson, before func(r *lessonRun) bool, f func(ctx context.Context, r *lessonRun)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy != nil || s.base.Err() != nil {
		return false
	}
	var run *lessonRun
	if l != nil {
		run = s.runFor(*l)
	}
	if before != nil && !before(run) {
		return true
	}
	ctx, cancel := context.WithCancel(s.base)
	s.busy = &job{cancel: cancel, client: client, cell: cell}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		defer func() {
			cancel()
			s.mu.Lock()
			s.busy = nil
			s.mu.Unlock()
			s.hub.send(event{Type: "idle"})
		}()
		f(ctx, run)
	}()
	return true
}

// busyMessage says why a second job waits.
func (s *webServer) busyMessage() string {
	return s.tr.T("Something is running: wait for it to end, or stop it.")
}

// serve serves until ctx ends (Ctrl-C): then it stops what runs, closes
// its readers and writers, and returns errInterrupted.
func (s *webServer) serve(ctx context.Context, ln net.Listener) error {
	// Its own end too: when the HTTP server fails, the poller, the streams
	// and the job stop as on Ctrl-C.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	s.base = ctx
	s.mu.Unlock()
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		s.pollCluster(ctx)
	}()
	var err error
	select {
	case <-ctx.Done():
	case err = <-done:
	}
	cancel() // the job's context ends: it closes what it opened
	// No request is taken from here on, so none makes a run nobody cleans up.
	sctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	srv.Shutdown(sctx)
	s.jobs.Wait()
	s.mu.Lock()
	if s.run != nil {
		s.run.cleanup()
	}
	s.mu.Unlock()
	<-polled
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return errInterrupted
}

// pollCluster draws the cluster panel while a tab is open, with watch's
// own snapshot and picture.
func (s *webServer) pollCluster(ctx context.Context) {
	if s.watcher == nil {
		return
	}
	tick := time.NewTicker(clusterEvery)
	defer tick.Stop()
	var last *watch.Snapshot
	recent := watch.History{Keep: recentKept}
	drawn := ""
	for {
		if s.hub.watched() {
			snap := s.watcher.Poll(ctx)
			if ctx.Err() != nil {
				return
			}
			recent.Add(watch.Diff(last, snap))
			last = snap
			html := ansiHTML(watch.Render(snap, recent.Changes(), watch.Screen{Width: panelWidth, Color: true, Tr: s.tr}))
			if html != drawn {
				drawn = html
				s.hub.send(event{Type: "cluster", HTML: html})
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// cellID names the page's box for lesson n's step i (from 1).
func cellID(n, i int) string { return fmt.Sprintf("s%d-%d", n, i) }

// exerciseCell names the page's box for an exercise's check.
func exerciseCell(id string) string { return "x-" + id }

// findExerciseIn is exercise.Find, in the catalogue's language.
func findExerciseIn(tr *i18n.Catalog, id string) (exercise.Exercise, bool) {
	ex, ok := exercise.Find(id)
	return exercise.Localize(ex, tr), ok
}
