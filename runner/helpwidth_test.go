package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
)

// On a terminal narrower than the help, every line of --help fits it and
// no word is cut: the same words as the help a pipe gets, in the same order.
func TestHelpWrapsToTheTerminal(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"produce", "--help"}, {"check", "--help"}} {
		var piped bytes.Buffer
		if _, err := parseArgs(args, &piped, io.Discard); err != errHelp {
			t.Fatalf("%v: %v", args, err)
		}
		for _, cols := range []int{80, 60} {
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: uint16(cols)}); err != nil {
				t.Fatal(err)
			}
			read := make(chan string)
			go func() {
				b, _ := io.ReadAll(ptmx)
				read <- string(b)
			}()
			_, err = parseArgs(args, tty, io.Discard)
			tty.Close()
			shown := strings.ReplaceAll(<-read, "\r", "")
			ptmx.Close()
			if err != errHelp {
				t.Fatalf("%v: %v", args, err)
			}
			for _, l := range strings.Split(shown, "\n") {
				if output.Width(l) > cols {
					t.Errorf("%v at %d columns: a line of %d: %q", args, cols, output.Width(l), l)
				}
			}
			if got, want := strings.Fields(shown), strings.Fields(piped.String()); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%v at %d columns: words differ from the piped help:\n%s", args, cols, shown)
			}
		}
	}
}

func TestReflow(t *testing.T) {
	in := "A long line of prose that an editor cut before the margin, and\nit goes on here.\nStart it with: docker compose up -d\nshort\nnext"
	want := "A long line of prose that an editor cut before the margin, and it goes on here.\nStart it with: docker compose up -d\nshort\nnext"
	if got := reflow(in); got != want {
		t.Errorf("reflow:\n%q\nwant\n%q", got, want)
	}
}
