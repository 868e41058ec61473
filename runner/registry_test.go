package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// findRegistry takes what answers GET /subjects with a JSON list, and
// nothing else; a --config file's schema.registry.url wins without a probe.
func TestFindRegistry(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		found      bool
	}{
		{"a registry", `["orders-value"]`, 200, true},
		{"an empty registry", `[]`, 200, true},
		{"a web page", `<html>hello</html>`, 200, false},
		{"a JSON object", `{"subjects": []}`, 200, false},
		{"a registry asking for a password", `{"error_code":401}`, 401, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/subjects" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			got := findRegistry(context.Background(), nil, srv.URL)
			if (got == srv.URL) != tc.found || (!tc.found && got != "") {
				t.Errorf("findRegistry = %q, want found %v", got, tc.found)
			}
		})
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if got := findRegistry(context.Background(), nil, closed.URL); got != "" {
		t.Errorf("nothing listening: %q", got)
	}
	// Apicurio (kafka-native up --registry) answers under its path only.
	apicurio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != native.RegistryAPI+"/subjects" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer apicurio.Close()
	if got := findRegistry(context.Background(), nil, apicurio.URL, apicurio.URL+native.RegistryAPI); got != apicurio.URL+native.RegistryAPI {
		t.Errorf("a registry under %s: %q", native.RegistryAPI, got)
	}
	named, _ := url.Parse("https://u:p@registry.example:8081")
	if got := findRegistry(context.Background(), &clientconfig.Config{Registry: named}, closed.URL); got != named.String() {
		t.Errorf("--config's registry: %q", got)
	}
}
