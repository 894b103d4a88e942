// Brook's benchmark contenders in Go: franz-go's producer, consumer and produce latency, and
// franz-go's kfake as a broker, each run as its own process by bench/run.ts.
//
// Usage:
//
//	go run . kfake                                      prints "listening on HOST:PORT", runs until stdin closes
//	go run . produce BOOTSTRAP TOPIC RECORDS WARMUP     100-byte records, acks=1
//	go run . consume BOOTSTRAP TOPIC RECORDS            reads RECORDS records of partition 0 from offset 0
//	go run . latency BOOTSTRAP TOPIC RATE SECONDS       one record per produce, acks=1, no linger
//
// Each measuring command prints one JSON line: {"value": ..., "unit": ..., "verified": ...}, where
// verified counts the records acknowledged or read, so that a contender that drops records cannot win.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: go run . kfake|produce|consume|latency ..."))
	}
	switch os.Args[1] {
	case "kfake":
		runKfake()
	case "produce":
		produce(os.Args[2], os.Args[3], atoi(os.Args[4]), atoi(os.Args[5]))
	case "consume":
		consume(os.Args[2], os.Args[3], atoi(os.Args[4]))
	case "latency":
		latency(os.Args[2], os.Args[3], atoi(os.Args[4]), atoi(os.Args[5]))
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func runKfake() {
	c, err := kfake.NewCluster(kfake.NumBrokers(1)) // kfake listens on 127.0.0.1
	check(err)
	defer c.Close()
	fmt.Println("listening on " + strings.Join(c.ListenAddrs(), ","))
	_, _ = io.Copy(io.Discard, os.Stdin)
}

func client(bootstrap string, opts ...kgo.Opt) *kgo.Client {
	base := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(bootstrap, ",")...),
		kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.DisableIdempotentWrite(), // acks=1, as the other contenders
	}
	c, err := kgo.NewClient(append(base, opts...)...)
	check(err)
	return c
}

// produce sends warmup then records 100-byte values, all with the asynchronous Produce and one
// shared callback, which is franz-go's fastest path; only the measured records are timed.
func produce(bootstrap, topic string, records, warmup int) {
	c := client(bootstrap, kgo.ProducerLinger(2*time.Millisecond), kgo.MaxBufferedRecords(1<<20))
	defer c.Close()
	value := make([]byte, 100)
	for i := range value {
		value[i] = byte(i)
	}
	var acked, failed atomic.Int64
	var wg sync.WaitGroup
	done := func(_ *kgo.Record, err error) {
		if err != nil {
			failed.Add(1)
		} else {
			acked.Add(1)
		}
		wg.Done()
	}
	send := func(n int) {
		for i := 0; i < n; i++ {
			wg.Add(1)
			c.Produce(context.Background(), &kgo.Record{Topic: topic, Value: value}, done)
		}
		wg.Wait()
	}
	send(warmup)
	start := time.Now()
	send(records)
	elapsed := time.Since(start).Seconds()
	if failed.Load() > 0 {
		fail(fmt.Errorf("%d records failed", failed.Load()))
	}
	report(float64(records)/elapsed, "rec/s", acked.Load()-int64(warmup))
}

func consume(bootstrap, topic string, records int) {
	c := client(bootstrap, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		topic: {0: kgo.NewOffset().AtStart()},
	}), kgo.FetchMaxBytes(50<<20))
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	read := 0
	for read < records {
		fetches := c.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			fail(err)
		}
		fetches.EachError(func(_ string, _ int32, err error) { fail(err) })
		read += fetches.NumRecords()
	}
	elapsed := time.Since(start).Seconds()
	report(float64(records)/elapsed, "rec/s", int64(read))
}

func latency(bootstrap, topic string, rate, seconds int) {
	c := client(bootstrap, kgo.ProducerLinger(0))
	defer c.Close()
	value := make([]byte, 100)
	ctx := context.Background()
	for i := 0; i < 200; i++ { // warm-up: connections, metadata, the first batches
		check(c.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: value}).FirstErr())
	}
	total := rate * seconds
	latencies := make([]float64, 0, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		time.Sleep(time.Until(due))
		sent := time.Now()
		wg.Add(1)
		c.Produce(ctx, &kgo.Record{Topic: topic, Value: value}, func(_ *kgo.Record, err error) {
			ms := float64(time.Since(sent).Microseconds()) / 1000
			if err != nil {
				failed.Add(1)
			}
			mu.Lock()
			latencies = append(latencies, ms)
			mu.Unlock()
			wg.Done()
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		fail(fmt.Errorf("%d records failed", failed.Load()))
	}
	sort.Float64s(latencies)
	at := func(q float64) float64 { return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] }
	out, _ := json.Marshal(map[string]any{
		"value": at(0.5), "unit": "ms", "verified": len(latencies),
		"p50": at(0.5), "p99": at(0.99), "max": latencies[len(latencies)-1],
	})
	fmt.Println(string(out))
}

func report(value float64, unit string, verified int64) {
	out, _ := json.Marshal(map[string]any{"value": value, "unit": unit, "verified": verified})
	fmt.Println(string(out))
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	check(err)
	return n
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "franz-go:", err)
	os.Exit(1)
}
