package emulator

import (
	"bytes"
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Request is one request that passed signature verification, as the API saw
// it. It holds no secrets or signatures; AccessKeyID and SecurityToken say
// which credential signed it, so tests can tell temporary keys from long-term ones.
type Request struct {
	// Params are the API's own parameters, flattened the way the wire has
	// them: the business query and form parameters of an Alibaba RPC call;
	// {"TaskId": ...} from the path (plus any query parameters) of BDRC's ROA
	// call; the JSON body of a Tencent call flattened to "JobId", "Limit",
	// "Filters.0.Name", "Filters.0.Values.0" and so on. Numbers keep their
	// JSON spelling, so Limit 1000 is "1000".
	Params map[string]string
	// Region is RegionId for Alibaba RPC, X-TC-Region for Tencent, and empty
	// for ROA, whose requests name no region.
	Region string
	// At is the server clock (Options.Now) when the request arrived.
	At time.Time
	// UserAgent is the request's User-Agent header, which names the client
	// and its version.
	UserAgent string
	// AccessKeyID and SecurityToken are the credential the request was signed with: Alibaba's
	// AccessKeyId and SecurityToken (RPC parameters or ROA headers), Tencent's SecretId and
	// X-TC-Token. Both are empty for Tencent's unsigned AssumeRoleWithWebIdentity.
	AccessKeyID, SecurityToken string
}

// rpcCommonParams are the parameters every Alibaba RPC request carries for
// signing, routing and format; the rest are the API's own. RegionId moves to
// Request.Region.
var rpcCommonParams = map[string]bool{
	"Action": true, "Version": true, "Format": true, "RegionId": true,
	"AccessKeyId": true, "Signature": true, "SignatureMethod": true, "SignatureVersion": true,
	"SignatureNonce": true, "SignatureType": true, "Timestamp": true,
	"SecurityToken": true, "BearerToken": true,
}

// tencentCommonParams are the common parameters a Tencent GET request may
// carry in its query (TC3 clients send them as X-TC-* headers instead).
var tencentCommonParams = map[string]bool{
	"Action": true, "Version": true, "Region": true, "Timestamp": true, "Nonce": true,
	"SecretId": true, "Signature": true, "SignatureMethod": true, "Token": true,
	"Language": true, "RequestClient": true,
}

// Requests returns copies of the verified requests that reached api, in
// arrival order. Requests rejected before or by verification (unknown
// action, bad signature, expired timestamp, reused nonce) are not recorded;
// requests answered by a fault or the rate limit are.
func (s *Server) Requests(api string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	recorded := s.requests[api]
	out := make([]Request, len(recorded))
	for i, r := range recorded {
		out[i] = r
		out[i].Params = maps.Clone(r.Params)
	}
	return out
}

// record keeps the parameters of a verified call.
func (s *Server) record(c *call) {
	r := Request{Params: map[string]string{}, At: c.now, UserAgent: c.r.UserAgent()}
	switch c.fam {
	case familyRPC:
		for k, v := range c.params {
			if !rpcCommonParams[k] {
				r.Params[k] = v
			}
		}
		r.Region = c.params["RegionId"]
		r.AccessKeyID, r.SecurityToken = c.params["AccessKeyId"], c.params["SecurityToken"]
	case familyROA:
		r.AccessKeyID, _, _ = strings.Cut(strings.TrimPrefix(c.r.Header.Get("Authorization"), "acs "), ":")
		r.SecurityToken = c.r.Header.Get("x-acs-security-token")
		maps.Copy(r.Params, c.params)
		r.Params["TaskId"] = c.taskID
	case familyTencent:
		r.Region = c.r.Header.Get("X-TC-Region")
		if c.r.Method == "GET" {
			for k, v := range firstValues(c.r.URL.Query()) {
				if !tencentCommonParams[k] {
					r.Params[k] = v
				}
			}
		} else {
			flattenJSONBody(c.body, r.Params)
		}
		// The OIDC token is a credential: its presence is kept, not its value.
		if _, ok := r.Params["WebIdentityToken"]; ok {
			r.Params["WebIdentityToken"] = "(set)"
		}
		if auth, ok := parseTC3Authorization(c.r.Header.Get("Authorization")); ok {
			r.AccessKeyID, r.SecurityToken = auth.secretID, c.r.Header.Get("X-TC-Token")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[c.api] = append(s.requests[c.api], r)
}

// flattenJSONBody adds the fields of a JSON object to out with the GET
// spelling of Tencent's API: nested fields joined by dots, array elements by
// their index. A body that is not a JSON object adds nothing; the API rejects
// it later.
func flattenJSONBody(body []byte, out map[string]string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		return
	}
	for k, v := range fields {
		flattenJSONValue(k, v, out)
	}
}

func flattenJSONValue(name string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			flattenJSONValue(name+"."+k, e, out)
		}
	case []any:
		for i, e := range v {
			flattenJSONValue(name+"."+strconv.Itoa(i), e, out)
		}
	case string:
		out[name] = v
	case json.Number:
		out[name] = v.String()
	case bool:
		out[name] = strconv.FormatBool(v)
	}
	// null is what an unset parameter looks like in JSON; the wire has nothing for it.
}
