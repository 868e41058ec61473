// Command kafka-certs writes a throwaway certificate authority, a broker
// certificate and a client certificate as PEM files, for CI to boot Apache
// Kafka with a SASL_SSL listener:
//
//	go run ./cmd/kafka-certs --dir DIR --host localhost --host 127.0.0.1
//
// It prints the properties a broker and a client need.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/certs"
)

// hosts collects --host, which may repeat or list names with commas.
type hosts []string

func (h *hosts) String() string { return strings.Join(*h, ",") }

func (h *hosts) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*h = append(*h, s)
		}
	}
	return nil
}

func main() {
	var hs hosts
	dir := flag.String("dir", "", "folder to write the PEM files into (created if missing)")
	client := flag.String("client", "client", "common name of the client certificate (Kafka principal User:CN=...)")
	flag.Var(&hs, "host", "host name or IP address the broker certificate is valid for (repeatable; default localhost,127.0.0.1)")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: kafka-certs --dir DIR [--host NAME]... [--client NAME]")
		os.Exit(2)
	}
	if len(hs) == 0 {
		hs = hosts{"localhost", "127.0.0.1"}
	}
	f, err := certs.Write(*dir, hs, *client)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kafka-certs:", err)
		os.Exit(1)
	}
	fmt.Printf(`# broker (server.properties)
ssl.keystore.type=PEM
ssl.keystore.location=%s
ssl.truststore.type=PEM
ssl.truststore.location=%s
# client (client.properties)
ssl.ca.location=%s
ssl.certificate.location=%s
ssl.key.location=%s
`, f.Server, f.CA, f.CA, f.ClientCert, f.ClientKey)
}
