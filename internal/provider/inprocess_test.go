package provider

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cloudtask/terraform-provider-cloudtask/internal/emulator"
)

// inProcessRead is one data source read through the provider's own Configure and the data
// source's Read: the real adapters, SDKs, retries and wait engine, without the terraform CLI,
// so a table of many reads runs in seconds. Logs are captured as JSON lines.
type inProcessRead struct {
	diags diag.Diagnostics
	state tfsdk.State
	logs  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// emulatorProviderConfig is providerBlock's configuration as values; secret overrides both
// clouds' secrets when set (a signature the emulator rejects), accessKey both key ids.
func emulatorProviderConfig(url, accessKey, secret string) map[string]any {
	aliKey, aliSecret := emulator.AlibabaAccessKeyID, emulator.AlibabaAccessKeySecret
	tcID, tcKey := emulator.TencentSecretID, emulator.TencentSecretKey
	if accessKey != "" {
		aliKey, tcID = accessKey, accessKey
	}
	if secret != "" {
		aliSecret, tcKey = secret, secret
	}
	return map[string]any{
		"alibaba": map[string]any{
			"access_key": aliKey, "secret_key": aliSecret, "region": "cn-hangzhou",
			"endpoints": map[string]any{"polardb": url, "bdrc": url, "alidns": url},
		},
		"tencent": map[string]any{
			"secret_id": tcID, "secret_key": tcKey, "region": "ap-shanghai",
			"endpoints": map[string]any{"batch": url},
		},
	}
}

// readInProcess configures a provider with t and providerConfig, then reads the data source
// typeName ("cloudtask_bdrc_task") with the arguments args.
func readInProcess(t *testing.T, tn tuning, providerConfig map[string]any, typeName string, args map[string]any) inProcessRead {
	t.Helper()
	logs := &syncBuffer{}
	ctx := tflogtest.RootLogger(context.Background(), logs)
	p := &cloudtaskProvider{version: "test", tuning: tn}

	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	pv, err := tfValue(ps.Schema.Type().TerraformType(ctx), providerConfig)
	if err != nil {
		t.Fatalf("provider configuration: %v", err)
	}
	var pc provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: ps.Schema, Raw: pv}}, &pc)
	if pc.Diagnostics.HasError() {
		t.Fatalf("configure: %v", pc.Diagnostics)
	}

	var ds datasource.DataSource
	for _, newDS := range p.DataSources(ctx) {
		candidate := newDS()
		var meta datasource.MetadataResponse
		candidate.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "cloudtask"}, &meta)
		if meta.TypeName == typeName {
			ds = candidate
		}
	}
	if ds == nil {
		t.Fatalf("no data source %s", typeName)
	}
	if c, ok := ds.(datasource.DataSourceWithConfigure); ok {
		var cr datasource.ConfigureResponse
		c.Configure(ctx, datasource.ConfigureRequest{ProviderData: pc.DataSourceData}, &cr)
		if cr.Diagnostics.HasError() {
			t.Fatalf("configure %s: %v", typeName, cr.Diagnostics)
		}
	}
	var ss datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &ss)
	typ := ss.Schema.Type().TerraformType(ctx)
	cv, err := tfValue(typ, args)
	if err != nil {
		t.Fatalf("%s configuration: %v", typeName, err)
	}
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: ss.Schema, Raw: tftypes.NewValue(typ, nil)}}
	ds.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config{Schema: ss.Schema, Raw: cv}}, &resp)
	return inProcessRead{diags: resp.Diagnostics, state: resp.State, logs: logs}
}

// tfValue builds a configuration value of type typ from Go values: maps for objects (absent
// attributes are null), slices for lists, and strings, bools and ints.
func tfValue(typ tftypes.Type, v any) (tftypes.Value, error) {
	if v == nil {
		return tftypes.NewValue(typ, nil), nil
	}
	switch typ := typ.(type) {
	case tftypes.Object:
		m, ok := v.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want a map for %s, got %T", typ, v)
		}
		var unknown []string
		for k := range m {
			if _, ok := typ.AttributeTypes[k]; !ok {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return tftypes.Value{}, fmt.Errorf("no attributes %v", unknown)
		}
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			av, err := tfValue(at, m[name])
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("%s: %w", name, err)
			}
			vals[name] = av
		}
		return tftypes.NewValue(typ, vals), nil
	case tftypes.List:
		items, ok := v.([]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want a slice for %s, got %T", typ, v)
		}
		vals := make([]tftypes.Value, 0, len(items))
		for _, it := range items {
			iv, err := tfValue(typ.ElementType, it)
			if err != nil {
				return tftypes.Value{}, err
			}
			vals = append(vals, iv)
		}
		return tftypes.NewValue(typ, vals), nil
	}
	switch v := v.(type) {
	case int:
		return tftypes.NewValue(typ, big.NewFloat(float64(v))), nil
	case int64:
		return tftypes.NewValue(typ, big.NewFloat(float64(v))), nil
	default:
		return tftypes.NewValue(typ, v), nil
	}
}

// stringAttr reads a top-level string attribute of the state.
func (r inProcessRead) stringAttr(t *testing.T, name string) string {
	t.Helper()
	var v types.String
	if d := r.state.GetAttribute(context.Background(), path.Root(name), &v); d.HasError() {
		t.Fatalf("state %s: %v", name, d)
	}
	return v.ValueString()
}

// boolAttr reads a top-level bool attribute of the state.
func (r inProcessRead) boolAttr(t *testing.T, name string) bool {
	t.Helper()
	var v types.Bool
	if d := r.state.GetAttribute(context.Background(), path.Root(name), &v); d.HasError() {
		t.Fatalf("state %s: %v", name, d)
	}
	return v.ValueBool()
}

// warnings are the messages logged at WARN.
func (r inProcessRead) warnings(t *testing.T) []string {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(bytes.NewBufferString(r.logs.String()))
	if err != nil {
		t.Fatalf("decode logs: %v", err)
	}
	var out []string
	for _, e := range entries {
		if e["@level"] == "warn" {
			out = append(out, fmt.Sprint(e["@message"]))
		}
	}
	return out
}
