// Command po-sync writes the walkthrough's PO files (lessons/fr/*.po) from
// the sources: every lesson's texts and every message the lessons and the
// runner print, with the translations the files already hold. A text whose
// English changed keeps its old translation marked fuzzy (not shown) for a
// translator to review.
//
//	go run ./cmd/po-sync            rewrite the files
//	go run ./cmd/po-sync -check     list what is missing or stale, exit 1 if anything is
//	go run ./cmd/po-sync -check 03_produce.po   the same, for one file
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/translate"
)

func main() {
	check := flag.Bool("check", false, "list what is missing or stale instead of writing")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./cmd/po-sync [-check [FILE.po ...]]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*check, flag.Args()); err != nil {
		if errors.Is(err, errProblems) {
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "po-sync:", err)
		os.Exit(2)
	}
}

var errProblems = errors.New("translations are missing or stale")

func run(check bool, only []string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	expected, err := translate.Expected(root)
	if err != nil {
		return err
	}
	dir := filepath.Join(root, translate.Dir)
	existing, err := translate.Existing(dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(expected))
	for name := range expected {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(only) > 0 {
		names = nil
		for _, o := range only {
			o = filepath.Base(o)
			if _, ok := expected[o]; !ok {
				return fmt.Errorf("%s: no such translation file (want one of the files in %s)", o, translate.Dir)
			}
			names = append(names, o)
		}
	}
	problems := 0
	for _, name := range names {
		if check {
			for _, p := range translate.Check(name, expected[name], existing[name]) {
				fmt.Println(p)
				problems++
			}
			continue
		}
		data, err := translate.Render(translate.Merge(expected[name], existing[name]))
		if err != nil {
			return err
		}
		path := filepath.Join(dir, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", filepath.Join(translate.Dir, name))
	}
	if problems > 0 {
		fmt.Printf("%d texts to translate or review\n", problems)
		return errProblems
	}
	return nil
}

// moduleRoot is the directory of go.mod, from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run it from the clone")
		}
		dir = parent
	}
}
