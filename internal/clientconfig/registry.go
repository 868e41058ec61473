package clientconfig

import (
	"errors"
	"net/url"

	"github.com/twmb/franz-go/pkg/sr"
)

// RegistryClientOpts returns the options of a franz-go sr client of the
// schema registry at rawURL: its URL, and HTTP basic authentication from a
// user and password in it (https://user:password@host), which then stay
// out of the URL the client prints in its errors. The error never quotes
// rawURL: it may hold a password.
func RegistryClientOpts(rawURL string) ([]sr.ClientOpt, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("the schema registry's URL does not parse: give one like http://localhost:8081")
	}
	var opts []sr.ClientOpt
	if u.User != nil {
		password, _ := u.User.Password()
		opts = append(opts, sr.BasicAuth(u.User.Username(), password))
		u.User = nil
	}
	return append(opts, sr.URLs(u.String())), nil
}
