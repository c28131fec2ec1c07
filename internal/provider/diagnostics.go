package provider

// Every diagnostic text of the provider lives in this file. Summaries are Title Case and name what
// failed; tests match on them, so they are a contract. Details say what was attempted, what the
// user can do, then the API's error code, message and request id. No secret ever reaches them:
// they are built from API answers and configuration names only.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/alibaba"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/tencent"
	"github.com/cloudtask/terraform-provider-cloudtask/internal/wait"
)

// The clouds as summaries name them ("Missing Alibaba Cloud Credentials").
const (
	cloudAlibaba = "Alibaba Cloud"
	cloudTencent = "Tencent Cloud"
)

// Summaries used by more than one data source or asserted by tests.
const (
	summaryInvalidDuration     = "Invalid Duration"
	summaryInvalidID           = "Invalid Identifier"
	summaryInvalidEndpoint     = "Invalid Endpoint Override"
	summaryMissingCredentials  = "Missing %s Credentials"
	summaryClientSetup         = "Unable to Configure %s Client"
	summaryReadFailed          = "Error Reading %s"
	summaryTimedOut            = "Timed Out Waiting for %s"
	summaryInterrupted         = "Wait for %s Interrupted"
	summaryReadInterrupted     = "Read of %s Interrupted"
	summaryUnreachable         = "Unable to Reach %s Endpoint"
	summaryNotFound            = "%s Not Found"
	summaryTaskFailed          = "%s Failed"
	summaryUnexpectedProvider  = "Unexpected Provider Data"
	summaryInvalidTime         = "Invalid Time"
	summaryInvalidTimeRange    = "Invalid Time Range"
	summaryInvalidStatusFilter = "Invalid Task Status Filter"
	summaryNotInRegion         = "%s Not Available in Region"
	summaryValueNotAllowed     = "Invalid Attribute Value Match"
	maxFailuresInDiagnostic    = 20
)

func addUnexpectedProviderData(diags *diag.Diagnostics, got any) {
	diags.AddError(summaryUnexpectedProvider,
		fmt.Sprintf("Expected the cloudtask provider's data, got %T. This is a bug in the provider; please report it.", got))
}

func addInvalidDuration(diags *diag.Diagnostics, p path.Path, raw string, err error) {
	diags.AddAttributeError(p, summaryInvalidDuration,
		fmt.Sprintf("%q is not a duration: %s. Use a number with a unit, such as \"30s\", \"5m\" or \"1h30m\".", raw, err))
}

// Why a duration shorter than its minimum is refused, per attribute.
const (
	pollIntervalTooShort = "polling faster only spends the API's rate limit"
	readTimeoutTooShort  = "the read needs time for at least one request"
)

func addDurationTooShort(diags *diag.Diagnostics, p path.Path, raw string, minimum time.Duration, why string) {
	diags.AddAttributeError(p, summaryInvalidDuration,
		fmt.Sprintf("%q is shorter than the minimum of %s: %s.", raw, minimum, why))
}

func addInvalidID(diags *diag.Diagnostics, p path.Path, raw string) {
	diags.AddAttributeError(p, summaryInvalidID,
		fmt.Sprintf("%q is not a valid identifier: use the id as the console or API shows it "+
			"(letters, digits, '-', '_', '.' and ':', at most 128 characters, no '..').", raw))
}

func addInvalidEndpoint(diags *diag.Diagnostics, p path.Path, err error) {
	diags.AddAttributeError(p, summaryInvalidEndpoint,
		fmt.Sprintf("%s. Use a URL such as \"https://polardb.aliyuncs.com\" or \"http://127.0.0.1:8080\".", err))
}

func addInvalidTime(diags *diag.Diagnostics, p path.Path, raw, layoutDescription string) {
	diags.AddAttributeError(p, summaryInvalidTime,
		fmt.Sprintf("%q is not a time in the format %s (UTC), such as \"2020-11-30T00:00Z\".", raw, layoutDescription))
}

func addInvalidTimeRange(diags *diag.Diagnostics, p path.Path, start, end string) {
	diags.AddAttributeError(p, summaryInvalidTimeRange,
		fmt.Sprintf("end_time %q must be later than start_time %q.", end, start))
}

func addInvalidStatusFilter(diags *diag.Diagnostics, p path.Path, raw, bad string, allowed []string) {
	diags.AddAttributeError(p, summaryInvalidStatusFilter,
		fmt.Sprintf("%q in %q is not a task status. Use %s, separated by commas without spaces, such as %q.",
			bad, raw, strings.Join(allowed, ", "), strings.Join(allowed[:2], ",")))
}

func addValueNotAllowed(diags *diag.Diagnostics, p path.Path, got int64, allowed []int64) {
	diags.AddAttributeError(p, summaryValueNotAllowed,
		fmt.Sprintf("Attribute %s value must be one of: %s, got: %d", p, joinInt64s(allowed), got))
}

// Summaries of the Alibaba base credential sources besides keys and profiles; %s is the mode
// (alibaba.ModeOIDC, ModeCredentialsURI, ModeECSRAMRole).
const (
	summaryAlibabaSourceIncomplete = "Incomplete Alibaba Cloud %s Configuration"
	summaryAlibabaOIDCTokenFile    = "Unable to Read Alibaba Cloud OIDC Token File"
	summaryAlibabaSourceRefused    = "Unable to Get Alibaba Cloud Credentials from %s"
)

// addAlibabaSourceError reports an OIDC, credentials URI or ECS RAM role source that gave no
// credentials, and says whether err was one.
func addAlibabaSourceError(diags *diag.Diagnostics, err error) bool {
	var src *alibaba.CredentialError
	if !errors.As(err, &src) {
		return false
	}
	switch src.Kind {
	case alibaba.CredentialIncomplete:
		diags.AddError(fmt.Sprintf(summaryAlibabaSourceIncomplete, src.Mode), fmt.Sprintf(
			"The provider could not set up its Alibaba Cloud %s credentials: %s.", src.Mode, src.Reason))
	case alibaba.CredentialTokenFile:
		diags.AddError(summaryAlibabaOIDCTokenFile, fmt.Sprintf(
			"The provider exchanges the OIDC token for a role's credentials, but %s. Check "+
				"alibaba.assume_role_with_oidc.oidc_token_file or ALIBABA_CLOUD_OIDC_TOKEN_FILE, and that the "+
				"identity provider (such as the Kubernetes service-account token projection) wrote it.", src.Reason))
	default:
		diags.AddError(fmt.Sprintf(summaryAlibabaSourceRefused, src.Mode), fmt.Sprintf(
			"The provider asked for Alibaba Cloud credentials (%s) and got none: %s", src.Mode, src.Reason))
	}
	return true
}

// Summaries of the Tencent credential modes' failures.
const (
	summaryTencentAssumeRole = "Unable to Assume Tencent Cloud Role"
	summaryTencentOIDCToken  = "Unable to Read Tencent Cloud OIDC Token File"
	summaryTencentProfile    = "Invalid Tencent Cloud Profile"
	summaryCVMRole           = "Unable to Get Tencent Cloud CVM Role Credentials"
)

// addTencentCredentialError reports a failure of a Tencent credential mode and says whether err
// was one.
func addTencentCredentialError(diags *diag.Diagnostics, err error) bool {
	var (
		roleErr    *tencent.AssumeRoleError
		tokenErr   *tencent.TokenFileError
		profileErr *tencent.ProfileError
		cvmErr     *tencent.CVMRoleError
	)
	switch {
	case errors.As(err, &roleErr):
		block := "assume_role"
		if roleErr.Action == tencent.ActionAssumeRoleWithWebIdentity {
			block = "assume_role_with_oidc"
		}
		diags.AddError(summaryTencentAssumeRole, fmt.Sprintf("The provider asked Tencent Cloud STS (%s) for the "+
			"temporary keys of role %s, set in tencent.%s or its environment variables, and STS refused or could "+
			"not be reached. Check the role ARN, the role's trust policy, the session settings and "+
			"tencent.endpoints.sts. %s", roleErr.Action, roleErr.RoleArn, block, roleErr.Error()))
	case errors.As(err, &tokenErr):
		diags.AddError(summaryTencentOIDCToken, fmt.Sprintf("The provider could not use the OIDC token for "+
			"tencent.assume_role_with_oidc: %s. Check oidc_token_file (or %s, %s) and that the "+
			"token is projected into the file.", tokenErr.Error(), tencent.EnvWebIdentityTokenFile, tencent.EnvTKETokenFile))
	case errors.As(err, &profileErr):
		diags.AddError(summaryTencentProfile, fmt.Sprintf("The provider read the Tencent Cloud credentials "+
			"from a profile file because no keys were set as arguments or in the environment: %s. Fix the file "+
			"(tccli configure writes it), or set the keys another way.", profileErr.Error()))
	case errors.As(err, &cvmErr):
		diags.AddError(summaryCVMRole, fmt.Sprintf("The provider asked the CVM instance metadata service for "+
			"the role named by tencent.cam_role_name (or %s): %s. Check that Terraform runs on a CVM "+
			"instance the role is bound to.", tencent.EnvCAMRoleName, cvmErr.Error()))
	default:
		return false
	}
	return true
}

// addClientError reports a failure to build a cloud's client: missing credentials above all.
func addClientError(diags *diag.Diagnostics, cloud string, err error) {
	if addAlibabaSourceError(diags, err) || addTencentCredentialError(diags, err) {
		return
	}
	var aliMissing *alibaba.MissingCredentialsError
	var tcMissing *tencent.MissingCredentialsError
	switch {
	case errors.As(err, &aliMissing):
		diags.AddError(fmt.Sprintf(summaryMissingCredentials, cloud), missingCredentialsDetail(
			"alibaba", aliMissing.Attribute, aliMissing.EnvVars, aliMissing.ProfileTried, "~/.aliyun/config.json"))
	case errors.As(err, &tcMissing):
		diags.AddError(fmt.Sprintf(summaryMissingCredentials, cloud), missingCredentialsDetail(
			"tencent", tcMissing.Attribute, tcMissing.EnvVars, tcMissing.ProfileTried, "~/.tccli/<profile>.credential or ~/.tencentcloud/credentials"))
	default:
		diags.AddError(fmt.Sprintf(summaryClientSetup, cloud),
			fmt.Sprintf("The provider could not prepare its %s client: %s", cloud, err))
	}
}

func missingCredentialsDetail(block, attribute string, envVars []string, profile, file string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The data source needs %s.%s in the provider configuration, ", block, attribute)
	if len(envVars) > 0 {
		fmt.Fprintf(&b, "or the environment variable %s, ", strings.Join(envVars, " or "))
	}
	fmt.Fprintf(&b, "or a profile in %s", file)
	if profile != "" {
		fmt.Fprintf(&b, " (profile %q was looked up)", profile)
	}
	b.WriteString(". None of them is set. Only data sources of this cloud need these credentials.")
	return b.String()
}

// addReadError reports a failed read that was not a wait (or the full read after one).
func addReadError(diags *diag.Diagnostics, plan readPlan, err error) {
	var notInRegion *alibaba.UnsupportedRegionError
	if errors.As(err, &notInRegion) {
		diags.AddError(fmt.Sprintf(summaryNotInRegion, notInRegion.Product), fmt.Sprintf(
			"%s has endpoints only in the regions %s, and alibaba.region is %q, so no request was sent for %s. "+
				"Set alibaba.region to one of those regions, or set alibaba.endpoints.%s to the endpoint to use.",
			notInRegion.Product, strings.Join(notInRegion.Regions, ", "), notInRegion.Region, plan.what(), notInRegion.Service))
		return
	}
	summary := fmt.Sprintf(summaryReadFailed, plan.noun)
	switch {
	case errors.Is(err, context.Canceled):
		diags.AddError(fmt.Sprintf(summaryReadInterrupted, plan.noun), fmt.Sprintf(
			"Reading %s was interrupted (Terraform was asked to stop) after %s; it did not time out. %s",
			plan.what(), attemptsText(wait.Attempts(err)), apiErrorDetail(err)))
	case wait.IsUnreachable(err):
		addUnreachable(diags, err)
	case isContextError(err) && !hasAPIError(err):
		diags.AddError(summary, fmt.Sprintf("Reading %s did not finish: %s. If the service is slow, raise timeouts.read.", plan.what(), err))
	default:
		diags.AddError(summary, fmt.Sprintf("Reading %s failed. %s%s", plan.what(), apiErrorHint(plan, err), apiErrorDetail(err)))
	}
}

// addUnreachable reports an endpoint that could not be reached (refused connection, unknown
// host) once the network retry budget ran out: most often a wrong region or endpoint override.
func addUnreachable(diags *diag.Diagnostics, err error) {
	api, host, settings := "", "", ""
	var ali *alibaba.RequestError
	var tc *tencent.APIError
	switch {
	case errors.As(err, &ali):
		api, host, settings = ali.API, ali.Host, "alibaba.region, the alibaba.endpoints block"
	case errors.As(err, &tc):
		api, host, settings = tc.API, tc.Endpoint, "tencent.region, the tencent.endpoints block"
	default:
		api, host, settings = "Cloud API", "the service", "the region, the endpoints block"
	}
	service, _, _ := strings.Cut(api, " Describe")
	// The transport's own words ("dial tcp ...: connection refused"), without the wrappers.
	cause := err
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &opErr) {
		cause = opErr
	} else if errors.As(err, &dnsErr) {
		cause = dnsErr
	}
	diags.AddError(fmt.Sprintf(summaryUnreachable, service), fmt.Sprintf(
		"Could not connect to %s for %s (%s): %v. Check %s and the network (DNS, proxy, firewall).",
		host, api, attemptsText(wait.Attempts(err)), cause, settings))
}

// addWaitError maps the wait engine's typed errors to diagnostics.
func addWaitError(diags *diag.Diagnostics, plan readPlan, err error, timeout time.Duration) {
	var timedOut *wait.TimeoutError
	var interrupted *wait.InterruptedError
	var notFound *wait.NotFoundError
	switch {
	case errors.As(err, &timedOut) && timedOut.NeverFound:
		// The deadline came before the not-found grace ended: that is not a slow task.
		diags.AddError(fmt.Sprintf(summaryNotFound, plan.noun), fmt.Sprintf(
			"%s was not found: all %d polls over %s answered not found before timeouts.read (%s) ended the wait. "+
				"Check the %s and the region.\n%s",
			capitalize(plan.what()), timedOut.Polls, timedOut.Elapsed.Round(time.Second), shortDuration(timeout),
			idKind(plan), apiErrorDetail(timedOut.LastErr)))
	case errors.As(err, &timedOut):
		detail := fmt.Sprintf(
			"%s did not reach a terminal state within timeouts.read (%s). %s, after %s and %d polls. "+
				"Raise timeouts.read, for example timeouts { read = \"%s\" }, if the task needs longer.",
			capitalize(plan.what()), shortDuration(timeout), lastSeen(timedOut.Seen, timedOut.Last),
			timedOut.Elapsed.Round(time.Second), timedOut.Polls, shortDuration(2*timeout))
		switch {
		case timedOut.LastErr != nil:
			detail += " The last poll answered not found.\n" + apiErrorDetail(timedOut.LastErr)
		case hasAPIError(timedOut.CutErr):
			detail += fmt.Sprintf(" The last poll was still retrying (%s) when the time ran out; the service answered:\n%s",
				attemptsText(wait.Attempts(timedOut.CutErr)), apiErrorDetail(timedOut.CutErr))
		}
		diags.AddError(fmt.Sprintf(summaryTimedOut, plan.noun), detail)
	case errors.As(err, &interrupted):
		diags.AddError(fmt.Sprintf(summaryInterrupted, plan.noun), fmt.Sprintf(
			"The wait for %s was interrupted (Terraform was asked to stop) after %s and %d polls; it did not time out. %s. "+
				"The task itself goes on in the cloud.",
			plan.what(), interrupted.Elapsed.Round(time.Second), interrupted.Polls, lastSeen(interrupted.Seen, interrupted.Last)))
	case errors.As(err, &notFound):
		diags.AddError(fmt.Sprintf(summaryNotFound, plan.noun), fmt.Sprintf(
			"%s was still not found after %s of retries (a task created moments ago can take a little while to appear). "+
				"Check the %s and the region.\n%s",
			capitalize(plan.what()), notFound.Elapsed.Round(time.Second), idKind(plan), apiErrorDetail(notFound.Err)))
	case errors.Is(err, context.Canceled):
		// Interrupted during the full read that follows the wait.
		diags.AddError(fmt.Sprintf(summaryInterrupted, plan.noun), fmt.Sprintf(
			"The wait for %s was interrupted (Terraform was asked to stop) while reading its final detail; it did not time out. "+
				"The task itself goes on in the cloud. %s", plan.what(), apiErrorDetail(err)))
	default:
		addReadError(diags, plan, err)
	}
}

// addTaskFailed reports a terminal failure when fail_on_failure is set.
func addTaskFailed(diags *diag.Diagnostics, plan readPlan, out outcome) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s ended in failure (status %q", capitalize(plan.what()), out.status)
	if out.summary != "" {
		fmt.Fprintf(&b, ", %s", out.summary)
	}
	b.WriteString("), and fail_on_failure is set.")
	if len(out.failures) > 0 {
		b.WriteString(" Failed:")
		for i, f := range out.failures {
			if i == maxFailuresInDiagnostic {
				fmt.Fprintf(&b, "\n  ... and %d more", len(out.failures)-i)
				break
			}
			b.WriteString("\n  - " + f)
		}
	}
	diags.AddError(fmt.Sprintf(summaryTaskFailed, plan.noun), b.String())
}

func lastSeen(seen bool, s wait.State) string {
	if !seen {
		return "No status was read yet"
	}
	msg := fmt.Sprintf("Last status: %q", s.Status)
	if s.Summary != "" {
		msg += " (" + s.Summary + ")"
	}
	return msg
}

func hasAPIError(err error) bool {
	var ali *alibaba.APIError
	var tc *tencent.APIError
	return errors.As(err, &ali) || errors.As(err, &tc)
}

// idKinds names, per data source (by noun), what identifies the task to the user.
var idKinds = map[string]string{
	"PolarDB Batch Task":  "batch id",
	"PolarDB Tasks":       "cluster or node id",
	"BDRC Task":           "task id",
	"Tencent Batch Task":  "job id and task name",
	"Alidns Batch Result": "task id",
}

func idKind(plan readPlan) string {
	if kind, ok := idKinds[plan.noun]; ok {
		return kind
	}
	return "id"
}

// apiErrorHint says what the user can do about a class of API errors.
func apiErrorHint(plan readPlan, err error) string {
	switch {
	case alibaba.IsAuthError(err):
		return "The credentials were rejected: check the AccessKey ID and AccessKey secret (and any security token), and the machine's clock. "
	case tencent.IsAuthError(err):
		return "The credentials were rejected: check the SecretId and SecretKey (and any security token), and the machine's clock. "
	case alibaba.IsNotFound(err), tencent.IsNotFound(err):
		return fmt.Sprintf("The service answered not found: check the %s and the region. ", idKind(plan))
	case alibaba.IsRetryable(err), tencent.IsRetryable(err):
		if n := wait.Attempts(err); n > 1 {
			return fmt.Sprintf("The service kept failing after %d attempts; try again later. ", n)
		}
		return "The service answered with a temporary error and there was no time left to retry; try again later. "
	}
	return ""
}

func attemptsText(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// apiErrorDetail renders the API error's code, message and request id.
func apiErrorDetail(err error) string {
	var ali *alibaba.APIError
	var tc *tencent.APIError
	switch {
	case errors.As(err, &ali):
		return fmt.Sprintf("API: %s\nError code: %s\nMessage: %s\nRequest ID: %s\nHTTP status: %d",
			ali.API, ali.Code, ali.Message, ali.RequestID, ali.HTTPStatus)
	case errors.As(err, &tc):
		return fmt.Sprintf("API: %s\nError code: %s\nMessage: %s\nRequest ID: %s", tc.API, tc.Code, tc.Message, tc.RequestID)
	case err != nil:
		return "Error: " + err.Error()
	}
	return ""
}

// shortDuration writes a duration as a user would in timeouts: "40m" rather than "40m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// latestAlidnsTarget names the latest Alidns batch task, with its id once an answer gave it.
func latestAlidnsTarget(id *int64) string {
	if id == nil {
		return "the latest Alidns batch task"
	}
	return fmt.Sprintf("the latest Alidns batch task (task id %d)", *id)
}

// alidnsFailedNoReason is the failure line of an Alidns task that failed without a reason.
func alidnsFailedNoReason(failed int64) string {
	return fmt.Sprintf("%d entries failed (the API gave no reason)", failed)
}
