package native

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A worker's REST server says 404 before it has opened its resources, in
// Jetty's words; its herder says 404 for a connector it does not have, in
// Connect's. Only the second means the herder runs. The two 404s are those
// Connect 3.8.1 gave on three brokers.
func TestHerderAnswers(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		ready  bool
	}{
		{404, `{"message":"Not Found","url":"/connectors/x","status":"404"}`, false},
		{404, `{"error_code":404,"message":"Connector x not found"}`, true},
		{200, `{"name":"x","config":{},"tasks":[],"type":"source"}`, true},
		{401, `{"error_code":401,"message":"Unauthorized"}`, false},
		{500, `{"error_code":500,"message":"Request timed out"}`, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "u" || p != "p" {
				t.Errorf("asked without the worker's user and password")
			}
			w.WriteHeader(c.status)
			w.Write([]byte(c.body))
		}))
		err := HerderAnswers(context.Background(), srv.Client(), srv.URL, "u", "p")
		srv.Close()
		if (err == nil) != c.ready {
			t.Errorf("%d %s: HerderAnswers says %v, want ready=%v", c.status, c.body, err, c.ready)
		}
	}
}
