// Package fr holds the walkthrough's French: one gettext PO file per
// lesson (NN_name.po: its title, goal, narrations, summary, quiz and the
// messages its steps print), helpers.po for the lessons' shared code and
// glossary, and runner.po for the runner's menus, prompts and messages.
//
// Edit msgstr only: go run ./cmd/po-sync writes the English (msgid) and
// the notes from the sources, and go test ./internal/translate fails when
// a text has no French or its English changed since it was translated.
package fr

import "embed"

// Files are the PO files, embedded so that a built runner speaks French.
//
//go:embed *.po
var Files embed.FS
