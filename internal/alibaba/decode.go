package alibaba

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The decoder reads bodies field by field by exact name instead of through struct tags:
// encoding/json matches names case-insensitively and cannot tell an absent field from null
// for a number that may arrive as a string, and both matter when values are kept as the
// API returned them.

// decoder collects the first field error of one body.
type decoder struct {
	err *DecodeError
}

func (d *decoder) fail(path string, err error) {
	if d.err == nil {
		d.err = &DecodeError{Field: path, Err: err}
	}
}

// object is one JSON object of a body; a nil fields map (absent or null object) answers nil
// for every field.
type object struct {
	d      *decoder
	path   string
	fields map[string]json.RawMessage
}

// parseBody reads a body that must be a JSON object.
func parseBody(body []byte) (object, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return object{}, &DecodeError{Err: err}
	}
	if fields == nil {
		return object{}, &DecodeError{Err: errors.New("the body is null, not an object")}
	}
	return object{d: &decoder{}, fields: fields}, nil
}

func (o object) fieldPath(name string) string {
	if o.path == "" {
		return name
	}
	return o.path + "." + name
}

// raw returns a field's JSON text, or nil when it is absent or null.
func (o object) raw(name string) json.RawMessage {
	v, ok := o.fields[name]
	if !ok {
		return nil
	}
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	return v
}

// str returns a string field verbatim. A number or boolean where a string is documented is
// kept as its JSON text, and so is an object or array (some fields carry JSON documents).
func (o object) str(name string) *string {
	v := o.raw(name)
	if v == nil {
		return nil
	}
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			o.d.fail(o.fieldPath(name), err)
			return nil
		}
		return &s
	}
	s := string(v)
	return &s
}

// int returns an integer field from a JSON number or a numeric string. An empty string is
// taken as absent; anything else that is not an integer is a decode error naming the field.
func (o object) int(name string) *int64 {
	v := o.raw(name)
	if v == nil {
		return nil
	}
	text := string(v)
	switch v[0] {
	case '"':
		if err := json.Unmarshal(v, &text); err != nil {
			o.d.fail(o.fieldPath(name), err)
			return nil
		}
		text = strings.TrimSpace(text)
		if text == "" {
			return nil
		}
	case '{', '[', 't', 'f':
		o.d.fail(o.fieldPath(name), fmt.Errorf("want an integer, got %s", truncateJSON(v)))
		return nil
	}
	n, err := parseInteger(text)
	if err != nil {
		o.d.fail(o.fieldPath(name), err)
		return nil
	}
	return &n
}

func parseInteger(text string) (int64, error) {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	// Accept integral values written as floats ("10.0", "1e3"), as JSON encoders may.
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number", text)
	}
	if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not an integer", text)
	}
	return int64(f), nil
}

// object returns a nested object; absent or null gives an object whose fields are all nil.
func (o object) object(name string) object {
	child := object{d: o.d, path: o.fieldPath(name)}
	v := o.raw(name)
	if v == nil {
		return child
	}
	if err := json.Unmarshal(v, &child.fields); err != nil || v[0] != '{' {
		o.d.fail(child.path, fmt.Errorf("want an object, got %s", truncateJSON(v)))
	}
	return child
}

// array returns the objects of an array field: nil when absent or null, empty when []. A
// null element reads as an object whose fields are all nil.
func (o object) array(name string) []object {
	v := o.raw(name)
	if v == nil {
		return nil
	}
	path := o.fieldPath(name)
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil || v[0] != '[' {
		o.d.fail(path, fmt.Errorf("want an array, got %s", truncateJSON(v)))
		return nil
	}
	out := make([]object, len(items))
	for i, item := range items {
		out[i] = object{d: o.d, path: fmt.Sprintf("%s[%d]", path, i)}
		item = bytes.TrimSpace(item)
		if string(item) == "null" {
			continue
		}
		if len(item) == 0 || item[0] != '{' {
			o.d.fail(out[i].path, fmt.Errorf("want an object, got %s", truncateJSON(item)))
			continue
		}
		if err := json.Unmarshal(item, &out[i].fields); err != nil {
			o.d.fail(out[i].path, err)
		}
	}
	return out
}

// requestID returns the body's top-level RequestId, "" when absent.
func (o object) requestID() string {
	if s := o.str("RequestId"); s != nil {
		return *s
	}
	return ""
}

// finish returns the first field error, completed with the API and request id.
func (o object) finish(api string) error {
	if o.d.err == nil {
		return nil
	}
	o.d.err.API = api
	o.d.err.RequestID = o.requestID()
	return o.d.err
}

func truncateJSON(v []byte) string {
	const limit = 40
	if len(v) > limit {
		return string(v[:limit]) + "..."
	}
	return string(v)
}
