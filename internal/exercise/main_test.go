package exercise_test

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// checkParallel is how many checks run at once unless -parallel says
// otherwise. A check mostly waits (for Kafka, for its program's timers and
// for During's bounds), so more than the default one per core halves the
// package's time (215 s to 107 s on a 2-core machine, embedded broker).
const checkParallel = 6

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(checkParallel))
	}
	os.Exit(m.Run())
}
