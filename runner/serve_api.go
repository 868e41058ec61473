package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The page's API: the lessons as data, and the jobs it asks for (run a
// step, check an exercise, run an edited step), whose output comes on the
// event stream.

// texts are the page's own words, in the learner's language.
func (s *webServer) texts(w http.ResponseWriter, _ *http.Request) {
	tr := s.tr
	writeJSON(w, http.StatusOK, map[string]string{
		"title":        tr.T("Kafka, hands-on: the lessons"),
		"lessons":      tr.T("Lessons"),
		"cluster":      tr.T("The cluster"),
		"step":         tr.T("Step"),
		"run":          tr.T("Run"),
		"running":      tr.T("Running…"),
		"stop":         tr.T("Stop"),
		"edit":         tr.T("Edit"),
		"editStep":     tr.T("Edit: %s"),
		"runEdited":    tr.T("Run my edit"),
		"restore":      tr.T("Restore the original"),
		"cancelEdit":   tr.T("Close the editor"),
		"edited":       tr.T("edited"),
		"needsFirst":   tr.T("This step needs what earlier steps make:"),
		"runFirst":     tr.T("Run them first, then this one"),
		"ok":           tr.T("done"),
		"failed":       tr.T("failed"),
		"skipped":      tr.T("did not run here"),
		"stopped":      tr.T("stopped"),
		"notyet":       tr.T("not yet"),
		"summary":      tr.T("What this lesson showed"),
		"quiz":         tr.T("Quiz"),
		"answer":       tr.T("Check my answers"),
		"right":        tr.T("Right."),
		"left":         tr.T("Left out: it is about a deeper step."),
		"wrong":        tr.T("Not quite: the answer is %s."),
		"score":        tr.T("right answers"),
		"exercises":    tr.T("Now you: exercises"),
		"allExercises": tr.T("Every exercise"),
		"check":        tr.T("Check"),
		"exerciseHow":  tr.T("Complete the file in your editor, then check it here: the check looks at the cluster, not at your code."),
		"notHere":      tr.T("Not here: %s"),
		"deeper":       tr.T("deeper"),
		"offline":      tr.T("The connection to the runner is lost: is go run ./runner serve still running?"),
		"code":         tr.T("Go code that runs"),
		"waiting":      tr.T("waiting for the cluster…"),
	})
}

// webLessonEntry is a lesson in the list.
type webLessonEntry struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Goal   string `json:"goal"`
	Done   bool   `json:"done"`
	Score  string `json:"score,omitempty"` // the quiz's, when taken
	Unmet  string `json:"unmet,omitempty"` // why it does not run here
}

func (s *webServer) lessonList(w http.ResponseWriter, _ *http.Request) {
	var list []webLessonEntry
	for _, l := range localized(s.tr) {
		list = append(list, s.entry(l))
	}
	writeJSON(w, http.StatusOK, list)
}

// entry is lesson l in the list, with the learner's progress.
func (s *webServer) entry(l lessons.Lesson) webLessonEntry {
	p := s.sess.progress
	return webLessonEntry{Number: l.Number, Title: l.Title, Goal: l.Goal, Done: p.isDone(l.Number),
		Score: strings.TrimSpace(p.quiz(l.Number)), Unmet: l.Requires.UnmetIn(s.tr, s.env.Cluster)}
}

// webLesson is a lesson as the page lays it out.
type webLesson struct {
	webLessonEntry
	HowTo     string        `json:"howTo,omitempty"`
	Steps     []webStep     `json:"steps"`
	Summary   []string      `json:"summary"`
	Quiz      []webQuestion `json:"quiz"`
	Exercises []webExercise `json:"exercises"`
	CanEdit   bool          `json:"canEdit"`
	EditWhy   string        `json:"editWhy,omitempty"` // why no step can be edited here
}

type webStep struct {
	Number    int    `json:"number"`
	Cell      string `json:"cell"`
	Title     string `json:"title"`
	Deeper    bool   `json:"deeper,omitempty"`
	Narration string `json:"narration"` // HTML
	Code      string `json:"code"`      // HTML, highlighted
	Source    string `json:"source"`    // the code, for the editor
	Edited    string `json:"edited,omitempty"`
	Needs     []int  `json:"needs,omitempty"`
	Unmet     string `json:"unmet,omitempty"`
	NoEdit    string `json:"noEdit,omitempty"`
}

type webQuestion struct {
	Ask     string   `json:"ask"`
	Choices []string `json:"choices"`
	// About says the question is about a deeper step, which a learner may
	// have skipped: it may be left blank, as the terminal leaves it out.
	About string `json:"about,omitempty"`
}

type webExercise struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Goal   string `json:"goal"`
	File   string `json:"file"`
	Cell   string `json:"cell"`
	Passed bool   `json:"passed"`
	Unmet  string `json:"unmet,omitempty"`
	Vars   string `json:"vars,omitempty"` // what the goal's $NAMES are
}

// lessonOf reads the lesson number of a request.
func (s *webServer) lessonOf(w http.ResponseWriter, n int) (lessons.Lesson, bool) {
	l, ok := s.find(n)
	if !ok {
		refuse(w, http.StatusNotFound, s.tr.F("There is no lesson %d.", n))
	}
	return l, ok
}

func (s *webServer) lesson(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		refuse(w, http.StatusNotFound, err.Error())
		return
	}
	l, ok := s.lessonOf(w, n)
	if !ok {
		return
	}
	tr := s.tr
	out := webLesson{webLessonEntry: s.entry(l), Summary: slices.Concat(l.Summary, l.DeeperSummary)}
	if out.Unmet != "" {
		out.HowTo = howToMeet(tr, l.Requires)
	}
	out.CanEdit = s.sess.editor != nil
	if !out.CanEdit {
		out.EditWhy = tr.T(s.sess.editWhy)
	}
	for i, st := range l.Plan().Steps {
		src, err := lessons.SourceOf(st)
		if err != nil {
			refuse(w, http.StatusInternalServerError, err.Error())
			return
		}
		ws := webStep{Number: i + 1, Cell: cellID(l.Number, i+1), Title: st.Heading(), Deeper: st.Deeper,
			Narration: narrationHTML(lessons.Narration(tr, l.Number, i+1, src.Narration)),
			Code:      goHTML(src.Code), Source: src.Code, Needs: st.Needs, Unmet: st.Requires.UnmetIn(tr, s.env.Cluster)}
		if st.NoEdit != "" {
			ws.NoEdit = tr.Translate(st.NoEdit)
		}
		if s.sess.editor != nil {
			ws.Edited, _ = s.sess.editor.saved(l.Number, i+1)
		}
		out.Steps = append(out.Steps, ws)
	}
	steps := l.Plan().Steps
	for _, q := range l.Quiz {
		wq := webQuestion{Ask: q.Ask, Choices: q.Choices}
		if aboutDeeper(q, steps) {
			wq.About = tr.F("About the deeper step %d: leave it blank if you skipped that step.", q.Step)
		}
		out.Quiz = append(out.Quiz, wq)
	}
	out.Exercises = s.webExercises(exercise.ForLesson(l.Number))
	writeJSON(w, http.StatusOK, out)
}

// webExercises are exercises as the page shows them.
func (s *webServer) webExercises(all []exercise.Exercise) []webExercise {
	var out []webExercise
	for _, ex := range exercise.LocalizeAll(all, s.tr) {
		we := webExercise{ID: ex.ID, Title: ex.Title, Goal: ex.Goal,
			File: "exercises/" + ex.Dir + "/main.go", Cell: exerciseCell(ex.ID), Passed: s.sess.progress.passed(ex.ID),
			Unmet: ex.Requires.UnmetIn(s.tr, s.env.Cluster)}
		we.Vars = goalVarsNote(s.tr, ex.Goal)
		out = append(out, we)
	}
	return out
}

// exercises lists every exercise, those after a lesson and those on their
// own (kafka-go's traps), as the menu's "Now you" does.
func (s *webServer) exercises(w http.ResponseWriter, _ *http.Request) {
	all := s.webExercises(exercise.All())
	passed := 0
	for _, ex := range all {
		if ex.Passed {
			passed++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"label": s.tr.F("✎ Now you: the exercises (%d of %d passed)", passed, len(all)), "exercises": all})
}

// runFor is the lesson's run, made fresh when the page moves to another
// lesson (the last one's readers and writers closed) or a stop ended it.
// The caller holds s.mu.
func (s *webServer) runFor(l lessons.Lesson) *lessonRun {
	if s.run != nil && s.run.lesson.Number == l.Number && s.run.plan.Cleanup != nil {
		return s.run
	}
	if s.run != nil {
		s.run.cleanup()
	}
	s.run = s.sess.newRun(l)
	s.run.plan.Cleanup = chain(s.run.plan.Cleanup) // set: the run is live until cleaned up
	return s.run
}

// chain returns f, or a function doing nothing: a non-nil Cleanup marks a
// run that has not been cleaned up.
func chain(f func()) func() {
	if f == nil {
		return func() {}
	}
	return f
}

// stepRequest asks to run (or edit) a step.
type stepRequest struct {
	Lesson int    `json:"lesson"`
	Step   int    `json:"step"`
	Needs  bool   `json:"needs"` // run the steps it needs first
	Client string `json:"client"`
	Code   string `json:"code"` // edit: the learner's code
}

// stepOf reads a request about a step and finds its lesson; when it
// cannot, it has answered why.
func (s *webServer) stepOf(w http.ResponseWriter, r *http.Request) (stepRequest, lessons.Lesson, bool) {
	var req stepRequest
	if !readJSON(w, r, &req) {
		return req, lessons.Lesson{}, false
	}
	l, ok := s.lessonOf(w, req.Lesson)
	if !ok {
		return req, l, false
	}
	if n := len(l.Plan().Steps); req.Step < 1 || req.Step > n {
		refuse(w, http.StatusNotFound, s.tr.F("Lesson %d has steps 1 to %d.", l.Number, n))
		return req, l, false
	}
	if why := l.Requires.UnmetIn(s.tr, s.env.Cluster); why != "" {
		refuse(w, http.StatusConflict, s.tr.F("This lesson does not run here: %s.", why)+" "+howToMeet(s.tr, l.Requires))
		return req, l, false
	}
	return req, l, true
}

func (s *webServer) runHandler(w http.ResponseWriter, r *http.Request) {
	req, l, ok := s.stepOf(w, r)
	if !ok {
		return
	}
	var needs []stepRef
	var order []int
	started := s.start(req.Client, cellID(l.Number, req.Step), &l, func(run *lessonRun) bool {
		missing := run.missing(req.Step - 1)
		if len(missing) > 0 && !req.Needs {
			for _, m := range missing {
				needs = append(needs, run.ref(m))
			}
			return false
		}
		order = append(missing, req.Step-1)
		return true
	}, func(ctx context.Context, run *lessonRun) { s.play(ctx, run, order) })
	switch {
	case !started:
		refuse(w, http.StatusConflict, s.busyMessage())
	case needs != nil:
		writeJSON(w, http.StatusOK, map[string]any{"needs": needs})
	default:
		writeJSON(w, http.StatusAccepted, map[string]bool{"started": true})
	}
}

// play runs the steps of order in turn, each in its cell, and stops at the
// first that does not succeed.
func (s *webServer) play(ctx context.Context, r *lessonRun, order []int) {
	n := r.lesson.Number
	for k, i := range order {
		status := s.inCell(cellID(n, i+1), func() string { return s.runOne(ctx, r, i) })
		if status != "ok" {
			if last := order[len(order)-1]; k < len(order)-1 && status != "stopped" {
				s.inCell(cellID(n, last+1), func() string {
					s.sess.out.Warn("Step %d needs step %d, which did not succeed: it did not run.", last+1, i+1)
					return "skipped"
				})
			}
			return
		}
	}
	s.markDone(r)
}

// runOne runs step i of r, after the lesson's setup the first time, and
// says how it ended.
func (s *webServer) runOne(ctx context.Context, r *lessonRun, i int) string {
	st := r.plan.Steps[i]
	if why := st.Requires.UnmetIn(s.tr, s.env.Cluster); why != "" {
		r.out.Warn("This step does not run here: %s.", why)
		r.out.Say("%s", howToMeet(s.tr, st.Requires))
		return "skipped"
	}
	s.mu.Lock()
	ready := s.ready == r
	s.mu.Unlock()
	var err error
	if !ready {
		if err = r.setup(ctx); err == nil {
			s.mu.Lock()
			s.ready = r
			s.mu.Unlock()
		}
	}
	if err == nil {
		err = r.run(ctx, i)
	}
	switch {
	case err == nil:
		s.sess.progress.at(r.lesson.Number, min(i+2, len(r.plan.Steps)))
		return "ok"
	case errors.Is(err, errStepSkipped):
		return "skipped"
	case errors.Is(err, errInterrupted) || ctx.Err() != nil:
		s.mu.Lock()
		if s.run == r {
			s.run = nil // its readers and writers are closed: the next run starts afresh
		}
		s.mu.Unlock()
		return "stopped"
	}
	r.out.Error("%v", err)
	return "failed"
}

// markDone records the lesson done once every step that can run here has.
func (s *webServer) markDone(r *lessonRun) {
	for i, st := range r.plan.Steps {
		if !r.tried[i] && st.Requires.Unmet(s.env.Cluster) == "" {
			return
		}
	}
	if !s.sess.progress.isDone(r.lesson.Number) {
		s.sess.progress.done(r.lesson.Number)
	}
}

func (s *webServer) quizHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Lesson  int    `json:"lesson"`
		Answers []*int `json:"answers"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	l, ok := s.lessonOf(w, req.Lesson)
	if !ok {
		return
	}
	// Every question is answered, but one about a deeper step may be left.
	steps := l.Plan().Steps
	missing := len(req.Answers) != len(l.Quiz)
	for i := 0; !missing && i < len(l.Quiz); i++ {
		missing = req.Answers[i] == nil && !aboutDeeper(l.Quiz[i], steps)
	}
	if missing {
		refuse(w, http.StatusBadRequest, s.tr.F("Answer the %d questions.", len(l.Quiz)))
		return
	}
	for i, a := range req.Answers {
		if a != nil && (*a < 0 || *a >= len(l.Quiz[i].Choices)) {
			refuse(w, http.StatusBadRequest, s.tr.F("Question %d has choices 0 to %d.", i+1, len(l.Quiz[i].Choices)-1))
			return
		}
	}
	type verdict struct {
		Left   bool   `json:"left,omitempty"` // left blank: about a deeper step
		Right  bool   `json:"right"`
		Answer string `json:"answer"`
		Why    string `json:"why"`
		Step   int    `json:"step,omitempty"`
	}
	var out struct {
		Verdicts []verdict `json:"verdicts"`
		Right    int       `json:"right"`
		Total    int       `json:"total"`
	}
	for i, q := range l.Quiz {
		v := verdict{Answer: q.Choices[q.Answer], Why: q.Why, Step: q.Step}
		switch {
		case req.Answers[i] == nil:
			v.Left = true
		case *req.Answers[i] == q.Answer:
			v.Right = true
			out.Right++
			out.Total++
		default:
			out.Total++
		}
		out.Verdicts = append(out.Verdicts, v)
	}
	if out.Total > 0 {
		s.sess.progress.score(l.Number, out.Right, out.Total)
	}
	writeJSON(w, http.StatusOK, out)
}

// aboutDeeper says q is about a deeper step of steps.
func aboutDeeper(q lessons.Question, steps []lessons.Step) bool {
	return q.Step >= 1 && q.Step <= len(steps) && steps[q.Step-1].Deeper
}

func (s *webServer) checkHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID     string `json:"id"`
		Client string `json:"client"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	ex, ok := findExerciseIn(s.tr, req.ID)
	if !ok {
		refuse(w, http.StatusNotFound, s.tr.F("There is no exercise %q.", req.ID))
		return
	}
	cell := exerciseCell(ex.ID)
	started := s.start(req.Client, cell, nil, nil, func(ctx context.Context, _ *lessonRun) {
		s.inCell(cell, func() string {
			switch err := s.coach.check(ctx, s.env, ex); {
			case err == nil:
				return "ok"
			case ctx.Err() != nil:
				return "stopped"
			case errors.Is(err, errNotYet): // the check said what is missing
				return "notyet"
			default:
				s.sess.out.Error("%v", err)
				return "failed"
			}
		})
	})
	s.answerStart(w, started)
}

// editHandler builds and runs the learner's code in place of a step's, as
// the terminal's "Edit this step and run it" does.
func (s *webServer) editHandler(w http.ResponseWriter, r *http.Request) {
	req, l, ok := s.stepOf(w, r)
	if !ok {
		return
	}
	e, ok := s.editorOf(w)
	if !ok {
		return
	}
	st := l.Plan().Steps[req.Step-1]
	if st.NoEdit != "" {
		refuse(w, http.StatusConflict, s.tr.F("This step cannot be edited: %s.", s.tr.Translate(st.NoEdit)))
		return
	}
	src, err := lessons.SourceOf(st)
	if err != nil {
		refuse(w, http.StatusInternalServerError, err.Error())
		return
	}
	body := strings.ReplaceAll(req.Code, "\r\n", "\n")
	if strings.TrimSpace(body) == strings.TrimSpace(src.Code) {
		e.restore(l.Number, req.Step)
		refuse(w, http.StatusBadRequest, s.tr.T("No change to the lesson's code: nothing to run."))
		return
	}
	// The edit is kept before it runs: nothing the learner typed is lost.
	if err := e.keep(l.Number, req.Step, body); err != nil {
		refuse(w, http.StatusInternalServerError, s.tr.F("keep the edit of step %d: %v", req.Step, err))
		return
	}
	cell := cellID(l.Number, req.Step)
	started := s.start(req.Client, cell, &l, nil, func(ctx context.Context, run *lessonRun) {
		s.inCell(cell, func() string {
			switch ok, err := run.runEdit(ctx, req.Step-1, src, body, len(run.plan.Steps), st.Title); {
			case err != nil:
				return "stopped"
			case ok:
				return "ok"
			}
			return "failed"
		})
	})
	s.answerStart(w, started)
}

// inCell runs job with its output in cell, between the events that open and
// end the cell; job returns how it ended.
func (s *webServer) inCell(cell string, job func() (status string)) string {
	s.target.set(cell)
	s.hub.send(event{Type: "start", Cell: cell})
	status := job()
	s.hub.send(event{Type: "end", Cell: cell, Status: status})
	return status
}

// answerStart answers a request for a job: started, or refused while
// another runs.
func (s *webServer) answerStart(w http.ResponseWriter, started bool) {
	if !started {
		refuse(w, http.StatusConflict, s.busyMessage())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]bool{"started": true})
}

// editorOf is the session's step editor; without one, it has answered why.
func (s *webServer) editorOf(w http.ResponseWriter) (*stepEditor, bool) {
	if s.sess.editor == nil {
		refuse(w, http.StatusConflict, s.tr.F("You cannot edit steps here: %s.", s.tr.T(s.sess.editWhy)))
	}
	return s.sess.editor, s.sess.editor != nil
}

func (s *webServer) restoreHandler(w http.ResponseWriter, r *http.Request) {
	req, l, ok := s.stepOf(w, r)
	if !ok {
		return
	}
	e, ok := s.editorOf(w)
	if !ok {
		return
	}
	if err := e.restore(l.Number, req.Step); err != nil {
		refuse(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"restored": true})
}
