package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/notebook"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
)

// records are the files --notebook and --transcript write: the run as it
// was played, with its real output. The files are created before the first
// lesson (a bad path fails at once) and written when the run ends, however
// it ends.
type records struct {
	book               *notebook.Book
	notebook, markdown *os.File
}

// openRecords creates the files asked for, and a book that the printer
// feeds with what lessons report. It returns nil when none was asked for.
func openRecords(notebookPath, transcriptPath string, out *output.Printer) (*records, error) {
	if notebookPath == "" && transcriptPath == "" {
		return nil, nil
	}
	tr := out.Catalog()
	r := &records{book: &notebook.Book{Tr: tr}}
	var err error
	if notebookPath != "" {
		if r.notebook, err = os.Create(notebookPath); err != nil {
			return nil, fmt.Errorf("--notebook: %w", err)
		}
	}
	if transcriptPath != "" {
		if r.markdown, err = os.Create(transcriptPath); err != nil {
			r.close()
			return nil, fmt.Errorf("--transcript: %w", err)
		}
	}
	r.book.Note(tr.F("# Kafka, hands-on, in Go: a run\n\nPlayed with `go run ./runner %s` on %s.",
		strings.Join(os.Args[1:], " "), time.Now().Format(tr.T("2 January 2006 at 15:04"))))
	out.Tee(r.book)
	return r, nil
}

// write writes the book into the files and closes them.
func (r *records) write(out *output.Printer) error {
	var errs []error
	for _, f := range []struct {
		file  *os.File
		write func(io.Writer) error
		what  string
	}{{r.notebook, r.book.WriteIPYNB, "Notebook"}, {r.markdown, r.book.WriteMarkdown, "Transcript"}} {
		if f.file == nil {
			continue
		}
		err := f.write(f.file)
		if cerr := f.file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", strings.ToLower(f.what), f.file.Name(), err))
			continue
		}
		out.Aside("%s of the run: %s", f.what, f.file.Name())
	}
	return errors.Join(errs...)
}

func (r *records) close() {
	for _, f := range []*os.File{r.notebook, r.markdown} {
		if f != nil {
			f.Close()
		}
	}
}
