// A franz-go peer for Brook's tests: produces with every compression, consumes everything back in a
// consumer group, commits, and prints one JSON line of results.
//
// Usage: go run . BOOTSTRAP TOPIC
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	brokers := strings.Split(os.Args[1], ",")
	topic := os.Args[2]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	result := map[string]any{}

	admin, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	check(err)
	adm := kadm.NewClient(admin)
	created, err := adm.CreateTopics(ctx, 4, -1, nil, topic)
	check(err)
	check(created[topic].Err)

	codecs := map[string]kgo.CompressionCodec{
		"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(),
		"lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression(),
	}
	produced := 0
	for name, codec := range codecs {
		p, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerBatchCompression(codec))
		check(err)
		for i := 0; i < 20; i++ {
			res := p.ProduceSync(ctx, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("%s-%d", name, i)), Value: []byte(name)})
			check(res.FirstErr())
			produced++
		}
		p.Close()
	}
	result["produced"] = produced

	c, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumerGroup("franz-group"), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	check(err)
	seen := map[string]int{}
	for len(seen) < produced && ctx.Err() == nil {
		fetches := c.PollFetches(ctx)
		for _, e := range fetches.Errors() {
			check(e.Err)
		}
		fetches.EachRecord(func(r *kgo.Record) { seen[fmt.Sprintf("%d:%d", r.Partition, r.Offset)]++ })
		check(c.CommitUncommittedOffsets(ctx))
	}
	c.Close()
	result["consumed"] = len(seen)
	offsets, err := adm.FetchOffsets(ctx, "franz-group")
	check(err)
	var total int64
	offsets.Each(func(o kadm.OffsetResponse) { total += o.At })
	result["committed_total"] = total
	groups, err := adm.DescribeGroups(ctx, "franz-group")
	check(err)
	result["group_state"] = groups["franz-group"].State
	admin.Close()
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "franz-go:", err)
		os.Exit(1)
	}
}
