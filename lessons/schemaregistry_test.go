package lessons

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A registry URL's user and password go to HTTP basic authentication, and
// stay out of the errors franz-go words with the URL it asked.
func TestRegistryClientKeepsThePasswordOutOfErrors(t *testing.T) {
	const secret = "s3cret-Passw0rd"
	var user, password string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, password, _ = r.BasicAuth()
		http.Error(w, `{"error_code":50001,"message":"store is down"}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	client, err := RegistryClient(strings.Replace(srv.URL, "http://", "http://learner:"+secret+"@", 1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Subjects(context.Background())
	if err == nil {
		t.Fatal("a registry that answers 500: no error")
	}
	if user != "learner" || password != secret {
		t.Errorf("basic authentication %q:%q, want learner and the secret", user, password)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the error shows the password: %v", err)
	}
	// Nothing listening: franz-go's error quotes the URL it asked.
	srv.Close()
	_, err = client.Subjects(context.Background())
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("a registry gone: %v (want an error without the password)", err)
	}
	if _, err := RegistryClient("not a url"); err == nil || strings.Contains(err.Error(), "not a url") {
		t.Errorf("a URL that does not parse: %v (it must not quote the value)", err)
	}
}
