package emulator

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The fuzz targets send arbitrary requests to the three signature verifiers. With sign set,
// the test signs the fuzzed request itself, as the documentation describes each scheme
// (independently of the emulator's code), and the verifier must accept it, once; with tamper
// set as well, one signed part changes after signing and the request must be rejected;
// without sign, the request is random and must be rejected. Every request also goes through
// ServeHTTP, which must not panic. Their committed seeds are in testdata/fuzz/<FuzzName>/.

var fuzzNow = time.Date(2026, 5, 28, 16, 38, 20, 0, time.UTC)

var nonceCounter atomic.Int64

func uniqueNonce() string { return fmt.Sprintf("fuzz-nonce-%d", nonceCounter.Add(1)) }

func newFuzzServer() *Server {
	return New(Options{Scenario: &Scenario{}, Now: func() time.Time { return fuzzNow }})
}

// tokenPattern is a valid HTTP header name; a net/http server refuses any other.
var tokenPattern = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// parseHeaders reads "Name: value" lines into a header, skipping names HTTP does not allow.
func parseHeaders(text string) http.Header {
	h := http.Header{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && tokenPattern.MatchString(name) {
			h.Add(name, strings.TrimSpace(value))
		}
	}
	return h
}

func queryParams(raw string) map[string]string {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return map[string]string{}
	}
	return firstValues(v)
}

func encodeParams(p map[string]string) string {
	v := url.Values{}
	for k, x := range p {
		v.Set(k, x)
	}
	return v.Encode()
}

func newRequest(method, path, rawQuery string, h http.Header, body []byte) *http.Request {
	if method == "" {
		method = http.MethodGet
	}
	return &http.Request{
		Method: method, URL: &url.URL{Path: path, RawQuery: rawQuery}, Host: "emulator.test",
		Header: h, Body: io.NopCloser(strings.NewReader(string(body))), ContentLength: int64(len(body)),
	}
}

// verdict routes and verifies one request the way ServeHTTP does; nil means accepted.
func verdict(s *Server, r *http.Request, body []byte) *apiError {
	c := &call{r: r, body: body, now: s.now()}
	if e := s.route(c); e != nil {
		return e
	}
	switch c.fam {
	case familyRPC:
		return s.verifyRPC(c)
	case familyROA:
		return s.verifyROA(c)
	default:
		return s.verifyTC3(c)
	}
}

// serveDoesNotPanic sends a copy of the request through the whole pipeline.
func serveDoesNotPanic(r *http.Request, body []byte) {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(strings.NewReader(string(body)))
	newFuzzServer().ServeHTTP(httptest.NewRecorder(), r2)
}

func checkVerdict(t *testing.T, s *Server, r *http.Request, body []byte, wantAccepted bool, what string) {
	t.Helper()
	e := verdict(s, r, body)
	if wantAccepted && e != nil {
		t.Fatalf("%s: rejected %s %s?%s %v: %s %s", what, r.Method, r.URL.Path, r.URL.RawQuery, r.Header, e.code, e.message)
	}
	if !wantAccepted && e == nil {
		t.Fatalf("%s: accepted %s %s?%s %v", what, r.Method, r.URL.Path, r.URL.RawQuery, r.Header)
	}
}

// RPC signature v1: HMAC-SHA1 with secret+"&" over METHOD&%2F&encode(sorted k=v pairs).
func rpcEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func signRPC(method string, p map[string]string, secret string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = rpcEncode(k) + "=" + rpcEncode(p[k])
	}
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(method + "&%2F&" + rpcEncode(strings.Join(pairs, "&"))))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func FuzzVerifyRPC(f *testing.F) {
	f.Add("GET", "Action=DescribeBatchTask&Version=2017-08-01&BatchId=pcb-xxx", "", true, uint8(0))
	f.Add("POST", "Action=DescribeTasks&Version=2017-08-01", "DBClusterId=pc-xxx&StartTime=2020-11-30T00:00Z&EndTime=2020-12-02T03:00Z", true, uint8(0))
	f.Add("GET", "Action=DescribeBatchResultCount&Version=2015-01-09&TaskId=123456&Lang=en", "", true, uint8(3))
	f.Add("GET", "Action=DescribeBatchTask&Version=2017-08-01&AccessKeyId=LTAIemulatorKey0001&Signature=abc&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=1&Timestamp=2026-05-28T16:38:20Z&Format=JSON", "", false, uint8(0))
	f.Add("POST", "", "Action=DescribeBatchTask&Version=2017-08-01&Signature=%zz", false, uint8(0))
	f.Fuzz(func(t *testing.T, method, query, form string, sign bool, tamper uint8) {
		if method != http.MethodPost {
			method = http.MethodGet
		}
		qp, fp := queryParams(query), queryParams(form)
		h := http.Header{}
		if form != "" {
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rawQuery, body := query, []byte(form)
		if sign {
			for _, k := range []string{"Action", "Version", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Format", "SecurityToken"} {
				delete(fp, k)
			}
			if qp["Action"]+"@"+qp["Version"] != "DescribeTasks@2017-08-01" && qp["Action"]+"@"+qp["Version"] != "DescribeBatchResultCount@2015-01-09" {
				qp["Action"], qp["Version"] = "DescribeBatchTask", "2017-08-01"
			}
			qp["AccessKeyId"], qp["SignatureMethod"], qp["SignatureVersion"] = AlibabaAccessKeyID, "HMAC-SHA1", "1.0"
			qp["SignatureNonce"], qp["Timestamp"], qp["Format"] = uniqueNonce(), fuzzNow.Format("2006-01-02T15:04:05Z"), "JSON"
			delete(qp, "SecurityToken")
			merged := map[string]string{}
			for k, v := range qp {
				merged[k] = v
			}
			for k, v := range fp {
				merged[k] = v
			}
			qp["Signature"] = signRPC(method, merged, AlibabaAccessKeySecret)
			if tamper != 0 {
				// Change one signed value, or the signature itself.
				keys := make([]string, 0, len(merged))
				for k := range merged {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				if i := int(tamper) % (len(keys) + 1); i == len(keys) {
					qp["Signature"] = signRPC(method, merged, "wrong-secret")
				} else if _, inForm := fp[keys[i]]; inForm {
					fp[keys[i]] += "x"
				} else {
					qp[keys[i]] += "x"
				}
			}
			rawQuery, body = encodeParams(qp), []byte(encodeParams(fp))
			if len(fp) > 0 {
				h.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		}
		r := newRequest(method, "/", rawQuery, h, body)
		serveDoesNotPanic(r, body)
		s := newFuzzServer()
		accepted := sign && tamper == 0
		checkVerdict(t, s, r, body, accepted, "first")
		if accepted {
			if e := verdict(s, r, body); e == nil || e.code != "SignatureNonceUsed" {
				t.Fatalf("replay answered %v, want SignatureNonceUsed", e)
			}
		}
	})
}

// ROA: HMAC-SHA1 with the secret over METHOD, the non-empty Accept, Content-MD5,
// Content-Type and Date, the sorted x-acs-* headers and the path with its sorted query.
func signROA(r *http.Request, secret string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	for _, name := range []string{"Accept", "Content-MD5", "Content-Type", "Date"} {
		if v := r.Header.Get(name); v != "" {
			b.WriteString(v + "\n")
		}
	}
	acs := map[string]string{}
	for k, vs := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-acs-") {
			acs[lk] = vs[0]
		}
	}
	names := make([]string, 0, len(acs))
	for k := range acs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k + ":" + acs[k] + "\n")
	}
	b.WriteString(r.URL.Path)
	q := firstValues(r.URL.Query())
	if len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k
			if q[k] != "" {
				parts[i] += "=" + q[k]
			}
		}
		b.WriteString("?" + strings.Join(parts, "&"))
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func FuzzVerifyROA(f *testing.F) {
	f.Add("t-xxxxxxxx", "", "Accept: application/json\nContent-Type: application/octet-stream", []byte(nil), true, uint8(0))
	f.Add("t-happy", "lang=en", "x-acs-action: DescribeTask\nx-acs-signature-nonce: n-1", []byte("{}"), true, uint8(2))
	f.Add("t-1", "", "x-acs-version: 2023-08-08\nAuthorization: acs LTAIemulatorKey0001:AAAA\nDate: Thu, 28 May 2026 16:38:20 GMT", []byte(nil), false, uint8(0))
	f.Add("..", "a=%zz", "Authorization: acs :", []byte("x"), false, uint8(0))
	f.Fuzz(func(t *testing.T, taskID, query, headers string, body []byte, sign bool, tamper uint8) {
		h := parseHeaders(headers)
		method := http.MethodGet
		if taskID == "" {
			taskID = "t-1"
		}
		path := "/api/v1/tasks/" + url.PathEscape(taskID)
		if sign {
			if strings.Contains(taskID, "/") {
				taskID = strings.ReplaceAll(taskID, "/", "-")
				path = "/api/v1/tasks/" + url.PathEscape(taskID)
			}
			h.Del("X-Acs-Security-Token")
			if u, err := url.ParseQuery(query); err != nil || u == nil {
				query = ""
			}
			h.Set("x-acs-version", "2023-08-08")
			h.Set("x-acs-signature-method", "HMAC-SHA1")
			h.Set("x-acs-signature-version", "1.0")
			h.Set("Date", fuzzNow.Format(http.TimeFormat))
			if n := h.Get("x-acs-signature-nonce"); n != "" {
				h.Set("x-acs-signature-nonce", uniqueNonce())
			}
			h.Del("Content-MD5")
			if len(body) > 0 {
				sum := md5.Sum(body)
				h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			}
		}
		r := newRequest(method, "", query, h, body)
		r.URL.RawPath = path
		r.URL.Path, _ = url.PathUnescape(path)
		if sign {
			h.Set("Authorization", "acs "+AlibabaAccessKeyID+":"+signROA(r, AlibabaAccessKeySecret))
			switch tamper % 5 {
			case 1:
				h.Set("Date", fuzzNow.Add(time.Second).Format(http.TimeFormat))
			case 2:
				h.Set("x-acs-version", "2023-08-09")
			case 3:
				r.URL.RawPath, r.URL.Path = path+"0", r.URL.Path+"0"
			case 4:
				h.Set("Authorization", "acs "+AlibabaAccessKeyID+":"+signROA(r, "wrong-secret"))
			}
		}
		serveDoesNotPanic(r, body)
		s := newFuzzServer()
		checkVerdict(t, s, r, body, sign && tamper%5 == 0, "first")
	})
}

// TC3-HMAC-SHA256 over the canonical request with the signed headers content-type and host.
func signTC3(r *http.Request, body []byte, secretID, secretKey string) string {
	hash := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	mac := func(key []byte, msg string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return m.Sum(nil)
	}
	canonical := r.Method + "\n/\n" + r.URL.RawQuery + "\n" +
		"content-type:" + strings.TrimSpace(r.Header.Get("Content-Type")) + "\nhost:" + r.Host + "\n\n" +
		"content-type;host\n" + hash(body)
	ts := r.Header.Get("X-TC-Timestamp")
	date := fuzzNow.Format("2006-01-02")
	scope := date + "/batch/tc3_request"
	k := mac(mac(mac([]byte("TC3"+secretKey), date), "batch"), "tc3_request")
	sig := hex.EncodeToString(mac(k, "TC3-HMAC-SHA256\n"+ts+"\n"+scope+"\n"+hash([]byte(canonical))))
	return "TC3-HMAC-SHA256 Credential=" + secretID + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + sig
}

func FuzzVerifyTC3(f *testing.F) {
	f.Add("POST", "", "Content-Type: application/json\nX-TC-Region: ap-guangzhou", []byte(`{"JobId":"job-97zcl3wt","TaskName":"A"}`), true, uint8(0))
	f.Add("GET", "JobId=job-1&TaskName=A", "X-TC-Token: tok", []byte(nil), true, uint8(1))
	f.Add("POST", "", "Authorization: TC3-HMAC-SHA256 Credential=AKIDemulatorKey0001/2026-05-28/batch/tc3_request, SignedHeaders=content-type;host, Signature=00\nX-TC-Action: DescribeTask\nX-TC-Timestamp: 1779986300", []byte(`{}`), false, uint8(0))
	f.Add("POST", "", "Authorization: TC3-HMAC-SHA256 Credential=a/b/c, SignedHeaders=, Signature=", []byte(`{`), false, uint8(0))
	f.Fuzz(func(t *testing.T, method, query, headers string, body []byte, sign bool, tamper uint8) {
		if method != http.MethodGet {
			method = http.MethodPost
		}
		h := parseHeaders(headers)
		if sign {
			h.Set("X-TC-Action", "DescribeTask")
			h.Set("X-TC-Version", "2017-03-12")
			h.Set("X-TC-Timestamp", fmt.Sprint(fuzzNow.Unix()))
			h.Del("X-TC-Content-SHA256")
			if h.Get("Content-Type") == "" {
				h.Set("Content-Type", "application/json")
			}
			if h.Get("X-TC-Token") == "" {
				h.Del("X-TC-Token")
			}
		}
		r := newRequest(method, "/", query, h, body)
		if sign {
			h.Set("Authorization", signTC3(r, body, TencentSecretID, TencentSecretKey))
			switch tamper % 5 {
			case 1:
				body = append(append([]byte(nil), body...), ' ')
			case 2:
				r.URL.RawQuery += "&x=1"
			case 3:
				h.Set("Content-Type", h.Get("Content-Type")+"x")
			case 4:
				h.Set("Authorization", signTC3(r, body, TencentSecretID, "wrong-secret"))
			}
		}
		serveDoesNotPanic(r, body)
		s := newFuzzServer()
		checkVerdict(t, s, r, body, sign && tamper%5 == 0, "first")
	})
}
