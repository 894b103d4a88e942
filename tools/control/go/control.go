// Package brookcontrol is a tiny client of Brook's broker control API (standard library only).
//
//	b, err := brookcontrol.StartBroker("--brokers", "3")
//	defer b.Close()
//	b.Control.Inject(map[string]any{"kind": "error", "apiKey": "Produce", "errorCode": "NOT_LEADER_OR_FOLLOWER", "count": 2})
//	// ...run Kafka clients against b.BootstrapServers
//	b.Control.Wait(map[string]any{"kind": "group", "groupId": "g", "members": 1, "timeoutMs": 10000})
//	b.Control.Reset()
//
// Answers are decoded JSON (map[string]any). A refusal is an *Error with the status and the broker's
// one-line message; a wait whose timeout passed has status 408.
package brookcontrol

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Error is a request the control API refused.
type Error struct {
	Status  int
	Message string
	Body    map[string]any
}

func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.Status, e.Message) }

// Client calls the control API at Base ("http://127.0.0.1:PORT").
type Client struct {
	Base string
	HTTP *http.Client
}

// New returns a client of the control API at address ("127.0.0.1:PORT").
func New(address string) *Client {
	if !strings.Contains(address, "://") {
		address = "http://" + address
	}
	return &Client{Base: address, HTTP: &http.Client{Timeout: 11 * time.Minute}}
}

// Call sends one request; body (if not nil) goes as JSON, the answer is decoded into a map.
func (c *Client) Call(method, path string, body any) (map[string]any, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.Base+path, reader)
	if err != nil {
		return nil, err
	}
	req.Header.Set("content-type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	answer := map[string]any{}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &answer); err != nil {
			return nil, err
		}
	}
	if res.StatusCode >= 400 {
		message, _ := answer["error"].(string)
		return nil, &Error{Status: res.StatusCode, Message: message, Body: answer}
	}
	return answer, nil
}

// Inject injects a fault, e.g. {"kind": "latency", "apiKey": "Fetch", "ms": 200}.
func (c *Client) Inject(fault map[string]any) (map[string]any, error) {
	return c.Call("POST", "/faults", fault)
}

// Fault is one injected fault with its hits.
func (c *Client) Fault(id int) (map[string]any, error) {
	return c.Call("GET", fmt.Sprintf("/faults/%d", id), nil)
}

// ClearFaults cancels every fault.
func (c *Client) ClearFaults() (map[string]any, error) { return c.Call("DELETE", "/faults", nil) }

// RunPlan runs a fault plan's steps.
func (c *Client) RunPlan(steps []map[string]any) (map[string]any, error) {
	return c.Call("POST", "/fault-plans", map[string]any{"faults": steps})
}

// StopNode stops a node as a crash would.
func (c *Client) StopNode(id int) (map[string]any, error) {
	return c.Call("POST", fmt.Sprintf("/nodes/%d/stop", id), nil)
}

// RestartNode restarts a stopped node.
func (c *Client) RestartNode(id int) (map[string]any, error) {
	return c.Call("POST", fmt.Sprintf("/nodes/%d/restart", id), nil)
}

// MoveLeader moves a partition's leadership to another replica.
func (c *Client) MoveLeader(topic string, partition, node int) (map[string]any, error) {
	path := fmt.Sprintf("/topics/%s/partitions/%d/leader", url.PathEscape(topic), partition)
	return c.Call("POST", path, map[string]any{"nodeId": node})
}

// CreateTopic creates a topic; options may hold partitions, replicationFactor and configs.
func (c *Client) CreateTopic(name string, options map[string]any) (map[string]any, error) {
	body := map[string]any{"name": name}
	for k, v := range options {
		body[k] = v
	}
	return c.Call("POST", "/topics", body)
}

// DeleteTopic deletes a topic.
func (c *Client) DeleteTopic(name string) error {
	_, err := c.Call("DELETE", "/topics/"+url.PathEscape(name), nil)
	return err
}

// Topic describes a topic and its partitions.
func (c *Client) Topic(name string) (map[string]any, error) {
	return c.Call("GET", "/topics/"+url.PathEscape(name), nil)
}

// Records reads a partition's records; query may hold offset, endOffset, limit and encoding.
func (c *Client) Records(topic string, partition int, query url.Values) (map[string]any, error) {
	path := fmt.Sprintf("/topics/%s/partitions/%d/records", url.PathEscape(topic), partition)
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	return c.Call("GET", path, nil)
}

// Wait waits for a condition, e.g. {"kind": "offset", "topic": "t", "partition": 0, "offset": 10}.
func (c *Client) Wait(condition map[string]any) (map[string]any, error) {
	return c.Call("POST", "/wait", condition)
}

// Reset puts the broker back as it started.
func (c *Client) Reset() (map[string]any, error) { return c.Call("POST", "/reset", nil) }

// Metrics are the broker's request metrics.
func (c *Client) Metrics() (map[string]any, error) { return c.Call("GET", "/metrics", nil) }

// Broker is a `deno task broker` process with its control API.
type Broker struct {
	Cmd              *exec.Cmd
	BootstrapServers string
	Control          *Client
}

// StartBroker starts `deno task broker --port 0 --control-port 0 args...` in the directory named
// by BROOK_HOME (default the current one) and returns once it listens.
func StartBroker(args ...string) (*Broker, error) {
	argv := append([]string{"task", "--quiet", "broker", "--port", "0", "--control-port", "0"}, args...)
	cmd := exec.Command("deno", argv...)
	cmd.Dir = os.Getenv("BROOK_HOME")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewReader(out)
	listening, _ := lines.ReadString('\n')
	control, _ := lines.ReadString('\n')
	bootstrap, ok1 := strings.CutPrefix(strings.TrimSpace(listening), "listening on ")
	address, ok2 := strings.CutPrefix(strings.TrimSpace(control), "control on ")
	if !ok1 || !ok2 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("the broker did not start: %q %q", listening, control)
	}
	return &Broker{Cmd: cmd, BootstrapServers: bootstrap, Control: New(address)}, nil
}

// Close stops the broker (SIGTERM) and waits for it to exit.
func (b *Broker) Close() error {
	if err := b.Cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	return b.Cmd.Wait()
}
