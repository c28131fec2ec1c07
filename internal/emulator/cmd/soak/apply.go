package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type applyResult struct {
	outputs map[string]struct {
		Value struct {
			Terminal  bool   `json:"terminal"`
			Succeeded bool   `json:"succeeded"`
			Status    string `json:"status"`
		} `json:"value"`
	}
	diags map[string][]diagnostic
	stats procStats
}

type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// apply writes the configuration of reads into dir and runs terraform apply there.
func (s settings) apply(url, dir string, reads []read) (applyResult, error) {
	dir = filepath.Join(s.work, dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return applyResult{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config(url, reads)), 0o600); err != nil {
		return applyResult{}, err
	}
	logPath := filepath.Join(dir, "provider.log")
	ctx, cancel := context.WithTimeout(context.Background(), s.runLimit)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, s.terraform, "-chdir="+dir, "apply", "-auto-approve", "-input=false", "-json",
		"-parallelism="+strconv.Itoa(s.parallelism))
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+s.rc, "TF_IN_AUTOMATION=1",
		"TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)
	cmd.Stdout, cmd.Stderr = &out, &out
	sampler := startSampler(s.bin)
	runErr := cmd.Run()
	res := applyResult{diags: map[string][]diagnostic{}, stats: sampler.stop()}
	if ctx.Err() != nil {
		return res, fmt.Errorf("terraform apply in %s did not finish within %s", dir, s.runLimit)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var line struct {
			Type       string     `json:"type"`
			Diagnostic diagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Type == "diagnostic" && line.Diagnostic.Severity == "error" {
			res.diags[line.Diagnostic.Address] = append(res.diags[line.Diagnostic.Address], line.Diagnostic)
		}
	}
	if runErr != nil && len(res.diags) == 0 {
		return res, fmt.Errorf("terraform apply in %s: %v\n%s", dir, runErr, out.String())
	}
	if runErr == nil {
		show := exec.Command(s.terraform, "-chdir="+dir, "output", "-json")
		show.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+s.rc)
		text, err := show.Output()
		if err != nil {
			return res, fmt.Errorf("terraform output in %s: %w", dir, err)
		}
		if err := json.Unmarshal(text, &res.outputs); err != nil {
			return res, fmt.Errorf("terraform output in %s: %w", dir, err)
		}
	}
	res.stats.goroutines = lastGoroutines(logPath)
	return res, nil
}

var goroutinesField = regexp.MustCompile(`goroutines=(\d+)`)

// lastGoroutines is the goroutine count of the provider's last "read finished" log line.
func lastGoroutines(path string) int {
	text, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	all := goroutinesField.FindAllSubmatch(text, -1)
	if len(all) == 0 {
		return -1
	}
	n, _ := strconv.Atoi(string(all[len(all)-1][1]))
	return n
}

// outcome of checking reads.
type outcome struct {
	reads, waits, right, diagnosed, wrong, unverified int
}

// check compares each read with its script and prints every wrong answer.
func check(reads []read, res applyResult, stderr io.Writer) outcome {
	var o outcome
	for _, r := range reads {
		o.reads++
		if r.wait {
			o.waits++
		}
		ds := res.diags[r.address()]
		got, haveOutput := res.outputs[r.name]
		switch {
		case len(r.summaries) > 0: // must fail with its diagnostic
			if len(ds) != 1 || !slices.Contains(r.summaries, ds[0].Summary) || !containsAll(ds[0].Detail, r.mustDetail) {
				o.wrong++
				_, _ = fmt.Fprintf(stderr, "WRONG %s: want one diagnostic %q naming %q, got %+v\n", r.address(), r.summaries, r.mustDetail, ds)
				continue
			}
			o.diagnosed++
		case len(ds) > 0:
			o.wrong++
			_, _ = fmt.Fprintf(stderr, "WRONG %s: want %v/%v/%q, got diagnostics %+v\n", r.address(), r.terminal, r.succeeded, r.status, ds)
		case !haveOutput:
			// Another read's error failed the apply: this one's answer is unknown.
			o.unverified++
			_, _ = fmt.Fprintf(stderr, "UNVERIFIED %s\n", r.address())
		case got.Value.Terminal != r.terminal || got.Value.Succeeded != r.succeeded || got.Value.Status != r.status:
			o.wrong++
			_, _ = fmt.Fprintf(stderr, "WRONG %s: want terminal %v succeeded %v status %q, got %+v\n",
				r.address(), r.terminal, r.succeeded, r.status, got.Value)
		default:
			o.right++
		}
	}
	return o
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
		// "Request ID: " must be followed by an id.
		if i := strings.Index(s, p); p == "Request ID: " && (i+len(p) >= len(s) || s[i+len(p)] == '\n') {
			return false
		}
	}
	return true
}
