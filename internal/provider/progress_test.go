package provider

import (
	"testing"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// TestProgressMessage pins the wait's INFO line: it must read on its own, since most log viewers
// show the message and drop the fields.
func TestProgressMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		state   wait.State
		elapsed time.Duration
		polls   int
		want    string
	}{
		{
			name:    "progress",
			state:   wait.State{Status: "RUNNING", Summary: "3 of 10 sub tasks succeeded"},
			elapsed: 12400 * time.Millisecond,
			polls:   4,
			want:    `waiting for batch task "pcb-1": status RUNNING (3 of 10 sub tasks succeeded), 12s elapsed, 4 polls`,
		},
		{
			name:  "first poll, no summary",
			state: wait.State{Status: "CREATED"},
			polls: 1,
			want:  `waiting for batch task "pcb-1": status CREATED, 0s elapsed, 1 poll`,
		},
		{
			name:    "terminal",
			state:   wait.State{Status: "COMPLETED", Summary: "10 of 10 sub tasks succeeded", Terminal: true},
			elapsed: 95 * time.Second,
			polls:   17,
			want:    `waiting for batch task "pcb-1": status COMPLETED (10 of 10 sub tasks succeeded), 1m35s elapsed, 17 polls, terminal`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progressMessage(`batch task "pcb-1"`, tt.state, tt.elapsed, tt.polls); got != tt.want {
				t.Errorf("progressMessage() =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}
