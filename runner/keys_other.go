//go:build !unix

package main

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// openKeys: no key presses here; the countdown runs to its end.
func openKeys(*os.File) (keySource, error) { return nil, errors.New("no key presses on this system") }

// morePager: without key presses, the printer never pauses.
func morePager(context.Context, *os.File, io.Writer, bool, *i18n.Catalog) func() error { return nil }

// watchKeys: no single key presses here; Ctrl-C ends a watch.
func watchKeys(*os.File) (<-chan byte, func()) { return nil, func() {} }

// hushKeys: the terminal is left as it is here.
func hushKeys(*os.File) func() { return func() {} }
