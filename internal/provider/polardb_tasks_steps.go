package provider

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// polarDBStepJSON is one entry of StepsInfo; json.Number keeps integers exact.
type polarDBStepJSON struct {
	Name     *string      `json:"name"`
	Progress *json.Number `json:"progress"`
	Remain   *json.Number `json:"remain"`
}

// parsePolarDBSteps parses a task's StepsInfo. The documentation's sample answer shows the list
// JSON-escaped once more (`[{\"remain\":0,...}]`), so an escaped text is unescaped and tried
// again. Anything that is not a list of steps gives nil (a null attribute), never an error.
func parsePolarDBSteps(stepsInfo *string) []polarDBTaskStepModel {
	if stepsInfo == nil {
		return nil
	}
	text := strings.TrimSpace(*stepsInfo)
	for range 3 {
		var items []*polarDBStepJSON
		if err := json.Unmarshal([]byte(text), &items); err == nil {
			return polarDBStepModels(items)
		}
		var inner string
		switch {
		case strings.HasPrefix(text, `"`) && json.Unmarshal([]byte(text), &inner) == nil:
		case json.Unmarshal([]byte(`"`+text+`"`), &inner) == nil && inner != text:
		default:
			return nil
		}
		text = strings.TrimSpace(inner)
	}
	return nil
}

func polarDBStepModels(items []*polarDBStepJSON) []polarDBTaskStepModel {
	if items == nil {
		return nil
	}
	steps := make([]polarDBTaskStepModel, len(items))
	for i, item := range items {
		if item == nil {
			steps[i] = polarDBTaskStepModel{Name: types.StringNull(), Progress: types.Int64Null(), Remain: types.Int64Null()}
			continue
		}
		progress, ok1 := jsonInt64(item.Progress)
		remain, ok2 := jsonInt64(item.Remain)
		if !ok1 || !ok2 {
			return nil
		}
		steps[i] = polarDBTaskStepModel{Name: stringValue(item.Name), Progress: progress, Remain: remain}
	}
	return steps
}

// jsonInt64 converts an integral JSON number; ok is false for a fraction or a non-number.
func jsonInt64(n *json.Number) (types.Int64, bool) {
	if n == nil {
		return types.Int64Null(), true
	}
	if v, err := n.Int64(); err == nil {
		return types.Int64Value(v), true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return types.Int64Null(), false
	}
	return types.Int64Value(int64(f)), true
}
