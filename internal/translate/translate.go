// Package translate knows what the walkthrough's translations must hold:
// every text of every lesson and every message the lessons and the
// runner print, read from the sources. cmd/po-sync writes the PO files
// from it, keeping what is translated; the tests check the files against
// it, so that a new or changed English text fails a test until it is
// translated.
package translate

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Dir is where the French PO files are, from the module's root.
const Dir = "lessons/fr"

// Lang is the language of the files in Dir.
const Lang = "fr"

// printers are the methods whose first argument, a string literal, is
// text a learner reads: the Printer's (lessons and runner), the
// catalogue's own (T, F; N takes two), and the runner's other writers.
var printers = map[string]bool{
	"Say": true, "Event": true, "Warn": true, "Value": true, "Error": true, "Loud": true,
	"Banner": true, "Status": true, "Plain": true, "Tell": true, "Aside": true, "Title": true, "Fact": true, "t": true, "add": true, "bad": true, "Mark": true,
	"T": true, "F": true, "N": true,
}

// runnerDirs hold the runner's messages, in runner.po.
var runnerDirs = []string{"runner", "internal/output", "internal/notebook", "internal/watch", "internal/class", "internal/cluster"}

// Expected returns, for each PO file of Dir, the entries the sources call
// for, in the order a translator meets them, without translations.
func Expected(root string) (map[string][]i18n.Entry, error) {
	files := map[string][]i18n.Entry{}
	seen := map[string]bool{} // messages already in a file
	lessonFiles := map[int]string{}
	for _, l := range lessons.All() {
		texts, err := l.Texts()
		if err != nil {
			return nil, err
		}
		name := lessonFile(root, l.Number)
		lessonFiles[l.Number] = name
		for _, t := range texts {
			files[name] = append(files[name], i18n.Entry{Context: t.Context, ID: t.English, Comments: []string{t.Note}})
		}
	}
	// The lessons' messages: in the file of the lesson that prints them,
	// the shared code's in helpers.po.
	lessonDir := filepath.Join(root, "lessons")
	goFiles, err := sourceFiles(lessonDir)
	if err != nil {
		return nil, err
	}
	lessonConsts, err := packageConsts(lessonDir)
	if err != nil {
		return nil, err
	}
	for _, f := range goFiles {
		target := "helpers.po"
		if n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0]); err == nil {
			target = lessonFiles[n]
		}
		msgs, err := Messages(f, lessonConsts)
		if err != nil {
			return nil, err
		}
		files[target] = appendNew(files[target], msgs, seen)
	}
	for _, t := range lessons.Glossary() {
		files["helpers.po"] = append(files["helpers.po"],
			i18n.Entry{Context: "glossary term", ID: t.Name, Comments: []string{"a word of the glossary"}},
			i18n.Entry{Context: "glossary " + t.Name, ID: t.Definition, Comments: []string{fmt.Sprintf("its definition, said word for word in lesson %d step %d's French", t.Lesson, t.Step)}},
		)
	}
	for _, ex := range exercise.All() {
		for _, t := range ex.Texts() {
			files["exercises.po"] = append(files["exercises.po"], i18n.Entry{Context: t.Context, ID: t.English, Comments: []string{t.Note}})
		}
	}
	// collect adds what extract finds in each Go file of dir to a file.
	collect := func(dir, target string, extract func(file string) ([]i18n.Entry, error)) error {
		goFiles, err := sourceFiles(filepath.Join(root, dir))
		if err != nil {
			return err
		}
		for _, f := range goFiles {
			msgs, err := extract(f)
			if err != nil {
				return err
			}
			files[target] = appendNew(files[target], msgs, seen)
		}
		return nil
	}
	// The lines of a check: what it looked at, wanted and got, and why.
	checkLines := func(file string) ([]i18n.Entry, error) { return fieldTexts(file, checkFields) }
	if err := collect("internal/exercise", "exercises.po", checkLines); err != nil {
		return nil, err
	}
	for _, d := range runnerDirs {
		consts, err := packageConsts(filepath.Join(root, d))
		if err != nil {
			return nil, err
		}
		messages := func(file string) ([]i18n.Entry, error) { return Messages(file, consts) }
		if err := collect(d, "runner.po", messages); err != nil {
			return nil, err
		}
	}
	for _, d := range errorDirs {
		// One file per side, so translators can share the work.
		target := "errors-internal.po"
		if d == "runner" || d == "lessons" {
			target = "errors-" + d + ".po"
		}
		if err := collect(d, target, errorTexts); err != nil {
			return nil, err
		}
	}
	help, err := helpTexts(filepath.Join(root, "runner"))
	if err != nil {
		return nil, err
	}
	files["help.po"] = appendNew(files["help.po"], help, seen)
	return files, nil
}

func appendNew(dst, msgs []i18n.Entry, seen map[string]bool) []i18n.Entry {
	for _, m := range msgs {
		if seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		dst = append(dst, m)
	}
	return dst
}

// lessonFile is the PO file of lesson n: its Go file's name, .po.
func lessonFile(root string, n int) string {
	matches, _ := filepath.Glob(filepath.Join(root, "lessons", fmt.Sprintf("%02d_*.go", n)))
	for _, m := range matches {
		if !strings.HasSuffix(m, "_test.go") {
			return strings.TrimSuffix(filepath.Base(m), ".go") + ".po"
		}
	}
	return fmt.Sprintf("%02d.po", n)
}

func sourceFiles(dir string) ([]string, error) {
	all, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range all {
		if !strings.HasSuffix(f, "_test.go") {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Messages returns the texts a Go file prints through the printers'
// methods, as message entries (no context), in the file's order.
func Messages(file string, consts map[string]string) ([]i18n.Entry, error) {
	literal := func(e ast.Expr) (string, bool) { return constant(consts, e) }
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	var out []i18n.Entry
	// The file, not the line: a line number would make every edit above a
	// message a change of the PO file.
	ref := func(p token.Pos) string { return filepath.Base(fset.Position(p).Filename) }
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !printers[sel.Sel.Name] {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && (id.Name == "fmt" || id.Name == "t" || id.Name == "b") {
			return true // fmt.Errorf's kin, a test's t.Error, a benchmark's b.Error
		}
		switch sel.Sel.Name {
		case "add", "bad":
			// runner watch's pieces of a line, l.add(style, format, …), and
			// its changes, d.add(format, …): the printer-like methods of
			// internal/watch only.
			if filepath.Base(filepath.Dir(file)) != "watch" {
				return true
			}
			for _, a := range call.Args[:min(2, len(call.Args))] {
				if s, ok := literal(a); ok && worded(s) {
					out = append(out, i18n.Entry{ID: s, Comments: []string{ref(call.Pos())}})
				}
			}
		case "N":
			one, ok1 := literal(call.Args[0])
			if len(call.Args) < 2 {
				return true
			}
			other, ok2 := literal(call.Args[1])
			if ok1 && ok2 && worded(one) {
				out = append(out, i18n.Entry{ID: one, Plural: other, Comments: []string{ref(call.Pos())}})
			}
		case "Banner":
			for _, a := range call.Args {
				if s, ok := literal(a); ok && worded(s) {
					out = append(out, i18n.Entry{ID: s, Comments: []string{ref(a.Pos())}})
				}
			}
		default:
			if s, ok := sprintfFormat(call.Args[0]); ok && worded(s) {
				// A label made with fmt.Sprintf: the printer finds its
				// format by the text (i18n.Catalog.Match).
				out = append(out, i18n.Entry{ID: s, Comments: []string{ref(call.Pos())}})
				return true
			}
			if s, ok := literal(call.Args[0]); ok && worded(s) {
				out = append(out, i18n.Entry{ID: s, Comments: []string{ref(call.Pos())}})
			}
		}
		return true
	})
	return out, nil
}

// sprintfFormat is the format of a fmt.Sprintf call with a literal one.
func sprintfFormat(e ast.Expr) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Sprintf" {
		return "", false
	}
	if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "fmt" {
		return "", false
	}
	return literal(call.Args[0])
}

// checkFields are the fields of an exercise's check line (exercise.Line)
// that a learner reads.
var checkFields = map[string]bool{"What": true, "Want": true, "Got": true, "Why": true}

// fieldTexts returns the texts a Go file puts in the named fields, as
// literals or fmt.Sprintf formats, in a composite literal (Why: "…") or
// an assignment (l.Why = "…"), as message entries.
func fieldTexts(file string, fields map[string]bool) ([]i18n.Entry, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	var out []i18n.Entry
	add := func(e ast.Expr) {
		s, ok := sprintfFormat(e)
		if !ok {
			s, ok = literal(e)
		}
		if ok && worded(s) {
			out = append(out, i18n.Entry{ID: s, Comments: []string{filepath.Base(file) + ", a line of a check"}})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			// want(what, wanted, got): exercise's Line with What = what.
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "want" && fields["What"] && len(n.Args) > 0 {
				add(n.Args[0])
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && fields[id.Name] {
				add(n.Value)
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && fields[sel.Sel.Name] {
					add(n.Rhs[i])
				}
			}
		}
		return true
	})
	return out, nil
}

// literal is the value of a string literal, or of literals joined by +.
func literal(e ast.Expr) (string, bool) { return constant(nil, e) }

// constant is literal with constants resolved: consts maps a constant's
// name ("stepRule"), or another package's ("broker.EnvVar"), to its value.
func constant(consts map[string]string, e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.SelectorExpr:
		if pkg, ok := e.X.(*ast.Ident); ok {
			s, ok := consts[pkg.Name+"."+e.Sel.Name]
			return s, ok
		}
		return "", false
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := constant(consts, e.X)
		b, ok2 := constant(consts, e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return constant(consts, e.X)
	}
	return "", false
}

// worded says a text has words to translate ("%s" and "  " have none).
func worded(s string) bool { return i18n.Letters(s) >= 2 }

// Merge gives the expected entries the translations of the existing ones:
// the same text at the same place keeps its translation; a text whose
// English changed at a place (a lesson's text) keeps its old translation,
// marked fuzzy, for a translator to review.
func Merge(expected, existing []i18n.Entry) []i18n.Entry {
	byKey, byContext := index(existing)
	out := make([]i18n.Entry, len(expected))
	for i, e := range expected {
		if old, ok := byKey[[2]string{e.Context, e.ID}]; ok && old.Plural == e.Plural {
			e.Str, e.Flags = old.Str, old.Flags
		} else if old, ok := byContext[e.Context]; ok && e.Context != "" && hasText(old) {
			e.Str = old.Str
			e.Flags = []string{"fuzzy"}
		}
		out[i] = e
	}
	return out
}

// index finds a file's entries by place and text, and by place alone.
func index(existing []i18n.Entry) (byKey map[[2]string]i18n.Entry, byContext map[string]i18n.Entry) {
	byKey, byContext = map[[2]string]i18n.Entry{}, map[string]i18n.Entry{}
	for _, e := range existing {
		byKey[[2]string{e.Context, e.ID}] = e
		if e.Context != "" {
			byContext[e.Context] = e
		}
	}
	return byKey, byContext
}

func hasText(e i18n.Entry) bool {
	return slices.ContainsFunc(e.Str, func(s string) bool { return s != "" })
}

// Render is a PO file's text for its entries.
func Render(entries []i18n.Entry) ([]byte, error) {
	var b bytes.Buffer
	if err := i18n.WritePO(&b, Lang, entries); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Existing reads the PO files of dir.
func Existing(dir string) (map[string][]i18n.Entry, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.po"))
	if err != nil {
		return nil, err
	}
	out := map[string][]i18n.Entry{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		entries, err := i18n.ParsePO(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out[filepath.Base(f)] = entries
	}
	return out, nil
}

// errorDirs hold the errors a learner may read: the runner's, and those
// of the packages it reports from.
var errorDirs = []string{"runner", "internal/broker", "internal/clientconfig", "internal/cluster", "internal/progress", "lessons"}

// errorTexts returns the errors a Go file makes: fmt.Errorf's formats,
// errors.New's texts, the runner's usagef and withHint. The printer and
// the runner find them by their text when printing an error
// (i18n.Catalog.Translate, which translates a wrapped error in turn).
func errorTexts(file string) ([]i18n.Entry, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	var out []i18n.Entry
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		arg := -1
		switch fun := call.Fun.(type) {
		case *ast.SelectorExpr:
			if id, ok := fun.X.(*ast.Ident); ok && ((id.Name == "fmt" && fun.Sel.Name == "Errorf") || (id.Name == "errors" && fun.Sel.Name == "New")) {
				arg = 0
			}
		case *ast.Ident:
			switch fun.Name {
			case "usagef":
				arg = 0
			case "withHint", "fail": // clientconfig's fail(property, format, …)
				arg = 1
			}
		}
		if arg < 0 || arg >= len(call.Args) {
			return true
		}
		if s, ok := literal(call.Args[arg]); ok && worded(s) {
			out = append(out, i18n.Entry{ID: s, Comments: []string{filepath.Base(file) + ", an error: keep names, commands and values as they are"}})
		}
		return true
	})
	return out, nil
}

// flagMethods are pflag's ways of defining a flag: their last argument is
// the flag's usage line.
var flagMethods = map[string]bool{
	"StringVar": true, "BoolVar": true, "IntVar": true, "Int64Var": true, "DurationVar": true, "Float64Var": true,
	"Var": true, "StringVarP": true, "BoolVarP": true, "IntVarP": true, "StringSliceVar": true, "VarP": true,
}

// helpTexts returns the help of the commands a package defines: cobra's
// Short, Long and Example, and the usage line of each flag, with the
// package's string constants resolved ("…" + brokerHelp).
func helpTexts(dir string) ([]i18n.Entry, error) {
	fset, parsed, err := parseDir(dir)
	if err != nil {
		return nil, err
	}
	consts := stringConsts(parsed)
	// Constants of the module's other packages that a help text joins in
	// (broker.EnvVar), by the package's name.
	for _, d := range []string{"internal/broker", "internal/clientconfig", "lessons"} {
		c, err := packageConsts(filepath.Join(filepath.Dir(dir), d))
		if err != nil {
			return nil, err
		}
		for name, v := range c {
			consts[filepath.Base(d)+"."+name] = v
		}
	}
	resolve := func(e ast.Expr) (string, bool) { return constant(consts, e) }
	var out []i18n.Entry
	for _, af := range parsed {
		name := filepath.Base(fset.Position(af.Pos()).Filename)
		ast.Inspect(af, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && (id.Name == "Short" || id.Name == "Long" || id.Name == "Example") {
					if s, ok := resolve(n.Value); ok && worded(s) {
						out = append(out, i18n.Entry{ID: s, Comments: []string{name + ", help: keep commands, flags and `NAMES` as they are"}})
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				// c.simple(name, short, …), fs.Func(name, usage, …),
				// c.brokerFlags(fs, embeddedUsage): the text is the second.
				if (sel.Sel.Name == "simple" || sel.Sel.Name == "Func" || sel.Sel.Name == "brokerFlags") && len(n.Args) >= 2 {
					if s, ok := resolve(n.Args[1]); ok && worded(s) {
						out = append(out, i18n.Entry{ID: s, Comments: []string{name + ", help: keep commands, flags and `NAMES` as they are"}})
					}
					return true
				}
				if !flagMethods[sel.Sel.Name] || len(n.Args) < 3 {
					return true
				}
				if s, ok := resolve(n.Args[len(n.Args)-1]); ok && worded(s) {
					out = append(out, i18n.Entry{ID: s, Comments: []string{name + ", a flag's help: keep the word in backquotes (`N`), pflag shows it as the value's name"}})
				}
			}
			return true
		})
	}
	return out, nil
}

// packageConsts reads the string constants of a package's files.
func packageConsts(dir string) (map[string]string, error) {
	_, parsed, err := parseDir(dir)
	if err != nil {
		return nil, err
	}
	return stringConsts(parsed), nil
}

// parseDir parses the Go files of dir, its tests left out.
func parseDir(dir string) (*token.FileSet, []*ast.File, error) {
	files, err := sourceFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, fmt.Errorf("parse %s: %w", f, err)
		}
		parsed = append(parsed, af)
	}
	return fset, parsed, nil
}

// stringConsts are the constants of files whose value is a string literal,
// or literals joined.
func stringConsts(files []*ast.File) map[string]string {
	consts := map[string]string{}
	for _, af := range files {
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if s, ok := literal(vs.Values[i]); ok {
							consts[name.Name] = s
						}
					}
				}
			}
		}
	}
	return consts
}
