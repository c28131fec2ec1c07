package provider

import "github.com/hashicorp/terraform-plugin-framework/types"

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
