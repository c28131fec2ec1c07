package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Alibaba service hosts and product names used in error bodies.
var alibabaHosts = map[string][2]string{
	APIPolarDBBatchTask:  {"polardb.aliyuncs.com", "polardb"},
	APIPolarDBTasks:      {"polardb.aliyuncs.com", "polardb"},
	APIBDRCTask:          {"bdrc.aliyuncs.com", "BDRC"},
	APIAlidnsBatchResult: {"alidns.aliyuncs.com", "Alidns"},
}

// alibabaErrorBody is the error shape shared by RPC and ROA services.
type alibabaErrorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

func alibabaError(c *call, e *apiError) answer {
	host, product := c.r.Host, "unknown"
	if hp, ok := alibabaHosts[c.api]; ok {
		host, product = hp[0], hp[1]
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// The real services write the Recommend link with a literal '&'.
	enc.SetEscapeHTML(false)
	_ = enc.Encode(alibabaErrorBody{
		RequestID: c.requestID,
		HostID:    host,
		Code:      e.code,
		Message:   e.message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.code) + "&product=" + url.QueryEscape(product) + "&requestId=" + c.requestID,
	})
	body := bytes.TrimRight(buf.Bytes(), "\n")
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	return answer{status: status, code: e.code, body: body}
}

// rpcParams merges the query string with an urlencoded form body; the form
// wins on a clash, as in the SDK's signer.
func rpcParams(r *http.Request, body []byte) (map[string]string, error) {
	params := firstValues(r.URL.Query())
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" && len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range firstValues(form) {
			params[k] = v
		}
	}
	return params, nil
}

func firstValues(v url.Values) map[string]string {
	out := make(map[string]string, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

// percentEncode is RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay literal.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_' || ch == '.' || ch == '~' {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

func hmacSHA1Base64(key, msg string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func missing(name string) *apiError {
	return &apiError{http.StatusBadRequest, "Missing" + name, name + " is mandatory for this action."}
}

func invalidParam(name string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameter", "The specified parameter " + name + " is not valid."}
}

func (s *Server) alibabaSecret(ak string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cred, ok := s.sts[ak]; ok {
		return cred.secret, true
	}
	creds := s.sc.AlibabaCredentials
	if creds == nil {
		creds = map[string]string{AlibabaAccessKeyID: AlibabaAccessKeySecret}
	}
	secret, ok := creds[ak]
	return secret, ok
}

func unknownAccessKey() *apiError {
	return &apiError{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
}

func checkFreshness(now, t time.Time, window time.Duration) *apiError {
	if d := now.Sub(t); d > window || d < -window {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."}
	}
	return nil
}

// useNonce records nonce for the access key and reports whether it was
// already used inside the freshness window. Old nonces are pruned here
// because a request older than the window is rejected by its timestamp anyway.
func (s *Server) useNonce(ak, nonce string, now time.Time) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.nonces {
		if now.Sub(t) > alibabaClockSkew {
			delete(s.nonces, k)
		}
	}
	key := ak + "\x00" + nonce
	if _, used := s.nonces[key]; used {
		return &apiError{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	s.nonces[key] = now
	return nil
}

// verifyRPC checks an Alibaba RPC signature v1 request: common parameters,
// access key, timestamp freshness, HMAC-SHA1 signature, then nonce replay.
func (s *Server) verifyRPC(c *call) *apiError {
	if c.api == APIAlibabaSTSOIDC {
		return verifyAnonymousRPC(c)
	}
	p := c.params
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Format"} {
		if p[name] == "" {
			return missing(name)
		}
	}
	if p["SignatureMethod"] != "HMAC-SHA1" {
		return invalidParam("SignatureMethod")
	}
	if p["SignatureVersion"] != "1.0" {
		return invalidParam("SignatureVersion")
	}
	// The emulator only speaks JSON; an XML client would misread every answer.
	if !strings.EqualFold(p["Format"], "JSON") {
		return invalidParam("Format")
	}
	if tok, ok := p["SecurityToken"]; ok && tok == "" {
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.Malformed", "The Security Token is malformed."}
	}
	secret, ok := s.alibabaSecret(p["AccessKeyId"])
	if !ok {
		return unknownAccessKey()
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p["Timestamp"])
	if err != nil {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."}
	}
	if e := checkFreshness(c.now, ts, alibabaClockSkew); e != nil {
		return e
	}
	if e := s.checkSecurityToken(p["AccessKeyId"], p["SecurityToken"], c.now); e != nil {
		return e
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = percentEncode(k) + "=" + percentEncode(p[k])
	}
	stringToSign := c.r.Method + "&" + percentEncode("/") + "&" + percentEncode(strings.Join(pairs, "&"))
	want := hmacSHA1Base64(secret+"&", stringToSign)
	if !hmac.Equal([]byte(want), []byte(p["Signature"])) {
		return &apiError{http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:" + stringToSign}
	}
	return s.useNonce(p["AccessKeyId"], p["SignatureNonce"], c.now)
}

// verifyROA checks an Alibaba ROA request: version, Authorization, Date
// freshness, Content-MD5, HMAC-SHA1 over the canonical string, then the
// optional x-acs-signature-nonce (the Go SDK does not send one, so a missing
// nonce is accepted and replay is bounded by Date freshness).
func (s *Server) verifyROA(c *call) *apiError {
	h := c.r.Header
	if v := h.Get("x-acs-version"); v != "2023-08-08" {
		if v == "" {
			return missing("Version")
		}
		return &apiError{http.StatusNotFound, "InvalidVersion", "Specified parameter Version is not valid."}
	}
	auth := h.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "acs ")
	ak, sig, ok2 := strings.Cut(rest, ":")
	if auth == "" {
		return missing("Authorization")
	}
	if !ok || !ok2 || ak == "" || sig == "" {
		return &apiError{http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards."}
	}
	if m := h.Get("x-acs-signature-method"); m != "" && m != "HMAC-SHA1" {
		return invalidParam("SignatureMethod")
	}
	if v := h.Get("x-acs-signature-version"); v != "" && v != "1.0" {
		return invalidParam("SignatureVersion")
	}
	if vs, ok := h[http.CanonicalHeaderKey("x-acs-security-token")]; ok && (len(vs) == 0 || vs[0] == "") {
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.Malformed", "The Security Token is malformed."}
	}
	secret, ok := s.alibabaSecret(ak)
	if !ok {
		return unknownAccessKey()
	}
	date := h.Get("Date")
	if date == "" {
		return missing("Date")
	}
	dt, err := http.ParseTime(date)
	if err != nil {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."}
	}
	if e := checkFreshness(c.now, dt, alibabaClockSkew); e != nil {
		return e
	}
	if e := s.checkSecurityToken(ak, h.Get("x-acs-security-token"), c.now); e != nil {
		return e
	}
	if md := h.Get("Content-MD5"); md != "" {
		sum := md5.Sum(c.body)
		if md != base64.StdEncoding.EncodeToString(sum[:]) {
			return &apiError{http.StatusBadRequest, "InvalidContentMD5", "The Content-MD5 you specified does not match the request body."}
		}
	}
	stringToSign := roaStringToSign(c.r)
	if want := hmacSHA1Base64(secret, stringToSign); !hmac.Equal([]byte(want), []byte(sig)) {
		return &apiError{http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:" + stringToSign}
	}
	if nonce := h.Get("x-acs-signature-nonce"); nonce != "" {
		return s.useNonce(ak, nonce, c.now)
	}
	return nil
}

// roaStringToSign is METHOD, the non-empty standard headers, the sorted
// x-acs-* headers and the canonical resource, newline separated.
func roaStringToSign(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	for _, name := range []string{"Accept", "Content-MD5", "Content-Type", "Date"} {
		if v := r.Header.Get(name); v != "" {
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	acs := map[string]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-acs-") && len(vs) > 0 {
			acs[lk] = vs[0]
		}
	}
	keys := make([]string, 0, len(acs))
	for k := range acs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + ":" + acs[k] + "\n")
	}
	b.WriteString(r.URL.Path)
	query := firstValues(r.URL.Query())
	if len(query) > 0 {
		qk := make([]string, 0, len(query))
		for k := range query {
			qk = append(qk, k)
		}
		sort.Strings(qk)
		b.WriteByte('?')
		for i, k := range qk {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			if v := query[k]; v != "" {
				b.WriteString("=" + v)
			}
		}
	}
	return b.String()
}

// alibabaSuccess adds the RequestId to a scenario body.
func alibabaSuccess(c *call, raw json.RawMessage) ([]byte, *apiError) {
	out, err := extendObject(raw, field{"RequestId", c.requestID})
	if err != nil {
		return nil, internalError()
	}
	return out, nil
}

func internalError() *apiError {
	return &apiError{http.StatusInternalServerError, "InternalError", "The request processing has failed due to some unknown error, exception or failure."}
}
