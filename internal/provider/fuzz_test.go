package provider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The fuzz targets drive the parsers behind plan-time validation with arbitrary strings: no
// panic, the same verdict every time, and a verdict that agrees with what the value means.
// Their committed seeds are in testdata/fuzz/<FuzzName>/.

// validateString runs a string validator and returns its error diagnostics' summaries.
func validateString(v validator.String, raw string) []string {
	req := validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue(raw)}
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), req, resp)
	var summaries []string
	for _, d := range resp.Diagnostics.Errors() {
		summaries = append(summaries, d.Summary())
	}
	if len(resp.Diagnostics) != len(summaries) {
		panic("a validator produced a diagnostic that is not an error")
	}
	return summaries
}

func FuzzDurationValidator(f *testing.F) {
	for _, seed := range []string{"10s", "1s", "20m", "40m", "2m", "1h30m", "0s", "-1m", "500ms", "1.5h", "", "10",
		"9223372036854775807ns", "9223372036854775808ns", "1e3s", " 10s", "10 s", "∞"} {
		f.Add(seed)
	}
	v := durationValidator{min: minPollInterval, tooShort: pollIntervalTooShort}
	f.Fuzz(func(t *testing.T, raw string) {
		got := validateString(v, raw)
		if again := validateString(v, raw); !slices.Equal(got, again) {
			t.Fatalf("%q: %v then %v", raw, got, again)
		}
		d, err := time.ParseDuration(raw)
		wantOK := err == nil && d >= minPollInterval
		if (len(got) == 0) != wantOK || len(got) > 1 {
			t.Errorf("%q (parsed %v, %v): diagnostics %v", raw, d, err, got)
		}
	})
}

func FuzzMinuteTimeWindow(f *testing.F) {
	f.Add("2020-11-30T00:00Z", "2020-12-02T03:00Z")
	f.Add("2020-12-02T03:00Z", "2020-11-30T00:00Z")
	f.Add("2020-11-30T00:00Z", "2020-11-30T00:00Z")
	f.Add("2020-02-30T00:00Z", "2020-13-01T24:00Z")
	f.Add("2020-11-30T0:00Z", "2020-11-30 00:00Z")
	f.Add("0000-01-01T00:00Z", "9999-12-31T23:59Z")
	f.Fuzz(func(t *testing.T, start, end string) {
		for _, raw := range []string{start, end} {
			tm, ok := parseMinuteTime(raw)
			tm2, ok2 := parseMinuteTime(raw)
			if ok != ok2 || !tm.Equal(tm2) {
				t.Fatalf("parseMinuteTime(%q) differs between calls", raw)
			}
			diags := validateString(minuteTimeValidator{}, raw)
			if ok == (len(diags) > 0) {
				t.Errorf("parseMinuteTime(%q) = %v but the validator says %v", raw, ok, diags)
			}
			if ok && (tm.Format(minuteTimeLayout) != raw || tm.Location() != time.UTC) {
				t.Errorf("%q parsed as %v, which formats as %q", raw, tm, tm.Format(minuteTimeLayout))
			}
		}
		from, okFrom := parseMinuteTime(start)
		to, okTo := parseMinuteTime(end)
		ordered := timeWindowOrdered(start, end)
		if okFrom && okTo && ordered != to.After(from) {
			t.Errorf("window %q..%q: ordered = %v", start, end, ordered)
		}
		if (!okFrom || !okTo) && !ordered {
			t.Errorf("window %q..%q with a malformed time rejected by the window check", start, end)
		}
	})
}

func FuzzStatusListValidator(f *testing.F) {
	for _, seed := range []string{"Waiting", "Waiting,Running", "Finished,Closed,Stop,Pause", "", ",", "Waiting,",
		"waiting", " Running", "Running,Running", "Finished;Closed"} {
		f.Add(seed)
	}
	v := statusListValidator{allowed: polarDBTaskStatuses}
	f.Fuzz(func(t *testing.T, raw string) {
		got := validateString(v, raw)
		if again := validateString(v, raw); !slices.Equal(got, again) {
			t.Fatalf("%q: %v then %v", raw, got, again)
		}
		wantOK := true
		for _, item := range strings.Split(raw, ",") {
			wantOK = wantOK && slices.Contains(polarDBTaskStatuses, item)
		}
		if (len(got) == 0) != wantOK || len(got) > 1 {
			t.Errorf("%q: diagnostics %v, want ok = %v", raw, got, wantOK)
		}
	})
}
