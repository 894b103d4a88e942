package brookcontrol_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	brookcontrol "brook.dev/tools/control"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A franz-go producer keeps producing while the partition's leader node is stopped and an error is
// injected; every record lands once, in order.
func TestFranzGoRecoversFromALeaderStopAndInjectedErrors(t *testing.T) {
	b, err := brookcontrol.StartBroker("--brokers", "3", "--topic", "orders:1:3")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	control := b.Control
	client, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(b.BootstrapServers, ",")...), kgo.DefaultProduceTopic("orders"),
		kgo.MetadataMinAge(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	produce := func(from, to int) {
		for i := from; i < to; i++ {
			if err := client.ProduceSync(ctx, kgo.StringRecord(fmt.Sprintf("v%d", i))).FirstErr(); err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
		}
	}
	produce(0, 5)
	topic, err := control.Topic("orders")
	if err != nil {
		t.Fatal(err)
	}
	leader := int(topic["partitions"].([]any)[0].(map[string]any)["leader"].(float64))
	if _, err := control.StopNode(leader); err != nil {
		t.Fatal(err)
	}
	fault, err := control.Inject(map[string]any{
		"kind": "error", "apiKey": "Produce", "errorCode": "NOT_LEADER_OR_FOLLOWER", "count": 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	produce(5, 10)
	if _, err := control.RestartNode(leader); err != nil {
		t.Fatal(err)
	}
	if _, err := control.Wait(map[string]any{
		"kind": "offset", "topic": "orders", "partition": 0, "offset": 10, "timeoutMs": 10000,
	}); err != nil {
		t.Fatal(err)
	}
	status, err := control.Fault(int(fault["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	if status["hits"].(float64) != 2 {
		t.Fatalf("the fault fired %v times, want 2", status["hits"])
	}
	records, err := control.Records("orders", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	list := records["records"].([]any)
	if len(list) != 10 {
		t.Fatalf("%d records, want 10", len(list))
	}
	for i, r := range list {
		if v := r.(map[string]any)["value"]; v != fmt.Sprintf("v%d", i) {
			t.Fatalf("record %d is %v", i, v)
		}
	}
}

// Refusals are *brookcontrol.Error with the status; reset leaves only the starting topics.
func TestRefusalsAndReset(t *testing.T) {
	b, err := brookcontrol.StartBroker("--topic", "orders")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, err = b.Control.Inject(map[string]any{"kind": "error", "errorCode": "NO_SUCH_CODE"})
	var refused *brookcontrol.Error
	if !errors.As(err, &refused) || refused.Status != 400 {
		t.Fatalf("got %v, want a 400", err)
	}
	_, err = b.Control.Wait(map[string]any{"kind": "group", "groupId": "g", "timeoutMs": 10})
	if !errors.As(err, &refused) || refused.Status != 408 {
		t.Fatalf("got %v, want a 408", err)
	}
	if _, err := b.Control.CreateTopic("scratch", map[string]any{"partitions": 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Control.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Control.Topic("scratch"); !errors.As(err, &refused) || refused.Status != 404 {
		t.Fatalf("got %v, want a 404 after reset", err)
	}
}
