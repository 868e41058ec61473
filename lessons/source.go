package lessons

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"sync"
)

// The package's files are embedded so the code shown for a step, or for a
// helper it calls, is read from the very file that was compiled: it cannot
// drift from what runs. The lesson files (NN_name.go), where a step's
// function lives, and the helper files by name, since a pattern cannot
// leave the _test.go files out (TestEveryHelperFileIsEmbedded lists them).
//
//go:embed [0-9][0-9]_*.go
//go:embed aside.go chart.go cleaner.go delivery.go groups.go isolation.go kafka.go keys.go
//go:embed lesson.go logdirs.go lossy.go measure.go messages.go nodes.go order.go order_v2.go
//go:embed outage.go pipeline.go poll.go produce.go rebalances.go defaults.go acls.go streams.go connect.go schemaregistry.go record.go replication.go source.go helpers.go glossary.go texts.go
var sources embed.FS

// Source is the narration and code of one step, read from the lesson sources.
type Source struct {
	File      string // e.g. 03_produce.go
	Narration string // the function's doc comment
	Code      string // the function's body, dedented

	// Where the body is in File, so that an edited body can take its place
	// (Splice) and a compiler's line be mapped back to the edit (EditPosition).
	start, end int // byte offsets of the body, between its braces
	brace      int // the line of the opening brace
}

// index maps a function name ("createTopic", "(*produceState).send") to its
// source. It is built once, on first use, from read-only embedded files.
var index = sync.OnceValues(func() (map[string]Source, error) { return indexFuncs(sources) })

// SourceOf finds the function that runs step s in the embedded sources.
func SourceOf(s Step) (Source, error) {
	idx, err := index()
	if err != nil {
		return Source{}, err
	}
	name := s.FuncName()
	src, ok := idx[name]
	if !ok {
		return Source{}, fmt.Errorf("no function %s in the lesson files", name)
	}
	return src, nil
}

// indexFuncs parses every lesson file of fsys and indexes its functions and
// methods by the name runtime reports for them.
func indexFuncs(fsys fs.FS) (map[string]Source, error) {
	files, err := fs.Glob(fsys, "*.go")
	if err != nil {
		return nil, fmt.Errorf("list lesson sources: %w", err)
	}
	idx := map[string]Source{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		for _, d := range f.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			name := decl.Name.Name
			if recv := receiverName(decl); recv != "" {
				// As the runtime spells them: (*T).m, or T.m for a value receiver.
				name = recv + "." + name
				if pointerReceiver(decl) {
					name = "(*" + recv + ")." + decl.Name.Name
				}
			}
			body := src[fset.Position(decl.Body.Lbrace).Offset+1 : fset.Position(decl.Body.Rbrace).Offset]
			lbrace := fset.Position(decl.Body.Lbrace)
			idx[name] = Source{File: file, Narration: strings.TrimSpace(decl.Doc.Text()), Code: dedent(string(body)),
				start: lbrace.Offset + 1, end: fset.Position(decl.Body.Rbrace).Offset, brace: lbrace.Line}
		}
	}
	return idx, nil
}

func receiverName(decl *ast.FuncDecl) string {
	if decl.Recv == nil || len(decl.Recv.List) == 0 {
		return ""
	}
	t := decl.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func pointerReceiver(decl *ast.FuncDecl) bool {
	_, ok := decl.Recv.List[0].Type.(*ast.StarExpr)
	return ok
}

// dedent removes the leading and trailing blank lines and one level of tabs.
func dedent(body string) string {
	lines := strings.Split(strings.Trim(body, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}

// FileText is the lesson file the step's function is in, as it was compiled
// into this program.
func (s Source) FileText() ([]byte, error) { return fs.ReadFile(sources, s.File) }

// Splice returns file (the text of s.File) with the function's body replaced
// by body, spelt as Code is (dedented): each line is indented by one tab
// again, and the first line of body is on the line after the opening brace,
// as Code's first line was, so EditPosition maps the compiler's lines back.
func (s Source) Splice(file []byte, body string) ([]byte, error) {
	if s.end > len(file) || s.start > s.end || file[s.start-1] != '{' || file[s.end] != '}' {
		return nil, fmt.Errorf("%s is not the file the lesson was compiled from", s.File)
	}
	lines := strings.Split(strings.Trim(body, "\n"), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = "\t" + l
		} else {
			lines[i] = "" // gofmt's way: no trailing blanks
		}
	}
	var b strings.Builder
	b.Write(file[:s.start])
	b.WriteString("\n" + strings.Join(lines, "\n") + "\n")
	b.Write(file[s.end:])
	return []byte(b.String()), nil
}

// EditPosition maps a line and column of the spliced file (1-based, as a
// compiler reports them) to the body's own: ok is false when the position is
// outside the body (the lesson's imports, or the code after it).
func (s Source) EditPosition(body string, line, col int) (bodyLine, bodyCol int, ok bool) {
	n := strings.Count(strings.Trim(body, "\n"), "\n") + 1
	bodyLine = line - s.brace
	if bodyLine < 1 || bodyLine > n {
		return 0, 0, false
	}
	if col > 1 {
		col-- // the tab Splice added; an empty line has none, and column 1
	}
	return bodyLine, col, true
}
