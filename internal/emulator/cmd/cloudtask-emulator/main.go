// Command cloudtask-emulator serves the signature-verifying local cloud for
// demos and manual testing. Once listening it prints, to stdout, the line
// CLOUDTASK_EMULATOR_URL=http://127.0.0.1:PORT and then a guide: the
// credentials it accepts, a provider block pointing at it, the ids of the
// scenario's tasks and, with -provider-dir, the dev_overrides CLI
// configuration for a provider built there. It logs one line per request to
// stderr and runs until SIGINT or SIGTERM.
//
//	cloudtask-emulator -addr 127.0.0.1:0 -scenario FILE -provider-dir bin
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		os.Exit(1)
	}
}

// run serves until ctx ends. Errors are logged to stderr before returning.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	flags := flag.NewFlagSet("cloudtask-emulator", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:0", "listen address")
	scenarioPath := flags.String("scenario", "", "scenario JSON file (empty serves an empty scenario)")
	providerDir := flags.String("provider-dir", "", "directory of a built provider, for the dev_overrides the guide prints")
	if err := flags.Parse(args); err != nil {
		return err
	}

	var sc *emulator.Scenario
	if *scenarioPath != "" {
		var err error
		if sc, err = emulator.LoadScenario(*scenarioPath); err != nil {
			logger.Error("cannot load scenario", "error", err)
			return err
		}
	}
	srv := emulator.New(emulator.Options{Scenario: sc, Logger: logger})
	if err := srv.Start(*addr); err != nil {
		logger.Error("cannot start", "error", err)
		return err
	}
	// The URL line on stdout is the command's contract with scripts, not a log.
	if _, err := fmt.Fprintf(stdout, "CLOUDTASK_EMULATOR_URL=%s\n", srv.URL()); err != nil {
		_ = srv.Close()
		return err
	}
	dir := *providerDir
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs // dev_overrides wants an absolute path
		}
	}
	if err := writeGuide(stdout, srv.URL(), sc, dir); err != nil {
		_ = srv.Close()
		return err
	}
	logger.Info("emulator listening", "url", srv.URL(), "scenario", *scenarioPath)
	<-ctx.Done()
	answered, rejected := srv.TencentRateCounts()
	logger.Info("emulator stopping", "tencent_answered", answered, "tencent_rate_limited", rejected)
	return srv.Close()
}
