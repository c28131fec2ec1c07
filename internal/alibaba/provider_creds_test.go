package alibaba

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// rotatingProvider is a credentials-go provider whose secret the test can change, counting
// how often it is asked.
type rotatingProvider struct {
	mu     sync.Mutex
	calls  int
	secret string
}

func (p *rotatingProvider) GetCredentials() (*providers.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	return &providers.Credentials{AccessKeyId: emulator.AlibabaAccessKeyID, AccessKeySecret: p.secret, ProviderName: "rotating"}, nil
}

func (p *rotatingProvider) GetProviderName() string { return "rotating" }

func (p *rotatingProvider) set(secret string) (calls int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secret = secret
	return p.calls
}

// TestClientAsksProviderPerRequest proves that every request is signed with the
// credentials the provider gives at that moment, not with those found at start: after the
// provider's secret changes, the emulator rejects the signature.
func TestClientAsksProviderPerRequest(t *testing.T) {
	t.Parallel()
	srv := emulator.NewTestServer(t, &emulator.Scenario{PolarDBBatchTasks: []emulator.BatchTask{{
		BatchID: "pcb-x", Phases: []emulator.Phase{{Response: raw(t, `{"BatchId":"pcb-x","Status":"RUNNING"}`)}},
	}}})
	c := newEmulatorClient(t, srv, Config{})
	p := &rotatingProvider{secret: emulator.AlibabaAccessKeySecret}
	c.provider = p
	for range 2 {
		if _, err := c.DescribeBatchTask(context.Background(), "pcb-x"); err != nil {
			t.Fatalf("DescribeBatchTask: %v", err)
		}
	}
	if calls := p.set("rotated-wrong-secret"); calls != 2 {
		t.Errorf("provider asked %d times for 2 requests", calls)
	}
	_, err := c.DescribeBatchTask(context.Background(), "pcb-x")
	if !IsAuthError(err) {
		t.Fatalf("with the rotated secret: %v, want an authentication error", err)
	}
	if strings.Contains(err.Error(), "rotated-wrong-secret") {
		t.Errorf("error reveals the refreshed secret: %v", err)
	}
}
