package clientconfig

import (
	"errors"
	"fmt"
	"strings"
)

// jaasModule is a login module a sasl.jaas.config line may name.
type jaasModule string

const (
	jaasPlain jaasModule = "PlainLoginModule"
	jaasScram jaasModule = "ScramLoginModule"
)

// wants names the mechanisms a module serves.
func (m jaasModule) wants() string {
	if m == jaasPlain {
		return Plain
	}
	return ScramSHA256 + " or " + ScramSHA512
}

type jaas struct {
	module             jaasModule
	username, password string
}

// parseJAAS reads the one login module that Kafka's sasl.jaas.config holds:
//
//	org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
//
// as Kafka's JaasConfig does (a class name, a flag, key=value options,
// values quoted or bare, a closing ';'), but forgiving a missing ';'. Its
// errors name keys, never values.
func parseJAAS(s string) (jaas, error) {
	toks, err := jaasTokens(s)
	if err != nil {
		return jaas{}, err
	}
	if len(toks) == 0 {
		return jaas{}, errors.New("is empty: give the login module line the service hands out (…PlainLoginModule required username=\"…\" password=\"…\";)")
	}
	var j jaas
	class := toks[0]
	if class.quoted {
		return jaas{}, errors.New("starts with a quoted value: it must start with the login module's class name")
	}
	// Match the class by its last part: some platforms shade Kafka's classes
	// under another package (kafkashaded.org.apache.kafka…).
	switch short := class.text[strings.LastIndex(class.text, ".")+1:]; short {
	case string(jaasPlain):
		j.module = jaasPlain
	case string(jaasScram):
		j.module = jaasScram
	default:
		if !strings.HasSuffix(short, "LoginModule") {
			// Not quoted: a line this garbled may hold the password anywhere.
			return jaas{}, errors.New("does not start with a login module's class name: only org.apache.kafka.common.security.plain.PlainLoginModule and org.apache.kafka.common.security.scram.ScramLoginModule are supported")
		}
		return jaas{}, fmt.Errorf("names login module %s: only org.apache.kafka.common.security.plain.PlainLoginModule and org.apache.kafka.common.security.scram.ScramLoginModule are supported (kafka-go speaks PLAIN and SCRAM)", class.text)
	}
	if len(toks) < 2 || toks[1].quoted || !validFlag(toks[1].text) {
		return jaas{}, fmt.Errorf("needs a flag after %s: required", class.text)
	}
	rest := toks[2:]
	if n := len(rest); n > 0 && rest[n-1].text == ";" && !rest[n-1].quoted {
		rest = rest[:n-1]
	}
	seen := map[string]bool{}
	for len(rest) > 0 {
		key := rest[0]
		if key.quoted || key.text == "=" || key.text == ";" {
			return jaas{}, errors.New("expects key=\"value\" options after the flag (a value without a key, or a ';' before the end?)")
		}
		if len(rest) < 3 || rest[1].quoted || rest[1].text != "=" || (!rest[2].quoted && (rest[2].text == "=" || rest[2].text == ";")) {
			name := "an option" // not its text: a stray word may be the password
			if key.text == "username" || key.text == "password" {
				name = key.text
			}
			return jaas{}, fmt.Errorf("%s has no value: write key=\"value\"", name)
		}
		seen[key.text] = true
		switch key.text {
		case "username":
			j.username = rest[2].text
		case "password":
			j.password = rest[2].text
		}
		rest = rest[3:]
	}
	if !seen["username"] || j.username == "" {
		return jaas{}, errors.New("has no username: add username=\"…\" before the ';'")
	}
	if !seen["password"] || j.password == "" {
		return jaas{}, errors.New("has no password: add password=\"…\" before the ';'")
	}
	return j, nil
}

func validFlag(s string) bool {
	switch strings.ToLower(s) {
	case "required", "requisite", "sufficient", "optional":
		return true
	}
	return false
}

type jaasToken struct {
	text   string
	quoted bool
}

// jaasTokens splits a JAAS line into words, quoted strings, '=' and ';'.
func jaasTokens(s string) ([]jaasToken, error) {
	var toks []jaasToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '=' || c == ';':
			toks = append(toks, jaasToken{text: string(c)})
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					default:
						b.WriteByte(s[j])
					}
					continue
				}
				b.WriteByte(s[j])
			}
			if j == len(s) {
				return nil, errors.New("has a quoted value that is not closed: check the double quotes")
			}
			toks = append(toks, jaasToken{text: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r\f=;\"'", rune(s[j])) {
				j++
			}
			toks = append(toks, jaasToken{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}
