// Command soak runs many reads of all five data sources through the built provider binary and
// the terraform CLI against the emulator, with seeded random faults, and counts the reads that
// end with a state other than the one scripted (wrong answers, which must be 0). It samples the
// provider process from /proc (open files, threads, peak memory) and reads its goroutine count
// from the provider's DEBUG log line at the end of each read. Run it with `make soak`.
//
// Each round writes two configurations: one whose reads must all succeed (mostly waits, some
// single reads, faults mixed in) and one whose reads must each fail with a diagnostic that names
// what failed (fail_on_failure on a failed task, a wrong secret, an unknown id).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type settings struct {
	rounds, reads, parallelism int
	seed                       uint64
	work, terraform, rc, bin   string
	runLimit                   time.Duration
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("soak", flag.ContinueOnError)
	flags.SetOutput(stderr)
	s := settings{}
	flags.IntVar(&s.rounds, "rounds", 8, "terraform applies of the succeeding configuration (each followed by one of the failing one)")
	flags.IntVar(&s.reads, "reads", 25, "reads per succeeding apply, spread over the five data sources")
	flags.IntVar(&s.parallelism, "parallelism", 25, "terraform -parallelism")
	flags.Uint64Var(&s.seed, "seed", 1, "seed of the random scripts and faults")
	flags.StringVar(&s.work, "work", ".soak", "working directory (recreated)")
	flags.DurationVar(&s.runLimit, "apply-timeout", 4*time.Minute, "bound on one terraform apply")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if s.rounds < 1 || s.reads < 5 {
		return errors.New("-rounds must be at least 1 and -reads at least 5")
	}
	s.terraform = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if s.terraform == "" {
		s.terraform = "terraform"
	}
	var err error
	if s.work, err = filepath.Abs(s.work); err != nil {
		return err
	}
	if err := os.RemoveAll(s.work); err != nil {
		return err
	}
	binDir := filepath.Join(s.work, "bin")
	s.bin = filepath.Join(binDir, "terraform-provider-cloudtask")
	_, _ = fmt.Fprintln(stderr, "==> building the provider")
	build := exec.Command("go", "build", "-trimpath", "-o", s.bin, ".")
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the provider: %w", err)
	}
	s.rc = filepath.Join(s.work, "terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"cloudtask/cloudtask\" = %q\n  }\n  direct {}\n}\n", binDir)
	if err := os.WriteFile(s.rc, []byte(rcText), 0o600); err != nil {
		return err
	}

	srv := emulator.New(emulator.Options{})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()

	rnd := rand.New(rand.NewPCG(s.seed, s.seed^0x50a4))
	var tot totals
	start := time.Now()
	for round := range s.rounds {
		sc, good, bad, faults := s.script(rnd, round)
		srv.SetScenario(sc)
		for _, f := range faults {
			srv.AddFault(f)
		}
		before := injectedCounts(srv)
		goodRes, err := s.apply(srv.URL(), fmt.Sprintf("round%02d-ok", round), good)
		if err != nil {
			return err
		}
		badRes, err := s.apply(srv.URL(), fmt.Sprintf("round%02d-fail", round), bad)
		if err != nil {
			return err
		}
		tot.add(check(good, goodRes, stderr), check(bad, badRes, stderr))
		tot.faults += injectedCounts(srv) - before
		tot.stats = append(tot.stats, goodRes.stats, badRes.stats)
		_, _ = fmt.Fprintf(stderr, "==> round %d: %d reads, %d wrong so far, %d faults served so far\n",
			round+1, len(good)+len(bad), tot.wrong, tot.faults)
	}
	tot.elapsed = time.Since(start)
	tot.report(stdout, s)
	if tot.wrong > 0 || tot.unverified > 0 {
		return fmt.Errorf("%d wrong answers, %d reads not verified", tot.wrong, tot.unverified)
	}
	return nil
}

// injectedCounts is the number of faults the emulator has fired so far, every API and kind.
func injectedCounts(srv *emulator.Server) int {
	n := 0
	for _, api := range apis {
		for _, kind := range faultKinds {
			n += srv.Injected(api, kind)
		}
	}
	return n
}

var apis = []string{emulator.APIPolarDBBatchTask, emulator.APIPolarDBTasks, emulator.APIBDRCTask, emulator.APITencentTask, emulator.APIAlidnsBatchResult}

var faultKinds = []string{emulator.FaultThrottling, emulator.FaultServerError, emulator.FaultSlow, emulator.FaultMalformed,
	emulator.FaultTruncated, emulator.FaultDrop, emulator.FaultVanish}
