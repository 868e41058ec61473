package lessons_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/partition"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// users of the sample orders, in SampleOrder's order.
func sampleUsers() []string {
	var users []string
	for i := 0; i < 5; i++ {
		users = append(users, SampleOrder(i).User)
	}
	return users
}

// placements returns the Placements reported under label, in order.
func placements(rec *testkit.Recorder, label string) []Placement {
	var out []Placement
	for _, v := range rec.Values(label) {
		if p, ok := v.(Placement); ok {
			out = append(out, p)
		}
	}
	return out
}

func TestLesson8Keys(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 8))
	const n = 3 // the lesson's topic has three partitions
	topic := env.Name("orders-by-user")
	if desc, err := DescribeTopic(context.Background(), env, topic); err != nil || len(desc.Partitions) != n {
		t.Fatalf("topic %s: %v, %d partitions", topic, err, len(desc.Partitions))
	}

	// Step 1, no balancer: Ada's three orders went round-robin, one per
	// partition. Steps 1 and 2 both report Ada's placement.
	ada := placements(rec, "Ada Lovelace")
	if len(ada) != 2 {
		t.Fatalf("Ada's placement reported %d times, want twice (steps 1 and 2)", len(ada))
	}
	if got := append([]int{}, ada[0].Partitions...); len(got) != 3 || !reflect.DeepEqual(sortedCopy(got), []int{0, 1, 2}) {
		t.Errorf("default writer: Ada's three orders on partitions %v, want one on each", got)
	}

	// Step 2, kafka.Hash: each user's two orders on the partition Sarama's
	// hash gives, at increasing offsets in the order sent.
	for _, user := range sampleUsers() {
		ps := placements(rec, user)
		if len(ps) == 0 {
			t.Fatalf("no placement reported for %s", user)
		}
		p := ps[len(ps)-1]
		want := partition.SaramaPartition([]byte(user), n)
		if len(p.Partitions) != 2 || p.Partitions[0] != want || p.Partitions[1] != want {
			t.Errorf("kafka.Hash: %s's orders on %v, want both on %d", user, p.Partitions, want)
		}
		if len(p.Offsets) != 2 || p.Offsets[0] >= p.Offsets[1] {
			t.Errorf("kafka.Hash: %s's orders at offsets %v, want increasing in the order sent", user, p.Offsets)
		}
	}
	// Step 2's narration says where these five keys go with kafka.Hash, and
	// that partition 0 gets none of them: the partitions the broker reported.
	said := map[string]int{"Ada Lovelace": 1, "Grace Hopper": 1, "Linus Torvalds": 1, "SKOURI Youssef": 2, "Alan Turing": 2}
	for user, want := range said {
		ps := placements(rec, user)
		if len(ps) == 0 {
			continue // said above
		}
		for _, p := range ps[len(ps)-1].Partitions {
			if p != want {
				t.Errorf("kafka.Hash put an order of %s on partition %d; step 2's narration says %d", user, p, want)
			}
		}
	}
	for _, user := range sampleUsers() {
		if _, ok := said[user]; !ok {
			t.Errorf("step 2 writes %s's orders, whose partition its narration does not give", user)
		}
	}
	var delivered int
	for _, r := range rec.Records(Delivered) {
		if r.Topic == topic {
			delivered++
		}
	}
	if delivered != 3+10 || len(rec.Records(DeliveryFailed)) != 0 {
		t.Errorf("%d delivery reports shown, want 13 (steps 1 and 2) and no failure", delivered)
	}

	// Step 3: each user's partition per balancer, as the Java client,
	// librdkafka and Sarama compute it.
	murmurDiffers := false
	for _, user := range sampleUsers() {
		var got Choices
		for _, v := range rec.Values(user) {
			if c, ok := v.(Choices); ok {
				got = c
			}
		}
		key := []byte(user)
		want := Choices{
			{Balancer: "Hash (Sarama)", Partition: partition.SaramaPartition(key, n)},
			{Balancer: "Murmur2 (Java)", Partition: partition.JavaPartition(key, n)},
			{Balancer: "CRC32 (librdkafka)", Partition: partition.LibrdkafkaPartition(key, n)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the lesson placed it %v, the published algorithms say %v", user, got, want)
		}
		murmurDiffers = murmurDiffers || want[1].Partition != want[2].Partition
	}
	if !murmurDiffers {
		t.Errorf("no sample user lands on different partitions with murmur2 and CRC32: the step shows nothing")
	}

	// Step 4: six keyless records: kafka.Hash round-robin (two each), the
	// others six in all.
	for _, b := range []string{"Hash (Sarama)", "Murmur2 (Java)", "CRC32 (librdkafka)"} {
		got := rec.Values(b + ": records on partitions 0, 1, 2")
		if len(got) != 1 {
			t.Fatalf("%s: %v", b, got)
		}
		counts := got[0].([]int)
		sum := 0
		for _, c := range counts {
			sum += c
		}
		if sum != 6 || (b == "Hash (Sarama)" && !reflect.DeepEqual(counts, []int{2, 2, 2})) {
			t.Errorf("%s without a key: %v per partition", b, counts)
		}
	}

	// Everything the lesson wrote is in the topic: 3 + 10 + 15 + 18.
	marks, err := ReadWatermarks(context.Background(), env, topic)
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	for _, w := range marks {
		stored += w.Last - w.First
	}
	if stored != 46 {
		t.Errorf("topic %s holds %d records, want 46", topic, stored)
	}
}

func sortedCopy(xs []int) []int {
	out := append([]int{}, xs...)
	sort.Ints(out)
	return out
}

// generations groups lesson 9's "generation N · member-M" values by
// generation.
func generations(t *testing.T, rec *testkit.Recorder) (order []int32, members map[int32]map[string][]int) {
	t.Helper()
	members = map[int32]map[string][]int{}
	for _, e := range rec.Entries() {
		if e.Kind != testkit.KindValue || !strings.HasPrefix(e.Label, "generation ") {
			continue
		}
		var g int32
		var name string
		if _, err := fmt.Sscanf(e.Label, "generation %d · %s", &g, &name); err != nil {
			t.Fatalf("label %q: %v", e.Label, err)
		}
		if members[g] == nil {
			members[g] = map[string][]int{}
			order = append(order, g)
		}
		members[g][name] = e.Value.([]int)
	}
	return order, members
}

// coversOnce checks that an assignment hands out partitions 0..n-1, each to
// exactly one member.
func coversOnce(t *testing.T, what string, assigned map[string][]int, n int) {
	t.Helper()
	count := make([]int, n)
	for name, ps := range assigned {
		for _, p := range ps {
			if p < 0 || p >= n {
				t.Errorf("%s: %s got partition %d of %d", what, name, p, n)
				continue
			}
			count[p]++
		}
	}
	for p, c := range count {
		if c != 1 {
			t.Errorf("%s: partition %d assigned %d times: %v", what, p, c, assigned)
		}
	}
}

func TestLesson9Groups(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	skipped := play(t, env, lesson(t, 9))
	const n = 3
	topic := env.Name("orders-for-groups")
	ctx := context.Background()

	// Steps 2 to 4: three generations shown, of 3, 4 and 3 members, each
	// covering every partition once; in the second one member has none.
	order, gens := generations(t, rec)
	if len(order) != 3 {
		t.Fatalf("generations shown: %v, want 3 (three members, a fourth, one left)", order)
	}
	// Step 2's narration: each of the three joins starts at most one
	// generation, from 1, so the first shown is 1, 2 or 3.
	if order[0] < 1 || order[0] > 3 {
		t.Errorf("the first generation shown is %d; step 2's narration says 1, 2 or 3", order[0])
	}
	for i, size := range []int{3, 4, 3} {
		g := order[i]
		if len(gens[g]) != size {
			t.Errorf("generation %d shows %d members, want %d: %v", g, len(gens[g]), size, gens[g])
		}
		coversOnce(t, fmt.Sprintf("generation %d", g), gens[g], n)
		if i > 0 && g <= order[i-1] {
			t.Errorf("generation %d shown after %d", g, order[i-1])
		}
	}
	var idle []string
	for name, ps := range gens[order[1]] {
		if len(ps) == 0 {
			idle = append(idle, name)
		}
	}
	if len(idle) != 1 {
		t.Errorf("with four members, members without a partition: %v, want exactly one", idle)
	}
	if _, ok := gens[order[2]]["member-2"]; ok {
		t.Errorf("member-2 left, but generation %d still shows it", order[2])
	}
	// A member that leaves is replaced within heartbeats, well before the
	// 6 s session timeout that a crash would take.
	took := rec.Values("rebalance took")
	if len(took) != 1 || took[0].(time.Duration) >= 6*time.Second {
		t.Errorf("rebalance took %v, want under the 6 s session timeout", took)
	}

	// Step 5: billing and delivery each received every record delivered in
	// step 1, and nothing else.
	delivered := rec.Records(Delivered)
	var first []Record
	for _, d := range delivered {
		if d.Topic == topic && len(first) < 6 {
			first = append(first, d)
		}
	}
	if len(first) != 6 {
		t.Fatalf("step 1 delivered %d orders, want 6", len(first))
	}
	byGroup := map[string][]Record{}
	for _, r := range rec.Records(Received) {
		byGroup[r.From] = append(byGroup[r.From], r)
	}
	var billing, delivery string
	for name := range byGroup {
		switch {
		case strings.HasPrefix(name, "billing-"):
			billing = name
		case strings.HasPrefix(name, "delivery-"):
			delivery = name
		}
	}
	if billing == "" || delivery == "" {
		t.Fatalf("received by %v, want a billing and a delivery group", quotedKeys(byGroup))
	}
	sameRecords(t, first, byGroup[delivery])
	// Billing also caught up in step 7 (the three orders of step 6), and
	// in step 8 its member fetched one of the three orders that came then.
	var onTopic []Record
	for _, d := range delivered {
		if d.Topic == topic {
			onTopic = append(onTopic, d)
		}
	}
	if len(onTopic) != 12 {
		t.Fatalf("%d orders delivered, want 12 (6, 3 in step 6, 3 in step 8)", len(onTopic))
	}
	gotBilling := byGroup[billing]
	if len(gotBilling) != 10 {
		t.Fatalf("billing received %d orders, want 10 (9 caught up, 1 held by the hung member)", len(gotBilling))
	}
	held := gotBilling[9]
	sameRecords(t, onTopic[:9], gotBilling[:9])
	if p := pos(held); p != pos(onTopic[9]) && p != pos(onTopic[10]) && p != pos(onTopic[11]) {
		t.Errorf("the hung member held %s, not one of step 8's orders", p)
	}

	// Steps 6 to 8: lag = high watermark − committed, per partition; one
	// behind on each partition before catching up, none after, one again
	// while the member hangs (it commits nothing). The numbers in step 8
	// are what ListOffsets and OffsetFetch say now.
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := CommittedOffsets(ctx, env, env.Name(billing), topic, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range marks {
		lags := rec.Values(fmt.Sprintf("%s lag on partition %d", billing, w.Partition))
		if len(lags) != 3 {
			t.Fatalf("partition %d: lag reported %d times, want before and after catching up, and while hung", w.Partition, len(lags))
		}
		before, after, hung := lags[0].(PartitionLag), lags[1].(PartitionLag), lags[2].(PartitionLag)
		for _, l := range []PartitionLag{before, after, hung} {
			if l.Behind != l.HighWatermark-l.Committed {
				t.Errorf("partition %d: %+v: behind is not high watermark − committed", w.Partition, l)
			}
		}
		if before.Behind != 1 || before.HighWatermark != w.Last-1 {
			t.Errorf("partition %d: %+v before catching up, want 1 behind a high watermark of %d", w.Partition, before, w.Last-1)
		}
		if after.Behind != 0 || after.Committed != committed[w.Partition] {
			t.Errorf("partition %d after catching up: %+v; OffsetFetch says %d committed", w.Partition, after, committed[w.Partition])
		}
		if hung.Behind != 1 || hung.HighWatermark != w.Last || hung.Committed != committed[w.Partition] {
			t.Errorf("partition %d while the member hangs: %+v; the high watermark is %d, OffsetFetch says %d committed", w.Partition, hung, w.Last, committed[w.Partition])
		}
	}
	// Step 6: the kitchen group (steps 2 to 4) committed nothing: -1, and
	// no lag computed, as OffsetFetch says now.
	kitchen := strings.Replace(billing, "billing-", "kitchen-", 1)
	kitchenCommitted, err := CommittedOffsets(ctx, env, env.Name(kitchen), topic, n)
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; p < n; p++ {
		got := rec.Values(fmt.Sprintf("%s lag on partition %d", kitchen, p))
		if len(got) != 1 {
			t.Fatalf("%s lag on partition %d reported %d times, want once", kitchen, p, len(got))
		}
		if l := got[0].(PartitionLag); l.Committed != -1 || l.Behind != -1 || kitchenCommitted[p] != -1 {
			t.Errorf("%s on partition %d: %+v; OffsetFetch says %d; want -1 and no lag", kitchen, p, l, kitchenCommitted[p])
		}
	}

	// Step 8: after a hang of eight heartbeat intervals or more, the
	// coordinator still lists the member, holding every partition.
	if got := rec.Values("handler stuck for"); len(got) != 1 || got[0].(time.Duration) < 8*250*time.Millisecond {
		t.Errorf("handler stuck for %v, want at least 8 heartbeats of 250 ms", got)
	}
	states, members := rec.Values(billing+" state"), rec.Values(billing+" members")
	if len(states) != 2 || states[0] != "Stable" || len(members) != 2 || members[0] != 1 {
		t.Errorf("while the member hangs: state %v, members %v; want Stable, 1", states, members)
	}
	holds := rec.Values(billing + " member holds")
	if len(holds) != 1 || !reflect.DeepEqual(sortedCopy(holds[0].([]int)), []int{0, 1, 2}) {
		t.Errorf("the hung member holds %v, want every partition", holds)
	}
	// Step 9: the deadline passed, the member left: the group is empty, as
	// the coordinator says now too.
	if len(states) == 2 && (states[1] != "Empty" || members[1] != 0) {
		t.Errorf("after the deadline and Close: state %v, members %v; want Empty, 0", states[1], members[1])
	}
	if g, err := DescribeGroup(ctx, env, env.Name(billing)); err != nil || g.GroupState != "Empty" {
		t.Errorf("billing now: %v %+v, want Empty", err, g)
	}

	// Step 10: the leader's balancers, on partitions 0, 1, 2.
	for label, want := range map[string][]int{
		"range · member-1": {0}, "range · member-2": {1, 2},
		"roundrobin · member-1": {0, 2}, "roundrobin · member-2": {1},
	} {
		if got := rec.Values(label); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Errorf("%s: %v, want %v", label, got, want)
		}
	}

	// Step 11, where the broker speaks KIP-848: the franz-go member read
	// records; the broker reports its group as a consumer group, billing's
	// as classic, the range assignor it ran, and one member, past epoch 0,
	// holding every partition. Elsewhere the step is skipped.
	const kip848 = "Where groups are going: the consumer protocol (KIP-848)"
	if !env.Cluster.ConsumerProtocol {
		if !slices.Contains(skipped, kip848) {
			t.Errorf("the broker does not speak KIP-848, yet step 11 ran (skipped: %v)", skipped)
		}
	} else {
		next := strings.Replace(billing, "billing-", "kitchen-next-", 1)
		if got := rec.Values("records read"); len(got) != 1 || got[0].(int) < 1 {
			t.Errorf("records read by the franz-go member: %v, want some", got)
		}
		for group, want := range map[string]string{next: "consumer", billing: "classic"} {
			if got := rec.Values(group + " is a group of type"); len(got) != 1 || got[0] != want {
				t.Errorf("%s: type %v, want %s", group, got, want)
			}
		}
		if got := rec.Values("assignor the broker ran"); len(got) != 1 || got[0] != "range" {
			t.Errorf("assignor %v, want range", got)
		}
		epochs := rec.ValuesWithPrefix("member epoch ")
		if len(epochs) != 1 {
			t.Fatalf("members described: %v, want one", epochs)
		}
		for label, ps := range epochs {
			var epoch int
			if _, err := fmt.Sscanf(label, "member epoch %d holds", &epoch); err != nil || epoch < 1 {
				t.Errorf("%q: want an epoch of 1 or more", label)
			}
			if !reflect.DeepEqual(ps, []int{0, 1, 2}) {
				t.Errorf("the only member holds %v, want every partition", ps)
			}
		}
	}

	// Step 12: share.version as the broker reports it, checked against
	// kafka-go's own ApiVersions: a broker that supports share groups
	// offers ShareGroupHeartbeat (API 76). None of Kafka 3.8 knows them;
	// Kafka 4.1 supports them, off by default; the emulation has them on.
	supported := rec.Values("share.version this broker supports, up to")
	finalized := rec.Values("share.version switched on")
	if len(supported) != 1 || len(finalized) != 1 {
		t.Fatalf("share.version reported %v, %v; want once each", supported, finalized)
	}
	sup, fin := supported[0].(int16), finalized[0].(int16)
	if fin > sup {
		t.Errorf("share.version switched on at %d, above the %d supported", fin, sup)
	}
	versions, err := env.Client().ApiVersions(ctx, &kafka.ApiVersionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	offersShare := false
	for _, k := range versions.ApiKeys {
		offersShare = offersShare || k.ApiKey == 76
	}
	if offersShare != (sup >= 1) {
		t.Errorf("share.version supported up to %d, but ShareGroupHeartbeat offered: %v", sup, offersShare)
	}
	if env.Cluster.Embedded && fin < 1 {
		t.Errorf("the emulation reports share groups off (share.version %d)", fin)
	}
}

func quotedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, strconv.Quote(k))
	}
	sort.Strings(out)
	return out
}
