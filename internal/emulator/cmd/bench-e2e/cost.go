package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator/cmd/internal/tfbench"
)

// cost is item 4: binary size, start-up, a plan of data sources that do not wait, and
// connection reuse.
func (s *settings) cost() error {
	s.logf("==> cost: binary size\n")
	s.printf("\n| build | binary size |\n|---|---|\n")
	for _, b := range []struct {
		name string
		args []string
	}{
		{"`go build` (default)", nil},
		{"`go build -trimpath -ldflags '-s -w'` (release)", []string{"-trimpath", "-ldflags=-s -w"}},
	} {
		out := filepath.Join(s.ws.Dir, "size", fmt.Sprintf("p%d", len(b.args)), tfbench.BinaryName)
		if err := tfbench.Build(out, s.log, b.args...); err != nil {
			return err
		}
		fi, err := os.Stat(out)
		if err != nil {
			return err
		}
		s.printf("| %s | %.1f MiB (%d bytes) |\n", b.name, float64(fi.Size())/(1<<20), fi.Size())
	}

	s.logf("==> cost: start-up\n")
	srv, err := serve(&emulator.Scenario{})
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	dir, err := s.ws.Config("startup", tfbench.ProviderHeader(srv.URL()))
	if err != nil {
		return err
	}
	runs := max(s.repeat, 5)
	s.printf("\n| command (%d runs each) | mean | min | provider peak memory |\n|---|---|---|---|\n", runs)
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"`terraform version` (terraform alone, no provider)", nil, []string{"version"}},
		{"`terraform providers schema -json` (handshake and schema)", nil, []string{"providers", "schema", "-json"}},
		{"`terraform providers schema -json` with `DEBUG=sdk` (the guard re-executes the provider)", []string{"DEBUG=sdk"}, []string{"providers", "schema", "-json"}},
		{"`terraform validate`", nil, []string{"validate", "-no-color"}},
	} {
		var sum, least time.Duration
		var peak int64
		for i := range runs {
			r, err := s.terraform(dir, c.env, true, c.args...)
			if err != nil {
				return err
			}
			sum += r.Elapsed
			if i == 0 || r.Elapsed < least {
				least = r.Elapsed
			}
			peak = max(peak, r.ProviderPeak)
		}
		peakText := "none (no provider)"
		if peak > 0 {
			peakText = mib(peak)
		} else if len(c.args) > 1 {
			peakText = "not sampled"
		}
		s.printf("| %s | %s | %s | %s |\n", c.name, seconds(sum/time.Duration(runs)), seconds(least), peakText)
	}

	s.logf("==> cost: plan of %d data sources that do not wait\n", s.planSources)
	s.printf("\n| plan of %d `cloudtask_polardb_batch_task` (no wait), %d runs | time (mean) | provider peak memory (VmHWM, max) | requests | new connections per request |\n|---|---|---|---|---|\n",
		s.planSources, s.repeat)
	var sum time.Duration
	var peak int64
	var requests, conns int
	for r := range s.repeat {
		sc := &emulator.Scenario{}
		var b strings.Builder
		for i := range s.planSources {
			id := fmt.Sprintf("pcb-plan%03d", i)
			sc.PolarDBBatchTasks = append(sc.PolarDBBatchTasks, emulator.BatchTask{BatchID: id, Phases: batchPhases(id, 10, 0)})
			_, _ = fmt.Fprintf(&b, "\ndata \"cloudtask_polardb_batch_task\" \"t%d\" {\n  batch_id = %q\n}\n", i, id)
		}
		srv, err := serve(sc)
		if err != nil {
			return err
		}
		dir, err := s.ws.Config(fmt.Sprintf("plan-%d", r), tfbench.ProviderHeader(srv.URL())+b.String())
		if err != nil {
			_ = srv.Close()
			return err
		}
		run, err := s.terraform(dir, nil, true, "plan", "-input=false", "-no-color")
		requests += srv.TotalCalls()
		conns += srv.Connections()
		_ = srv.Close()
		if err != nil {
			return err
		}
		sum += run.Elapsed
		peak = max(peak, run.ProviderPeak)
	}
	s.printf("| default parallelism (10) | %s | %s | %d per plan | %.3f |\n",
		seconds(sum/time.Duration(s.repeat)), mib(peak), requests/s.repeat, float64(conns)/float64(requests))
	return nil
}
