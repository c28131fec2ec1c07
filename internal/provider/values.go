package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stringValue stores an API string verbatim; an absent field or JSON null becomes null.
func stringValue(s *string) types.String {
	if s == nil {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

// int64Value stores an API number; an absent field or JSON null becomes null.
func int64Value(n *int64) types.Int64 {
	if n == nil {
		return types.Int64Null()
	}
	return types.Int64Value(*n)
}

// backtickList renders enum values for a description: `A`, `B` or `C`.
func backtickList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}
