package i18n

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

func TestPORoundTrip(t *testing.T) {
	entries := []Entry{
		{Context: "lesson 3 step 1", ID: "A Writer is kafka-go's producer.\n\nIf you know the Python client: \"acks\".", Str: []string{"Un Writer est le producteur de kafka-go.\n\nSi vous connaissez le client Python\u00a0: « acks »."}, Comments: []string{"a step's narration"}},
		{ID: "Sent %d orders", Str: []string{"%d commandes envoyées"}},
		{ID: "%d question", Plural: "%d questions", Str: []string{"%d question", "%d questions"}},
		{ID: "untranslated", Flags: []string{"fuzzy"}, Str: []string{"ancien"}},
	}
	var b bytes.Buffer
	if err := WritePO(&b, "fr", entries); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `\u`) {
		t.Errorf("a \\u escape, which gettext's tools refuse:\n%s", b.String())
	}
	got, err := ParsePO(b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(got) != len(entries) {
		t.Fatalf("%d entries back, want %d:\n%s", len(got), len(entries), b.String())
	}
	for i, e := range entries {
		g := got[i]
		if g.Context != e.Context || g.ID != e.ID || g.Plural != e.Plural || strings.Join(g.Str, "|") != strings.Join(e.Str, "|") || g.Fuzzy() != e.Fuzzy() {
			t.Errorf("entry %d: got %+v, want %+v", i, g, e)
		}
	}
}

func TestParsePOSaysWhichLine(t *testing.T) {
	_, err := ParsePO([]byte("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"c\nmsgstr \"d\"\n"))
	if err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("err = %v, want one naming line 4", err)
	}
}

func TestCatalogFallsBackToEnglish(t *testing.T) {
	c := NewCatalog(language.French)
	po := "msgid \"Continue\"\nmsgstr \"Continuer\"\n\n#, fuzzy\nmsgid \"Quit\"\nmsgstr \"Partir\"\n\nmsgid \"Empty\"\nmsgstr \"\"\n\n" +
		"msgid \"%d order\"\nmsgid_plural \"%d orders\"\nmsgstr[0] \"%d commande\"\nmsgstr[1] \"%d commandes\"\n"
	if err := c.Add("t.po", []byte(po)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, want string }{
		{"Continue", "Continuer"},
		{"Quit", "Quit"},       // fuzzy: not shown
		{"Empty", "Empty"},     // no French: the English, never an empty line
		{"Unknown", "Unknown"}, // not in the file
	} {
		if got := c.T(tc.id); got != tc.want {
			t.Errorf("T(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
	// French takes the singular for 0 and 1, English for 1 only (CLDR).
	for n, want := range map[int]string{0: "%d commande", 1: "%d commande", 2: "%d commandes"} {
		if got := c.N("%d order", "%d orders", n); got != want {
			t.Errorf("N(%d) = %q, want %q", n, got, want)
		}
	}
	var en *Catalog
	if got := en.N("%d order", "%d orders", 0); got != "%d orders" {
		t.Errorf("English N(0) = %q", got)
	}
	if Form(language.French, 0) != plural.One || Form(language.English, 0) != plural.Other {
		t.Error("CLDR plural forms for 0 are not French one, English other")
	}
}

func TestTwoFilesThatDisagreeAreAnError(t *testing.T) {
	c := NewCatalog(language.French)
	if err := c.Add("a.po", []byte("msgid \"Quit\"\nmsgstr \"Quitter\"\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.Add("b.po", []byte("msgid \"Quit\"\nmsgstr \"Sortir\"\n")); err == nil {
		t.Fatal("two translations of one text were taken")
	}
}

func TestChoose(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		flag string
		env  map[string]string
		want language.Tag
		err  bool
	}{
		{"", nil, language.English, false},
		{"fr", nil, language.French, false},
		{"en", map[string]string{"LANG": "fr_FR.UTF-8"}, language.English, false},
		{"", map[string]string{"LANG": "fr_FR.UTF-8"}, language.French, false},
		{"", map[string]string{"LANG": "fr_CA.UTF-8", "LC_ALL": "C"}, language.English, false},
		{"", map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_BE@euro"}, language.French, false},
		{"", map[string]string{"LC_ALL": "fr_FR", "KAFKA_LESSONS_LANG": "en"}, language.English, false},
		{"", map[string]string{"LANG": "de_DE.UTF-8"}, language.English, false}, // not spoken: English
		{"de", nil, language.English, true},
		{"fr-CH", nil, language.French, false},
		{"br", nil, language.English, true},
		{"", map[string]string{"LANG": "br_FR.UTF-8"}, language.English, false},
		{"", map[string]string{"LANG": "fr_FR.UTF-8", "LANGUAGE": "en:fr"}, language.English, false},
		{"", map[string]string{"LANG": "C", "LANGUAGE": "fr"}, language.English, false},
		{"", map[string]string{"LANGUAGE": "fr_FR"}, language.French, false},
	} {
		got, err := Choose(tc.flag, env(tc.env))
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Choose(%q, %v) = %v, %v; want %v, error %v", tc.flag, tc.env, got, err, tc.want, tc.err)
		}
	}
}

func TestMatchReadsAFormatBackwards(t *testing.T) {
	c := NewCatalog(language.French)
	po := "msgid \"partition %d starts at\"\nmsgstr \"la partition %d commence à\"\n\n" +
		"msgid \"%s lag on partition %d\"\nmsgstr \"lag de %s sur la partition %d\"\n\n" +
		"msgid \"%s: %v\"\nmsgstr \"%s : %v\"\n"
	if err := c.Add("t.po", []byte(po)); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"partition 2 starts at":          "la partition 2 commence à",
		"billing lag on partition 0":     "lag de billing sur la partition 0",
		"partition x starts at":          "partition x starts at", // %d takes digits only
		"a: b":                           "a: b",                  // too few words to tell a format apart
		"partition 2 starts at offset 5": "partition 2 starts at offset 5",
	} {
		if got, _ := c.Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTranslateFollowsWrappedErrors(t *testing.T) {
	c := NewCatalog(language.French)
	po := "msgid \"create topic %s: %w\"\nmsgstr \"créer le topic %s : %w\"\n\n" +
		"msgid \"the broker refused: %v\"\nmsgstr \"le broker a refusé : %v\"\n\n" +
		"msgid \"no leader\"\nmsgstr \"pas de leader\"\n"
	if err := c.Add("t.po", []byte(po)); err != nil {
		t.Fatal(err)
	}
	in := "create topic orders: the broker refused: no leader\nTry again."
	want := "créer le topic orders : le broker a refusé : pas de leader\nTry again."
	if got := c.Translate(in); got != want {
		t.Errorf("Translate(%q) = %q, want %q", in, got, want)
	}
	// A topic's name is a value, never translated, even when it reads like a message.
	if got := c.Translate("create topic no leader: no leader"); got != "créer le topic no leader : pas de leader" {
		t.Errorf("got %q", got)
	}
}

func TestTranslateAfterAnUnknownPrefix(t *testing.T) {
	c := NewCatalog(language.French)
	if err := c.Add("t.po", []byte("msgid \"%q is not a SASL mechanism: use PLAIN\"\nmsgstr \"%q n'est pas un mécanisme SASL : utilisez PLAIN\"\n")); err != nil {
		t.Fatal(err)
	}
	in := `client.properties:3: sasl.mechanism: "GSSAPI" is not a SASL mechanism: use PLAIN`
	want := `client.properties:3: sasl.mechanism: "GSSAPI" n'est pas un mécanisme SASL : utilisez PLAIN`
	if got := c.Translate(in); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
