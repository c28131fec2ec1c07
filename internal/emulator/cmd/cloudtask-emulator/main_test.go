package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesDemoScenario(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-scenario", "../../testdata/demo.json"}, outW, &logs)
		_ = outW.Close()
	}()

	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("read URL line: %v (logs: %s)", err, logs.String())
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "CLOUDTASK_EMULATOR_URL=http://127.0.0.1:")
	if !ok || url == "" {
		t.Fatalf("stdout line %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()

	resp, err := http.Get("http://127.0.0.1:" + url + "/?Action=DescribeBatchTask&Version=2017-08-01&BatchId=pcb-demo01")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unsigned request answered %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop")
	}
	if l := logs.String(); !strings.Contains(l, "api=polardb:DescribeBatchTask code=MissingAccessKeyId http_status=400") {
		t.Errorf("request log line missing: %s", l)
	}
}

func TestRunRejectsBadScenario(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	if err := run(context.Background(), []string{"-scenario", "does-not-exist.json"}, io.Discard, &logs); err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(logs.String(), "cannot load scenario") {
		t.Errorf("logs: %s", logs.String())
	}
}
