package alibaba

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// The SDK parses an error answer (any status outside 2xx) with type assertions: a RequestId,
// HostId, Code, Recommend or Message that is not a string, or an AccessDeniedDetail that is
// not an object, panics inside the SDK and would crash the provider. errorBodyForSDK rewrites
// such fields before the SDK sees the body: a scalar or array is kept as its JSON text in a
// string, so the error still shows what the server sent.

// sdkErrorStringFields are the error body fields the SDK asserts to be strings.
var sdkErrorStringFields = []string{"RequestId", "HostId", "Code", "Recommend", "Message"}

// maxErrorBodyBytes bounds what is read of an error answer. A longer body is cut here (an
// error document is never this long), so the SDK fails to parse it as JSON and keeps it as
// text, which the error message then clips.
const maxErrorBodyBytes = 1 << 20

// errorBodyForSDK returns body with the fields the SDK would panic on made safe, or body
// itself when nothing needs changing (not a JSON object, or all fields of the right type).
func errorBodyForSDK(body []byte) []byte {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil || fields == nil {
		return body
	}
	changed := false
	for _, name := range sdkErrorStringFields {
		v, ok := fields[name]
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		if len(v) == 0 || v[0] == '"' || string(v) == "null" {
			continue
		}
		quoted, err := json.Marshal(string(v))
		if err != nil {
			return body
		}
		fields[name] = quoted
		changed = true
	}
	if v, ok := fields["AccessDeniedDetail"]; ok {
		v = bytes.TrimSpace(v)
		if len(v) == 0 || (v[0] != '{' && string(v) != "null") {
			delete(fields, "AccessDeniedDetail")
			changed = true
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return body
	}
	return out
}

// withSafeErrorBody replaces the body of an error answer by errorBodyForSDK's version.
func withSafeErrorBody(resp *http.Response) (*http.Response, error) {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	closeErr := resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if closeErr != nil {
		return nil, closeErr
	}
	safe := errorBodyForSDK(body)
	resp.Body = io.NopCloser(bytes.NewReader(safe))
	resp.ContentLength = int64(len(safe))
	resp.Header.Del("Content-Length")
	return resp, nil
}
