package lessons

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
)

// The lesson sources are embedded so the code shown for a step is read from
// the very file that was compiled: it cannot drift from what runs.
//
//go:embed *.go
var sources embed.FS

// Source is the narration and code of one step, read from the lesson sources.
type Source struct {
	File      string // e.g. 03_produce.go
	Narration string // the function's doc comment
	Code      string // the function's body, dedented
}

// SourceOf finds the function that runs step s in the embedded sources.
func SourceOf(s Step) (Source, error) {
	return findFunc(sources, s.FuncName())
}

// findFunc looks for a function ("name") or method ("(*T).name" / "(T).name").
func findFunc(fsys fs.FS, name string) (Source, error) {
	recv, fn := "", name
	if strings.HasPrefix(name, "(") {
		end := strings.Index(name, ").")
		if end < 0 {
			return Source{}, fmt.Errorf("malformed function name %q", name)
		}
		recv = strings.TrimPrefix(name[1:end], "*")
		fn = name[end+2:]
	}
	files, err := fs.Glob(fsys, "*.go")
	if err != nil {
		return Source{}, fmt.Errorf("list lesson sources: %w", err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return Source{}, fmt.Errorf("read %s: %w", file, err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return Source{}, fmt.Errorf("parse %s: %w", file, err)
		}
		for _, d := range f.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Name.Name != fn || receiverName(decl) != recv || decl.Body == nil {
				continue
			}
			body := src[fset.Position(decl.Body.Lbrace).Offset+1 : fset.Position(decl.Body.Rbrace).Offset]
			return Source{File: file, Narration: strings.TrimSpace(decl.Doc.Text()), Code: dedent(string(body))}, nil
		}
	}
	return Source{}, fmt.Errorf("no function %s in the lesson sources", name)
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

// dedent removes the leading and trailing blank lines and one level of tabs.
func dedent(body string) string {
	lines := strings.Split(strings.Trim(body, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}
