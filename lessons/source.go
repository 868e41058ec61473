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

// The lesson files are embedded so the code shown for a step is read from
// the very file that was compiled: it cannot drift from what runs. Only the
// lesson files (NN_name.go): a step's function lives in its lesson's file.
//
//go:embed [0-9][0-9]_*.go
var sources embed.FS

// Source is the narration and code of one step, read from the lesson sources.
type Source struct {
	File      string // e.g. 03_produce.go
	Narration string // the function's doc comment
	Code      string // the function's body, dedented
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
			idx[name] = Source{File: file, Narration: strings.TrimSpace(decl.Doc.Text()), Code: dedent(string(body))}
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
