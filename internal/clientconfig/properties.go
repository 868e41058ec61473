package clientconfig

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// property is one key=value of a properties file and the line it starts on,
// so that an error about its value can point at it.
type property struct {
	key, value string
	raw        string // the value as written, before escapes: for hints about backslashes
	line       int
}

// lineError is a line that does not parse. Its message never quotes the
// line: it may hold a password.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// parseProperties reads text the way java.util.Properties.load does, since
// that is the format every Kafka service hands out: '#' and '!' comments,
// key=value, key: value or key value, spaces around both, a trailing
// backslash continuing a line, and \t \n \r \f \uXXXX escapes. Two
// deliberate differences: trailing spaces of a value are dropped (a pasted
// password rarely ends in a space, a pasted line often does), and a line with
// a key but no separator and no value is an error rather than an empty value
// (it is almost always a line broken in two).
func parseProperties(text string) ([]property, error) {
	lines := splitLines(text)
	var props []property
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue // comment lines never continue, as in Java
		}
		for continues(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + strings.TrimLeft(lines[i], " \t\f")
		}
		if continues(line) {
			line = line[:len(line)-1] // a backslash at the very end: Java drops it
		}
		p, err := parseLine(line)
		if err != nil {
			return nil, &lineError{line: start, msg: err.Error()}
		}
		p.line = start
		props = append(props, p)
	}
	return props, nil
}

// splitLines splits on \n, \r\n and \r, the line ends Java accepts.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// continues says whether a line ends in an odd number of backslashes.
func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func parseLine(line string) (property, error) {
	// The key ends at the first unescaped '=', ':' or white space.
	end := len(line)
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if strings.IndexByte("=: \t\f", line[i]) >= 0 {
			end = i
			break
		}
	}
	rawKey, rest := line[:end], line[end:]
	rest = strings.TrimLeft(rest, " \t\f")
	sep := rest != "" && (rest[0] == '=' || rest[0] == ':')
	if sep {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	key, _, err := unescape(rawKey)
	if err != nil {
		return property{}, err
	}
	if key == "" {
		return property{}, fmt.Errorf("the line starts with %q: write key=value", line[0])
	}
	value, significant, err := unescape(rest)
	if err != nil {
		return property{}, fmt.Errorf("%s: %w", key, err)
	}
	value = value[:significant]
	if !sep && rest == "" {
		// Not quoted: a line broken in two may be the tail of a password.
		return property{}, errors.New("the line has text and no '=': write key=value (is a line broken in two?)")
	}
	return property{key: key, value: value, raw: strings.TrimRight(rest, " \t\f")}, nil
}

// unescape resolves Java properties escapes. It also returns the length of
// the value without its unescaped trailing white space.
func unescape(s string) (string, int, error) {
	if !strings.Contains(s, `\`) {
		t := strings.TrimRight(s, " \t\f")
		return s, len(t), nil
	}
	var b strings.Builder
	significant := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			if c != ' ' && c != '\t' && c != '\f' {
				significant = b.Len()
			}
			continue
		}
		i++
		if i == len(s) {
			break
		}
		switch c = s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, ok := hex4(s[i+1:])
			if !ok {
				return "", 0, errors.New(`malformed \uXXXX escape: it needs four hexadecimal digits`)
			}
			i += 4
			// Java strings are UTF-16: a character beyond U+FFFF is written
			// as two escapes, a surrogate pair.
			if utf16.IsSurrogate(r) && strings.HasPrefix(s[i+1:], `\u`) {
				if r2, ok := hex4(s[i+3:]); ok {
					if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
						r = c
						i += 6
					}
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte(c) // \\ \= \: \# \! \space, and Java drops the backslash of any other
		}
		significant = b.Len()
	}
	return b.String(), significant, nil
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	r, err := strconv.ParseUint(s[:4], 16, 16)
	return rune(r), err == nil
}
