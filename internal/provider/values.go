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
	return joinOr(quoted)
}

// joinOr renders "Waiting, Running or Pause".
func joinOr(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
