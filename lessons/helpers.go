package lessons

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

// Helper is a function or method of this package that a step calls: code a
// step's body hides behind a name (ReadWatermarks, Poller.Poll), which the
// learner can open from the prompt or with `go run ./runner source NAME`.
type Helper struct {
	Name string // ReadWatermarks; a method: Poller.Poll
	File string // kafka.go
	Line int    // the line of its func keyword in File
	Doc  string // its doc comment
	Code string // the declaration, from its func line to its closing brace

	Calls []string // the Names of this package's functions it calls in turn
}

// Where is the helper's place as a compiler prints it: lessons/kafka.go:120.
func (h Helper) Where() string { return fmt.Sprintf("lessons/%s:%d", h.File, h.Line) }

// helperIndex is every function of the embedded sources, and what each calls.
type helperIndex struct {
	byName  map[string]Helper   // by Helper.Name
	methods map[string][]string // a method's bare name (Poll) → its Names (Poller.Poll)
	calls   map[string][]string // a function by the runtime's name (as index) → the Names it calls
}

var helperIdx = sync.OnceValues(func() (*helperIndex, error) { return indexHelpers(sources) })

// HelpersOf lists the functions and methods of this package that the body of
// step s calls, in the order they first appear.
func HelpersOf(s Step) ([]Helper, error) {
	idx, err := helperIdx()
	if err != nil {
		return nil, err
	}
	var out []Helper
	for _, name := range idx.calls[s.FuncName()] {
		out = append(out, idx.byName[name])
	}
	return out, nil
}

// HelperSource finds a function of this package by name: ReadWatermarks, a
// method as Poller.Poll, or by its bare name (Poll) when one type has it.
func HelperSource(name string) (Helper, error) {
	idx, err := helperIdx()
	if err != nil {
		return Helper{}, err
	}
	if h, ok := idx.byName[name]; ok {
		return h, nil
	}
	if names := idx.methods[name]; len(names) == 1 {
		return idx.byName[names[0]], nil
	} else if len(names) > 1 {
		return Helper{}, fmt.Errorf("%s is a method of several types: say which, as %s", name, strings.Join(names, " or "))
	}
	return Helper{}, fmt.Errorf("no function or method %q in package lessons", name)
}

// StepHelpers is the names of the helpers some step calls, sorted: what the
// prompt can offer.
func StepHelpers() ([]string, error) {
	idx, err := helperIdx()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, names := range idx.calls {
		for _, n := range names {
			seen[n] = true
		}
	}
	// Only calls from steps: a step's function is in a lesson file.
	var out []string
	for _, l := range All() {
		for _, s := range l.Plan().Steps {
			for _, n := range idx.calls[s.FuncName()] {
				if seen[n] {
					out = append(out, n)
					seen[n] = false
				}
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// indexHelpers parses and type-checks the package's files in fsys, so that
// a call is matched to the function it calls (l.poller.Poll is Poller.Poll,
// not any Poll). The imports are not read (the built runner has no
// dependency sources): calls into them are left unresolved, and so are not
// helpers of this package, which is what is wanted.
func indexHelpers(fsys fs.FS) (*helperIndex, error) {
	names, err := fs.Glob(fsys, "*.go")
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	text := map[*ast.File][]byte{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		files = append(files, f)
		text[f] = src
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: noImports{}, Error: func(error) {}} // errors: the missing imports
	conf.Check("lessons", fset, files, info)

	idx := &helperIndex{byName: map[string]Helper{}, methods: map[string][]string{}, calls: map[string][]string{}}
	named := map[*types.Func]string{}
	var decls []*ast.FuncDecl
	for _, f := range files {
		for _, d := range f.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			h := Helper{Name: decl.Name.Name, Doc: strings.TrimSpace(decl.Doc.Text())}
			if recv := helperRecv(decl); recv != "" {
				h.Name = recv + "." + decl.Name.Name
				idx.methods[decl.Name.Name] = append(idx.methods[decl.Name.Name], h.Name)
			}
			start, end := fset.Position(decl.Pos()), fset.Position(decl.End())
			h.File, h.Line = start.Filename, start.Line
			h.Code = string(text[f][start.Offset:end.Offset])
			idx.byName[h.Name] = h
			if fn, ok := info.Defs[decl.Name].(*types.Func); ok {
				named[fn] = h.Name
			}
			decls = append(decls, decl)
		}
	}
	for _, decl := range decls {
		self := named[info.Defs[decl.Name].(*types.Func)]
		key := decl.Name.Name // the runtime's name, as index spells it
		if recv := receiverName(decl); recv != "" {
			key = recv + "." + key
			if pointerReceiver(decl) {
				key = "(*" + recv + ")." + decl.Name.Name
			}
		}
		seen := map[string]bool{}
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var id *ast.Ident
			switch fun := ast.Unparen(call.Fun).(type) {
			case *ast.Ident:
				id = fun
			case *ast.SelectorExpr:
				id = fun.Sel
			}
			fn, ok := info.Uses[id].(*types.Func)
			if !ok {
				return true
			}
			name, ok := named[fn.Origin()]
			if ok && name != self && !seen[name] {
				seen[name] = true
				idx.calls[key] = append(idx.calls[key], name)
				h := idx.byName[self]
				h.Calls = append(h.Calls, name)
				idx.byName[self] = h
			}
			return true
		})
	}
	for m := range idx.methods {
		sort.Strings(idx.methods[m])
	}
	return idx, nil
}

// helperRecv is the type a method is declared on, without * or type
// parameters: Poller for (p *Poller).
func helperRecv(decl *ast.FuncDecl) string {
	if decl.Recv == nil || len(decl.Recv.List) == 0 {
		return ""
	}
	t := decl.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// noImports imports nothing: the type checker then makes a stand-in
// package for each import and goes on.
type noImports struct{}

var _ types.Importer = noImports{}

func (noImports) Import(path string) (*types.Package, error) {
	return nil, errors.New("not read: " + path)
}
