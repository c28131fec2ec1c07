package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
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

// TestRunPrintsGuide shows that a newcomer gets what they need to point their own configuration
// at the emulator: its URL in a provider block, the credentials it accepts, the scenario's ids
// and the dev_overrides for the built provider.
func TestRunPrintsGuide(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-scenario", "../../testdata/demo.json", "-provider-dir", "bin"}, outW, &logs)
		_ = outW.Close()
	}()
	r := bufio.NewReader(outR)
	var out strings.Builder
	for !strings.Contains(out.String(), "TF_LOG_PROVIDER=INFO") {
		line, err := r.ReadString('\n')
		out.WriteString(line)
		if err != nil {
			t.Fatalf("read the guide: %v (so far: %s; logs: %s)", err, out.String(), logs.String())
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}

	guide := out.String()
	url, _, _ := strings.Cut(strings.TrimPrefix(guide, "CLOUDTASK_EMULATOR_URL="), "\n")
	abs, err := filepath.Abs("bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`polardb = "` + url + `"`, `bdrc    = "` + url + `"`, `alidns  = "` + url + `"`, `batch = "` + url + `"`,
		`access_key = "` + emulator.AlibabaAccessKeyID + `"`, `secret_key = "` + emulator.AlibabaAccessKeySecret + `"`,
		`secret_id  = "` + emulator.TencentSecretID + `"`, `secret_key = "` + emulator.TencentSecretKey + `"`,
		`batch_id = "pcb-demo01"`, `job_id = "job-demo01", task_name = "A"`,
		`"cloudtask/cloudtask" = "` + abs + `"`,
	} {
		if !strings.Contains(guide, want) {
			t.Errorf("the guide lacks %s:\n%s", want, guide)
		}
	}
}

func TestGuideUsesScenarioCredentials(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	sc := &emulator.Scenario{
		AlibabaCredentials: map[string]string{"LTAIzz": "z-secret", "LTAIaa": "a-secret"},
		TencentCredentials: map[string]string{"AKIDtc": "tc-secret"},
	}
	if err := writeGuide(&b, "http://127.0.0.1:1", sc, ""); err != nil {
		t.Fatal(err)
	}
	guide := b.String()
	for _, want := range []string{`access_key = "LTAIaa"`, `secret_key = "a-secret"`, `secret_id  = "AKIDtc"`, `secret_key = "tc-secret"`} {
		if !strings.Contains(guide, want) {
			t.Errorf("the guide lacks %s:\n%s", want, guide)
		}
	}
	if strings.Contains(guide, "dev_overrides") {
		t.Errorf("the guide offers dev_overrides without a provider directory:\n%s", guide)
	}
}
