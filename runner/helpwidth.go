package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"golang.org/x/term"

	"github.com/spf13/cobra"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
)

// helpCols is how wide --help is drawn: the terminal's width, at most 80;
// 80 when the help goes to a pipe.
var helpCols atomic.Int64

func init() {
	helpCols.Store(80)
	cobra.AddTemplateFunc("helpWidth", func() int { return int(helpCols.Load()) })
}

// fitHelp makes root's --help fit a terminal of cols columns (0: not a
// terminal, as it is): the flags' usages wrap at words to its width, and
// every other line too (an example, the long description), so that no
// word is cut at the screen's edge.
func fitHelp(root *cobra.Command, out io.Writer, cols int) {
	if cols <= 0 {
		helpCols.Store(80)
		return
	}
	helpCols.Store(int64(min(cols, 80)))
	help := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		var b bytes.Buffer
		long := cmd.Long
		cmd.Long = reflow(long)
		cmd.SetOut(&b)
		help(cmd, args)
		cmd.SetOut(out)
		cmd.Long = long
		io.WriteString(out, output.Fit(b.String(), cols))
	})
}

// terminalCols is the width of the terminal w is, or 0.
func terminalCols(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

// reflow joins the lines of a command's description that were cut to fit
// a wide editor (long, and not the end of a sentence), so that they wrap
// again at the terminal's width; a short line, or one that ends a sentence
// (a command to type, a list's line), stays a line of its own.
func reflow(text string) string {
	lines := strings.Split(text, "\n")
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l)
		if i == len(lines)-1 {
			break
		}
		next := lines[i+1]
		cut := output.Width(l) >= 60 && !strings.HasSuffix(l, ".") && !strings.HasSuffix(l, ":")
		if cut && strings.TrimSpace(next) != "" && !strings.HasPrefix(next, " ") {
			b.WriteString(" ")
			continue
		}
		b.WriteString("\n")
	}
	return b.String()
}
