// Exercise 21 · Orders to a file, by a connector (after lesson 21)
//
// The kitchen's old ticket printer reads a text file, one order per line,
// as the waiters' app produced it. Nobody wants one more Go program that
// copies a topic to a file: Kafka Connect's FileStreamSink does it, as
// lesson 21 showed, and keeps its place in Kafka. The program below only
// says hello to the Connect worker the check started for you.
//
// Goal, as the check sees it: a connector named $CONNECTOR runs on the
// Connect worker at $CONNECT_URL, its task RUNNING: a FileStreamSink that
// wrote each of the $COUNT orders of $TOPIC to $FILE as one line, the
// order's JSON as it was produced, and whose group committed their
// offsets.
//
// Check it:      go run ./runner check 21
// A hint:        go run ./runner hint 21
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	topic, name, file := kit.Env("TOPIC"), kit.Env("CONNECTOR"), kit.Env("FILE")

	var info struct {
		Version string `json:"version"`
	}
	if err := call(ctx, http.MethodGet, "/", nil, &info); err != nil {
		kit.Fail(err)
	}
	fmt.Println("Kafka Connect", info.Version)

	// A connector is its config: PUT creates it, or changes it.
	config := map[string]string{
		"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
		"topics":          topic,
		"file":            file,
		// The text that was produced, not what Java prints for a map.
		"value.converter": "org.apache.kafka.connect.storage.StringConverter",
	}
	if err := call(ctx, http.MethodPut, "/connectors/"+name+"/config", config, nil); err != nil {
		kit.Fail(err)
	}
	// The worker starts the connector, then its task, a moment later.
	for {
		var status struct {
			Tasks []struct {
				State string `json:"state"`
				Trace string `json:"trace"`
			} `json:"tasks"`
		}
		err := call(ctx, http.MethodGet, "/connectors/"+name+"/status", nil, &status)
		if err == nil && len(status.Tasks) > 0 {
			switch status.Tasks[0].State {
			case "RUNNING":
				fmt.Printf("connector %s: task 0 RUNNING, writing %s to %s\n", name, topic, file)
				return
			case "FAILED":
				kit.Fail(fmt.Errorf("connector %s: task 0 FAILED: %s", name, status.Tasks[0].Trace))
			}
		}
		select {
		case <-ctx.Done():
			kit.Fail(ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// call sends a request to the worker's REST API as its user, with body as
// JSON (nil: none), and decodes the answer into out (nil: not read). An
// answer of 300 or more is an error that quotes the worker's message.
func call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, kit.Env("CONNECT_URL")+path, r)
	if err != nil {
		return err
	}
	req.SetBasicAuth(kit.Env("CONNECT_USER"), kit.Env("CONNECT_PASSWORD"))
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
