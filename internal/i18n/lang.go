package i18n

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// Languages are the languages the walkthrough speaks, English first (the
// fallback).
var Languages = []language.Tag{language.English, language.French}

var matcher = language.NewMatcher(Languages)

// Choose returns the language to speak: the --lang flag when given
// ("fr", "en", "fr-CA"…), else KAFKA_LESSONS_LANG, else gettext's order:
// the first language of LANGUAGE (unless the locale is C), then the first
// of LC_ALL, LC_MESSAGES and LANG that is set. A flag naming a language
// the walkthrough does not speak is an error; the environment's falls back
// to English, as a program that does not speak a user's locale does.
func Choose(flag string, getenv func(string) string) (language.Tag, error) {
	if flag != "" {
		tag, ok := match(flag)
		if !ok {
			return language.English, fmt.Errorf("--lang %s: the walkthrough speaks %s", flag, names())
		}
		return tag, nil
	}
	if s := getenv("KAFKA_LESSONS_LANG"); s != "" {
		tag, _ := match(s)
		return tag, nil
	}
	locale := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(v); locale != "" {
			break
		}
	}
	if list := getenv("LANGUAGE"); list != "" && locale != "C" && locale != "POSIX" {
		first, _, _ := strings.Cut(list, ":")
		tag, _ := match(first)
		return tag, nil
	}
	if locale != "" {
		tag, _ := match(locale)
		return tag, nil
	}
	return language.English, nil
}

// match finds the walkthrough's language for a flag or locale value:
// "fr", "fr_FR.UTF-8", "fr-BE", "en_GB". "C" and "POSIX" are English.
func match(s string) (language.Tag, bool) {
	s, _, _ = strings.Cut(s, ".") // fr_FR.UTF-8
	s, _, _ = strings.Cut(s, "@") // fr_FR@euro
	s = strings.ReplaceAll(s, "_", "-")
	if s == "C" || s == "POSIX" {
		return language.English, true
	}
	tag, err := language.Parse(s)
	if err != nil {
		return language.English, false
	}
	_, i, conf := matcher.Match(tag)
	base, _ := tag.Base()
	want, _ := Languages[i].Base()
	if conf < language.High || base != want {
		return language.English, false // Breton is not French, however close
	}
	return Languages[i], true
}

func names() string {
	var s []string
	for _, t := range Languages {
		s = append(s, t.String())
	}
	return strings.Join(s, " and ")
}
