package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// member is a franz-go consumer-group member driven over stdin/stdout by the mixed-group test:
//
//	go run . member BOOTSTRAP TOPIC GROUP ASSIGNOR
//
// ASSIGNOR is range, roundrobin or cooperative-sticky (the classic protocol), or uniform or
// server-range (KIP-848's protocol, the broker's uniform or range assignor). It prints one JSON
// line per event:
// {"event":"assigned","partitions":[...]} after every change of assignment, and
// {"event":"done","records":["P:OFFSET:VALUE",...]} once "stop" (or the end of stdin) is read.
// Offsets are committed after every poll that returned records.
func member(args []string) {
	bootstrap, topic, group, assignor := args[0], args[1], args[2], args[3]
	balancers := map[string]kgo.GroupBalancer{
		"range":              kgo.RangeBalancer(),
		"roundrobin":         kgo.RoundRobinBalancer(),
		"cooperative-sticky": kgo.CooperativeStickyBalancer(),
	}
	var mu sync.Mutex
	assigned := map[int32]bool{}
	report := func() {
		parts := []int{}
		for p := range assigned {
			parts = append(parts, int(p))
		}
		sort.Ints(parts)
		line, _ := json.Marshal(map[string]any{"event": "assigned", "partitions": parts})
		fmt.Println(string(line))
	}
	change := func(add bool) func(context.Context, *kgo.Client, map[string][]int32) {
		return func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range m[topic] {
				if add {
					assigned[p] = true
				} else {
					delete(assigned, p)
				}
			}
			report()
		}
	}
	opts := []kgo.Opt{kgo.SeedBrokers(strings.Split(bootstrap, ",")...),
		kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(),
		kgo.OnPartitionsAssigned(change(true)), kgo.OnPartitionsRevoked(change(false)),
		kgo.OnPartitionsLost(change(false))}
	switch assignor {
	case "uniform": // franz-go asks the broker for "uniform" with its sticky balancer.
		opts = append(opts, kgo.Balancers(kgo.StickyBalancer()), kgo.ServerSideBalancer())
	case "server-range":
		opts = append(opts, kgo.Balancers(kgo.RangeBalancer()), kgo.ServerSideBalancer())
	default:
		opts = append(opts, kgo.Balancers(balancers[assignor]),
			kgo.SessionTimeout(10*time.Second), kgo.HeartbeatInterval(500*time.Millisecond))
	}
	c, err := kgo.NewClient(opts...)
	check(err)
	stop := make(chan struct{})
	go func() {
		s := bufio.NewScanner(os.Stdin)
		for s.Scan() && strings.TrimSpace(s.Text()) != "stop" {
		}
		close(stop)
	}()
	var records []string
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-stop:
			deadline = time.Now()
			continue
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		fetches := c.PollFetches(ctx)
		cancel()
		fetches.EachRecord(func(r *kgo.Record) {
			records = append(records, fmt.Sprintf("%d:%d:%s", r.Partition, r.Offset, r.Value))
		})
		if fetches.NumRecords() > 0 {
			check(c.CommitUncommittedOffsets(context.Background()))
		}
	}
	c.Close()
	if records == nil {
		records = []string{}
	}
	line, _ := json.Marshal(map[string]any{"event": "done", "records": records})
	fmt.Println(string(line))
}
