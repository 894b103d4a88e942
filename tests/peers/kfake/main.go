// franz-go's kfake, a fake Kafka cluster, as a second broker for Brook's client: starts three
// brokers on 127.0.0.1, prints "listening on HOST:PORT,..." and runs until stdin closes.
//
// Usage: go run .
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	c, err := kfake.NewCluster(kfake.NumBrokers(3)) // kfake listens on 127.0.0.1
	if err != nil {
		fmt.Fprintln(os.Stderr, "kfake:", err)
		os.Exit(1)
	}
	defer c.Close()
	fmt.Println("listening on " + strings.Join(c.ListenAddrs(), ","))
	_, _ = io.Copy(io.Discard, os.Stdin)
}
