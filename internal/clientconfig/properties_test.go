package clientconfig

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePropertiesAsJavaDoes(t *testing.T) {
	text := strings.Join([]string{
		"# a comment",
		"   ! another comment \\",
		"plain=value",
		"colon: value",
		"space value",
		"  spaced   =   value with spaces   ",
		"continued = first, \\",
		"            second, \\",
		"    third",
		`escaped\=key\:x = tab\there`,
		`unicode = caf\u00e9 \uD83D\uDE00`,
		`backslash = C:\\certs\\ca.pem`,
		`dropped = C:\certs`,
		`kept.space = ends with\ `,
		"empty=",
		"repeat=1",
		"repeat=2",
		"",
	}, "\r\n")
	props, err := parseProperties(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		key, value string
		line       int
	}{
		{"plain", "value", 3},
		{"colon", "value", 4},
		{"space", "value", 5},
		{"spaced", "value with spaces", 6},
		{"continued", "first, second, third", 7},
		{"escaped=key:x", "tab\there", 10},
		{"unicode", "café 😀", 11},
		{"backslash", `C:\certs\ca.pem`, 12},
		{"dropped", "C:certs", 13},
		{"kept.space", "ends with ", 14},
		{"empty", "", 15},
		{"repeat", "1", 16},
		{"repeat", "2", 17},
	}
	if len(props) != len(want) {
		t.Fatalf("got %d properties, want %d: %+v", len(props), len(want), props)
	}
	for i, w := range want {
		if p := props[i]; p.key != w.key || p.value != w.value || p.line != w.line {
			t.Errorf("property %d = %q=%q (line %d), want %q=%q (line %d)", i, p.key, p.value, p.line, w.key, w.value, w.line)
		}
	}
}

// A comment ending in a backslash does not swallow the next line, and a line
// ending in \r alone (old Mac) still ends.
func TestCommentsDoNotContinue(t *testing.T) {
	props, err := parseProperties("# note \\\na=1\rb=2")
	if err != nil {
		t.Fatal(err)
	}
	if len(props) != 2 || props[0].key != "a" || props[1].key != "b" || props[1].line != 3 {
		t.Fatalf("got %+v", props)
	}
}

func TestParseErrorsCarryLineNumbers(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
		says       string
	}{
		{"bad unicode escape", "a=1\nsasl.password=abc\\u12\n", 2, `\uXXXX`},
		{"no key", "a=1\n\n=value\n", 3, "starts with '='"},
		{"key without value", "a=1\n# c\nbootstrap.servers\n", 3, "the line has text and no '='"},
		{"after a continued line", "a=1,\\\n  2\nb=\\u00zz\n", 3, `\uXXXX`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.text), "client.properties")
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FileError", err)
			}
			if fe.Line != tc.line || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got line %d %q, want line %d saying %q", fe.Line, err, tc.line, tc.says)
			}
			if want := "client.properties:" + string(rune('0'+tc.line)) + ":"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("%q does not start with %q", err, want)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Errorf("the error quotes the line: %q", err)
			}
		})
	}
}
