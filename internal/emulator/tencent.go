package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	tencentService     = "batch"
	tencentVersion     = "2017-03-12"
	tencentDefaultRate = 3
)

type tencentErrorBody struct {
	Response struct {
		Error struct {
			Code    string `json:"Code"`
			Message string `json:"Message"`
		} `json:"Error"`
		RequestID string `json:"RequestId"`
	} `json:"Response"`
}

// tencentError answers HTTP 200 with the error inside Response, as the real
// service does, unless a fault asked for another status.
func tencentError(c *call, e *apiError) answer {
	var b tencentErrorBody
	b.Response.Error.Code = e.code
	b.Response.Error.Message = e.message
	b.Response.RequestID = c.requestID
	body, _ := json.Marshal(b)
	status := e.status
	if status == 0 {
		status = http.StatusOK
	}
	return answer{status: status, code: e.code, body: body}
}

func authFailure(sub, message string) *apiError {
	return &apiError{code: "AuthFailure." + sub, message: message}
}

// tc3Authorization is the parsed Authorization header.
type tc3Authorization struct {
	secretID, date, service, terminator string
	signedHeaders                       []string
	signature                           string
}

func parseTC3Authorization(h string) (tc3Authorization, bool) {
	var a tc3Authorization
	rest, ok := strings.CutPrefix(h, "TC3-HMAC-SHA256 ")
	if !ok {
		return a, false
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 4 {
				return a, false
			}
			a.secretID, a.date, a.service, a.terminator = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	ok = a.secretID != "" && a.terminator == "tc3_request" && a.signature != "" &&
		slices.Contains(a.signedHeaders, "content-type") && slices.Contains(a.signedHeaders, "host")
	return a, ok
}

func (s *Server) tencentSecret(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	creds := s.sc.TencentCredentials
	if creds == nil {
		creds = map[string]string{TencentSecretID: TencentSecretKey}
	}
	key, ok := creds[id]
	return key, ok
}

// verifyTC3 checks a TC3-HMAC-SHA256 request: header syntax, timestamp
// freshness, credential scope, SecretId, the canonical request signature, and
// then the API version. The region is recorded, not required.
func (s *Server) verifyTC3(c *call) *apiError {
	h := c.r.Header
	auth, ok := parseTC3Authorization(h.Get("Authorization"))
	if !ok {
		return authFailure("InvalidAuthorization", "Authorization header format is invalid; expected TC3-HMAC-SHA256 Credential=..., SignedHeaders=content-type;host, Signature=....")
	}
	ts, err := strconv.ParseInt(h.Get("X-TC-Timestamp"), 10, 64)
	if err != nil {
		return &apiError{code: "MissingParameter", message: "The request is missing a valid parameter `Timestamp`."}
	}
	stamp := time.Unix(ts, 0).UTC()
	if d := c.now.Sub(stamp); d > tencentClockSkew || d < -tencentClockSkew {
		return authFailure("SignatureExpire", "Signature expired. Timestamp must be within five minutes of the server time.")
	}
	_, service, _ := tencentAction(h.Get("X-TC-Action"), h.Get("X-TC-Version"))
	if auth.date != stamp.Format("2006-01-02") || auth.service != service {
		return authFailure("SignatureFailure", "The credential scope must be the UTC date of X-TC-Timestamp and the service "+service+".")
	}
	key, ok := s.tencentSecret(auth.secretID)
	if !ok {
		key, ok = s.tencentTemporarySecret(auth.secretID)
	}
	if !ok {
		return authFailure("SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.")
	}
	if vs, ok := h[http.CanonicalHeaderKey("X-TC-Token")]; ok && (len(vs) == 0 || vs[0] == "") {
		return authFailure("TokenFailure", "The token is empty.")
	}
	want := tc3Signature(c.r, c.body, auth, key)
	if !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return authFailure("SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")
	}
	if e := s.checkTencentToken(auth.secretID, h.Get("X-TC-Token"), c.now); e != nil {
		return e
	}
	if v := h.Get("X-TC-Version"); c.api == APITencentTask && v != tencentVersion {
		return &apiError{code: "NoSuchVersion", message: "The API version `" + v + "` does not exist; DescribeTask is version 2017-03-12."}
	}
	// DescribeTask's page says the common parameter Region is not required for this API.
	s.mu.Lock()
	s.lastRegion = h.Get("X-TC-Region")
	s.mu.Unlock()
	return nil
}

func tc3Signature(r *http.Request, body []byte, auth tc3Authorization, key string) string {
	var headers strings.Builder
	for _, name := range auth.signedHeaders {
		v := r.Header.Get(name)
		if name == "host" {
			v = r.Host
		}
		headers.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
	}
	payload := sha256Hex(body)
	if r.Header.Get("X-TC-Content-SHA256") == "UNSIGNED-PAYLOAD" {
		payload = sha256Hex([]byte("UNSIGNED-PAYLOAD"))
	}
	canonical := strings.Join([]string{
		r.Method, "/", r.URL.RawQuery, headers.String(), strings.Join(auth.signedHeaders, ";"), payload,
	}, "\n")
	scope := auth.date + "/" + auth.service + "/tc3_request"
	stringToSign := "TC3-HMAC-SHA256\n" + r.Header.Get("X-TC-Timestamp") + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
	k := hmacSHA256([]byte("TC3"+key), auth.date)
	k = hmacSHA256(k, auth.service)
	k = hmacSHA256(k, "tc3_request")
	return hex.EncodeToString(hmacSHA256(k, stringToSign))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// checkTencentRate enforces the per-second limit over a sliding window.
// Only verified requests that passed the fault stage count; a rejected
// request uses up the budget only with Scenario.TencentRateCountsRejected.
func (s *Server) checkTencentRate(now time.Time) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := s.sc.TencentRateLimit
	if limit < 0 {
		return nil
	}
	if limit == 0 {
		limit = tencentDefaultRate
	}
	kept := s.tencentHits[:0]
	for _, t := range s.tencentHits {
		if now.Sub(t) < time.Second {
			kept = append(kept, t)
		}
	}
	s.tencentHits = kept
	if len(kept) >= limit {
		s.tencentRejected++
		if s.sc.TencentRateCountsRejected {
			s.tencentHits = append(s.tencentHits, now)
		}
		return &apiError{code: "RequestLimitExceeded", message: "Your current request times in the last second exceeds the limit."}
	}
	s.tencentHits = append(s.tencentHits, now)
	s.tencentPassed++
	return nil
}

// TencentRateCounts returns how many Tencent DescribeTask requests the rate
// limit let through to the API (answered) and how many it rejected with
// RequestLimitExceeded, since the start or the last ResetCounters. Requests
// stopped earlier (bad signature, injected fault) are in neither.
func (s *Server) TencentRateCounts() (answered, rejected int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tencentPassed, s.tencentRejected
}

// tencentSuccess wraps fields in {"Response":{...,"RequestId"}}.
func tencentSuccess(c *call, inner []byte) ([]byte, *apiError) {
	withID, err := extendObject(inner, field{"RequestId", c.requestID})
	if err != nil {
		return nil, internalError()
	}
	out := make([]byte, 0, len(withID)+14)
	out = append(out, `{"Response":`...)
	out = append(out, withID...)
	out = append(out, '}')
	return out, nil
}
