// The conformance scenarios with franz-go: topic admin, metadata, every compression, idempotent
// produce, and a consumer group of two members that rebalance and commit. Prints one JSON line
// shaped as the other peers' drivers print it (tests/peers/scenarios_test.ts checks them).
//
// Usage: go run . BOOTSTRAP PREFIX (or go run . member ..., see member.go)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

var brokers []string

func client(opts ...kgo.Opt) *kgo.Client {
	c, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	check(err)
	return c
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "member" {
		member(os.Args[2:])
		return
	}
	brokers = strings.Split(os.Args[1], ",")
	prefix := os.Args[2]
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out := map[string]any{}
	base := client()
	defer base.Close()
	adm := kadm.NewClient(base)
	create := func(topic string, partitions int32) {
		created, err := adm.CreateTopics(ctx, partitions, 1, nil, topic)
		check(err)
		check(created[topic].Err)
	}

	adminTopic := prefix + "-admin"
	create(adminTopic, 3)
	described, err := adm.ListTopics(ctx, adminTopic)
	check(err)
	partitions := len(described[adminTopic].Partitions)
	_, err = adm.DeleteTopics(ctx, adminTopic)
	check(err)
	deleted := false
	for i := 0; i < 50 && !deleted; i++ {
		all, err := adm.ListTopics(ctx)
		check(err)
		deleted = !all.Has(adminTopic)
		if !deleted {
			time.Sleep(100 * time.Millisecond)
		}
	}
	out["admin"] = map[string]any{"partitions": partitions, "deleted": deleted}
	meta, err := adm.BrokerMetadata(ctx)
	check(err)
	out["metadata"] = map[string]any{"brokers": len(meta.Brokers)}

	codecs := []struct {
		name  string
		codec kgo.CompressionCodec
	}{{"none", kgo.NoCompression()}, {"gzip", kgo.GzipCompression()},
		{"snappy", kgo.SnappyCompression()}, {"lz4", kgo.Lz4Compression()}, {"zstd", kgo.ZstdCompression()}}
	compression := map[string]any{}
	for _, c := range codecs {
		topic := prefix + "-c-" + c.name
		create(topic, 1)
		p := client(kgo.ProducerBatchCompression(c.codec))
		var want []string
		for i := 0; i < 5; i++ {
			want = append(want, fmt.Sprintf("%s-%d", c.name, i))
			p.Produce(ctx, &kgo.Record{Topic: topic, Value: []byte(want[i])}, nil)
		}
		check(p.Flush(ctx))
		p.Close()
		got := readAll(ctx, topic, 5)
		if strings.Join(got, ",") == strings.Join(want, ",") {
			compression[c.name] = 5
		} else {
			compression[c.name] = len(got)
		}
	}
	out["compression"] = compression

	idem := prefix + "-idem"
	create(idem, 1)
	p := client(kgo.RequiredAcks(kgo.AllISRAcks())) // idempotent by default
	for i := 0; i < 20; i++ {
		p.Produce(ctx, &kgo.Record{Topic: idem, Value: []byte(fmt.Sprintf("idem-%d", i))}, nil)
	}
	check(p.Flush(ctx))
	p.Close()
	got := readAll(ctx, idem, 20)
	out["idempotent"] = map[string]any{"read": len(got), "duplicates": len(got) - len(distinct(got))}

	out["group"] = group(ctx, adm, create, prefix)
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

// group: two members of one group share four partitions; every record is read once and committed.
func group(ctx context.Context, adm *kadm.Client, create func(string, int32), prefix string) map[string]any {
	topic, groupID := prefix+"-group", prefix+"-g"
	create(topic, 4)
	p := client(kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for i := 0; i < 40; i++ {
		p.Produce(ctx, &kgo.Record{Topic: topic, Partition: int32(i % 4), Value: []byte(fmt.Sprintf("g-%d", i))}, nil)
	}
	check(p.Flush(ctx))
	p.Close()
	opts := []kgo.Opt{kgo.ConsumerGroup(groupID), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(),
		kgo.Balancers(kgo.RangeBalancer())}
	var seen []string
	poll := func(c *kgo.Client) {
		pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		fetches := c.PollFetches(pctx)
		fetches.EachRecord(func(r *kgo.Record) { seen = append(seen, string(r.Value)) })
		if fetches.NumRecords() > 0 {
			check(c.CommitUncommittedOffsets(ctx))
		}
	}
	assigned := func(c *kgo.Client) int {
		n := 0
		described, err := adm.DescribeGroups(ctx, groupID)
		check(err)
		member, _ := c.GroupMetadata()
		for _, m := range described[groupID].Members {
			if m.MemberID == member {
				if a, ok := m.Assigned.AsConsumer(); ok {
					for _, t := range a.Topics {
						n += len(t.Partitions)
					}
				}
			}
		}
		return n
	}
	a := client(opts...)
	defer a.Close()
	deadline := time.Now().Add(30 * time.Second)
	for assigned(a) == 0 && time.Now().Before(deadline) {
		poll(a)
	}
	before := assigned(a)
	b := client(opts...)
	defer b.Close()
	for time.Now().Before(deadline) {
		poll(a)
		poll(b)
		na, nb := assigned(a), assigned(b)
		if na > 0 && nb > 0 && na+nb == 4 && len(seen) >= 40 {
			break
		}
	}
	split := []int{assigned(a), assigned(b)}
	sort.Ints(split)
	offsets, err := adm.FetchOffsets(ctx, groupID)
	check(err)
	var committed int64
	offsets.Each(func(o kadm.OffsetResponse) { committed += o.At })
	return map[string]any{"before": before, "split": split, "read": len(seen),
		"duplicates": len(seen) - len(distinct(seen)), "committed": committed}
}

// readAll reads partition 0 of topic from the start until count records came (or 20 s passed).
func readAll(ctx context.Context, topic string, count int) []string {
	c := client(kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
	defer c.Close()
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var got []string
	for len(got) < count && rctx.Err() == nil {
		c.PollFetches(rctx).EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	return got
}

func distinct(values []string) map[string]bool {
	set := map[string]bool{}
	for _, v := range values {
		set[v] = true
	}
	return set
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "franz-go:", err)
		os.Exit(1)
	}
}
