// Package emulator is a local cloud that serves the five task APIs the
// provider reads (PolarDB DescribeBatchTask and DescribeTasks, BDRC
// DescribeTask, Tencent Batch DescribeTask, Alidns DescribeBatchResultCount) on
// one loopback listener. It verifies every request the way the real services
// do (Alibaba RPC signature v1, Alibaba ROA, Tencent TC3-HMAC-SHA256), answers
// in each service's body shapes, scripts task lifecycles, paginates, enforces
// Tencent's per-second limit, injects faults, and counts and records traffic
// so tests can assert on it.
//
// # What the documentation does not give
//
// The emulator follows the API reference pages. Where they are silent it has
// to answer something; this table is the one list of those choices. A test
// that relies on one says so in a comment, and the provider must also work
// with the alternative named here.
//
//	behaviour                        | what the emulator does                                   | plausible alternative
//	---------------------------------+----------------------------------------------------------+---------------------------------------------
//	unknown id, PolarDB batch task   | 404 InvalidBatchId.NotFound                              | 200 with no task (UnknownIDAnswer "empty":
//	                                 |                                                          | only RequestId)
//	unknown cluster / node,          | 404 InvalidDBClusterId.NotFound /                        | 200 with an empty listing ("empty"); the
//	PolarDB DescribeTasks            | InvalidDBNodeId.NotFound                                 | provider cannot tell it from "no task"
//	unknown id, BDRC                 | 404 NotFound.Task                                        | 200 without Data ("empty")
//	unknown TaskId, Alidns           | 404 TaskNotExist                                         | 200 Status -1 ("empty"), the documented
//	                                 |                                                          | "no task submitted"
//	unknown job or task, Tencent     | ResourceNotFound.Task (documented code)                  | 200 with an empty TaskInstanceSet and no
//	                                 |                                                          | TaskState ("empty")
//	Alidns BatchType differs from    | 200, Status -1, zero counts, TaskId and the requested    | the task's own counts, or an error
//	the task's                       | BatchType                                                |
//	Tencent TaskInstanceTotalCount   | counts the instances matching Filters                    | counts all instances of the task
//	with Filters                     |                                                          |
//	Tencent TaskInstanceMetrics      | counts all instances, whatever the Filters               | counts the filtered ones
//	PolarDB PageRecordCount          | tasks on the returned page (the field's text)            | the page size (the sample shows 30 with
//	                                 |                                                          | TotalRecordCount 1)
//	PolarDB time window              | a task is listed when its BeginTime lies in              | overlap of [BeginTime, FinishTime] with the
//	                                 | [StartTime, EndTime], bounds included; a task without a  | window; tasks without BeginTime left out
//	                                 | parseable BeginTime is always listed                     |
//	PolarDB multi-status Status      | one listing in scenario (creation) order, not grouped by | grouped by status, or newest first
//	("Running,Finished")             | status                                                   |
//	PolarDB DBClusterId and DBNodeId | 400 InvalidParameter                                     | one of them wins
//	both set                         |                                                          |
//	ROA x-acs-signature-nonce        | optional: the Go SDK sends none; replay is bounded by    | required, rejecting the SDK's requests
//	                                 | Date freshness (15 min); a nonce, when sent, is checked  |
//	Tencent Region                   | optional (the page says so); recorded, not checked       |
//	Tencent rate limit               | 3 verified requests per sliding second; a rejected one   | fixed one-second windows, or rejected
//	                                 | does not use up the budget                               | requests counted
//	Tencent filter names             | task-instance-state and task-instance-type both filter   | only one of them is known to the service
//	                                 | on TaskInstanceState; others are InvalidFilter           |
//	Tencent Limit or Offset out of   | InvalidParameterValue                                    | clamped to the range
//	range                            |                                                          |
//	STS AssumeRoleWithOIDC           | unsigned (the documented anonymous call): Timestamp      | a signature, when sent, verified too
//	authentication                   | freshness and Format checked, any AccessKeyId ignored    |
//	OIDC token check                 | an opaque string compared with the scenario's current    | a JWT checked against the provider's keys,
//	                                 | token; no JWT signature, issuer, audience or exp         | iss, aud and exp
//	OIDC token rotation              | ExchangesPerToken: the superseded token is refused       | an earlier token stays valid until its exp
//	                                 | (AuthenticationFail.OIDCToken.Expired, 400)              | claim, as Kubernetes tokens do
//	AssumeRoleWithOIDC refusals      | EntityNotExist.OIDCProvider / EntityNotExist.Role (404), | other codes or statuses; the provider shows
//	                                 | AuthenticationFail.OIDCToken.Invalid (400)               | whatever body STS answers
//	AssumeRoleWithOIDC credentials   | like AssumeRole's: AlibabaSTSLifetime or DurationSeconds,| a lifetime capped by the role's maximum
//	                                 | accepted only with their own security token              |
//	Tencent STS answers              | AssumeRole and AssumeRoleWithWebIdentity answer           | Expiration only, or ExpiredTime in
//	                                 | Credentials{Token, TmpSecretId, TmpSecretKey},           | milliseconds
//	                                 | ExpiredTime (Unix seconds) and Expiration (RFC 3339)     |
//	Tencent STS lifetime             | DurationSeconds (default 7200, 1 to 43200), or           | capped by the role's maximum session
//	                                 | Scenario.TencentSTSLifetime; expiry in whole seconds     | duration
//	Tencent STS refusals             | unknown role (Scenario.TencentRoles) ResourceNotFound.   | other codes (InternalError.GetRoleError)
//	                                 | RoleNotExist; bad ARN, session name or duration          |
//	                                 | InvalidParameter.ParamError; a token that is not three   |
//	                                 | dot-separated parts InvalidParameter.WebIdentityToken-   |
//	                                 | Error (no signature or issuer checks)                    |
//	Tencent OIDC token check         | without Scenario.TencentOIDC: any three-part token from  | a JWT checked against the provider's keys,
//	                                 | any provider; with it, an opaque string compared with    | iss, aud and exp
//	                                 | the current token; an unknown ProviderId InvalidPara-    |
//	                                 | meter.ParamError, another role UnauthorizedOperation     |
//	Tencent OIDC token rotation      | ExchangesPerToken: the superseded token is refused with  | an earlier token stays valid until its exp
//	                                 | InvalidParameter.WebIdentityTokenError ("has expired"),  | claim, or another code (the API lists only
//	                                 | the one token error the API lists                        | this one for the token)
//	Tencent temporary keys           | DescribeTask and AssumeRole take a temporary SecretId    | AuthFailure.SecretIdNotFound or
//	                                 | only with its own unexpired X-TC-Token; otherwise        | AuthFailure.InvalidSecretId
//	                                 | AuthFailure.TokenFailure                                 |
//	error messages, generated tasks  | invented but plausible texts; generated instances fail   | other texts and values
//	and instances                    | with ExitCode 1; generated PolarDB tasks carry the text  |
//	                                 | "null" in TaskErrorCode, as the documentation sample     |
//
// Scenario.UnknownIDAnswer switches the unknown-id rows to the alternative.
package emulator
