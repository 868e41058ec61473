package broker

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestParseAddrs(t *testing.T) {
	got, err := ParseAddrs(" localhost:9092, kafka:29092 ")
	if err != nil || strings.Join(got, ",") != "localhost:9092,kafka:29092" {
		t.Errorf("ParseAddrs = %v, %v", got, err)
	}
	for _, bad := range []string{"localhost", ":9092", "localhost:0", "localhost:http", ",", "host:99999"} {
		if _, err := ParseAddrs(bad); err == nil {
			t.Errorf("ParseAddrs(%q) accepted", bad)
		}
	}
}

// No broker named and nothing at the default address: the embedded broker
// starts there, and a second process that looks finds it and knows it is
// the emulation.
func TestChooseStartsTheEmbeddedBrokerWhereTheSecondProcessLooks(t *testing.T) {
	ctx := context.Background()
	def := freeAddr(t)
	first, err := Choose(ctx, Options{Default: def})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if !first.Embedded || !first.Hosted || first.Addrs[0] != def {
		t.Fatalf("first = %+v, want the embedded broker hosted on %s", first, def)
	}
	second, err := Choose(ctx, Options{Default: def})
	if err != nil {
		t.Fatal(err)
	}
	if !second.Embedded || second.Hosted || second.Addrs[0] != def {
		t.Errorf("second = %+v, want the first one's embedded broker, not hosted here", second)
	}
	// Named explicitly, it is still recognised as the emulation.
	named, err := Choose(ctx, Options{Brokers: def})
	if err != nil || !named.Embedded || named.Hosted {
		t.Errorf("named = %+v, %v", named, err)
	}
}

func TestChooseForcedEmbeddedTakesAnotherPortWhenTheDefaultIsBusy(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := Choose(context.Background(), Options{Default: l.Addr().String(), Embedded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !b.Embedded || b.Addrs[0] == l.Addr().String() {
		t.Errorf("got %+v, want an embedded broker on another port", b)
	}
}

func TestChooseNamedBrokerThatDoesNotAnswer(t *testing.T) {
	for _, addr := range []string{freeAddr(t), "no-such-host.invalid:9092"} {
		start := time.Now()
		_, err := Choose(context.Background(), Options{Brokers: addr, Default: freeAddr(t)})
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), addr) {
			t.Errorf("Choose(%s) = %v, want ErrUnreachable naming the address", addr, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Choose(%s) took %v", addr, d)
		}
	}
}

// Something that is not Kafka at the address (here a listener that never
// answers) is not taken for a broker, and the probe gives up on time.
func TestProbeSomethingThatIsNotKafka(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	if _, err := Probe(context.Background(), []string{l.Addr().String()}, time.Second); !errors.Is(err, ErrUnreachable) {
		t.Errorf("Probe = %v, want ErrUnreachable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("probe took %v with a 1 s timeout", d)
	}
}

// StartEmbedded says the emulation speaks KIP-848's consumer group
// protocol without asking it; a probe, which asks, must agree.
func TestEmbeddedSpeaksTheConsumerProtocol(t *testing.T) {
	b, err := StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	info, err := Probe(context.Background(), b.Addrs, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !b.ConsumerProtocol || info.ConsumerProtocol != b.ConsumerProtocol {
		t.Errorf("StartEmbedded says %v, the probe %v: want both true", b.ConsumerProtocol, info.ConsumerProtocol)
	}
}
