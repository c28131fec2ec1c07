// Command cloudtask-emulator serves the signature-verifying local cloud for
// demos and manual testing. It prints one line,
// CLOUDTASK_EMULATOR_URL=http://127.0.0.1:PORT, to stdout once listening,
// logs one line per request to stderr, and runs until SIGINT or SIGTERM.
//
//	go run ./internal/emulator/cmd/cloudtask-emulator -addr 127.0.0.1:0 -scenario FILE
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
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
	logger.Info("emulator listening", "url", srv.URL(), "scenario", *scenarioPath)
	<-ctx.Done()
	logger.Info("emulator stopping")
	return srv.Close()
}
