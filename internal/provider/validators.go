package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/endpoint"
)

// durationValidator checks that a string parses as a Go duration of at least min; tooShort says
// why a shorter one is refused.
type durationValidator struct {
	min      time.Duration
	tooShort string
}

var _ validator.String = durationValidator{}

func (v durationValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a duration such as \"30s\" or \"2m\", at least %q", v.min.String())
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	if err != nil {
		addInvalidDuration(&resp.Diagnostics, req.Path, raw, err)
		return
	}
	if d < v.min {
		addDurationTooShort(&resp.Diagnostics, req.Path, raw, v.min, v.tooShort)
	}
}

// idPattern is the shape of the ids these APIs use (pcb-xxx, t-0004d9ctt1ii, job-97zcl3wt,
// 629271331): letters, digits, '-', '_', '.' and ':'. It keeps anything else, '/' and '?' above
// all, out of the URL path that BDRC builds from the id.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)

// idValidator checks that a string is a plausible cloud id.
type idValidator struct{}

var _ validator.String = idValidator{}

func (v idValidator) Description(context.Context) string {
	return "must be a non-empty id of letters, digits, '-', '_', '.' and ':' (at most 128 characters, no '..')"
}

func (v idValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v idValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if !idPattern.MatchString(raw) || strings.Contains(raw, "..") {
		addInvalidID(&resp.Diagnostics, req.Path, raw)
	}
}

// endpointValidator checks an endpoint override at plan time.
type endpointValidator struct{}

var _ validator.String = endpointValidator{}

func (v endpointValidator) Description(context.Context) string {
	return "must be a URL of scheme, host and optional port, such as \"https://host\" or \"http://127.0.0.1:8080\""
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := endpoint.Parse(req.ConfigValue.ValueString()); err != nil {
		addInvalidEndpoint(&resp.Diagnostics, req.Path, err)
	}
}

// minuteTimeValidator checks a UTC time written to the minute, such as "2020-11-30T00:00Z".
type minuteTimeValidator struct{}

var _ validator.String = minuteTimeValidator{}

// minuteTimeLayout is the Go layout of minuteTimeValidator; minuteTimePattern also insists on
// two-digit hours, which time.Parse alone would not.
const (
	minuteTimeLayout      = "2006-01-02T15:04Z"
	minuteTimeDescription = "`YYYY-MM-DDThh:mmZ`"
)

var minuteTimePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$`)

// parseMinuteTime parses a time in minuteTimeLayout.
func parseMinuteTime(raw string) (time.Time, bool) {
	if !minuteTimePattern.MatchString(raw) {
		return time.Time{}, false
	}
	t, err := time.Parse(minuteTimeLayout, raw)
	return t, err == nil
}

func (v minuteTimeValidator) Description(context.Context) string {
	return "must be a UTC time in the format YYYY-MM-DDThh:mmZ, such as \"2020-11-30T00:00Z\""
}

func (v minuteTimeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v minuteTimeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if _, ok := parseMinuteTime(raw); !ok {
		addInvalidTime(&resp.Diagnostics, req.Path, raw, minuteTimeDescription)
	}
}

// statusListValidator checks a comma-separated list whose every item is one of allowed.
type statusListValidator struct {
	allowed []string
}

var _ validator.String = statusListValidator{}

func (v statusListValidator) Description(context.Context) string {
	return "must be a comma-separated list of " + strings.Join(v.allowed, ", ")
}

func (v statusListValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v statusListValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	for _, item := range strings.Split(raw, ",") {
		if !slices.Contains(v.allowed, item) {
			addInvalidStatusFilter(&resp.Diagnostics, req.Path, raw, item, v.allowed)
			return
		}
	}
}

// int64OneOf checks that a number is one of a few allowed values. The framework's
// int64validator.OneOf prints them with %q, as characters ('\x1e' for 30), not numbers.
type int64OneOf []int64

var _ validator.Int64 = int64OneOf{}

func (v int64OneOf) Description(context.Context) string {
	return "value must be one of: " + joinInt64s(v)
}

func (v int64OneOf) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v int64OneOf) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if got := req.ConfigValue.ValueInt64(); !slices.Contains(v, got) {
		addValueNotAllowed(&resp.Diagnostics, req.Path, got, v)
	}
}

func joinInt64s(values []int64) string {
	parts := make([]string, len(values))
	for i, n := range values {
		parts[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(parts, ", ")
}
