// Package alibaba is the provider's only production importer of alibaba-cloud-sdk-go.
//
// It resolves Alibaba Cloud credentials (provider configuration, environment, aliyun CLI
// profile), picks each service's endpoint, and reads the four task APIs the data sources
// need: PolarDB DescribeBatchTask and DescribeTasks, BDRC DescribeTask and Alidns
// DescribeBatchResultCount. Requests are signed by the SDK; every retry is a newly signed
// request, paced by a process-wide limiter per API and bounded by the caller's context.
//
// Responses are decoded from the raw body into types that keep what the API returned: a
// field that was absent or JSON null is a nil pointer, strings are kept verbatim.
package alibaba
