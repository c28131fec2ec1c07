package endpoint

import "testing"

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Endpoint
		wantErr bool
	}{
		{in: "https://polardb.aliyuncs.com", want: Endpoint{Scheme: "https", Host: "polardb.aliyuncs.com"}},
		{in: "polardb.aliyuncs.com", want: Endpoint{Scheme: "https", Host: "polardb.aliyuncs.com"}},
		{in: "http://127.0.0.1:8080", want: Endpoint{Scheme: "http", Host: "127.0.0.1", Port: "8080"}},
		{in: "HTTP://127.0.0.1:8080/", want: Endpoint{Scheme: "http", Host: "127.0.0.1", Port: "8080"}},
		{in: "127.0.0.1:9000", want: Endpoint{Scheme: "https", Host: "127.0.0.1", Port: "9000"}},
		{in: "http://[::1]:9000", want: Endpoint{Scheme: "http", Host: "::1", Port: "9000"}},
		{in: "", wantErr: true},
		{in: "ftp://host", wantErr: true},
		{in: "https://host/path", wantErr: true},
		{in: "https://host?x=1", wantErr: true},
		{in: "https://user:pw@host", wantErr: true},
		{in: "http://host:99999", wantErr: true},
		{in: "http://:80", wantErr: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Parse(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if got := (Endpoint{Scheme: "http", Host: "::1", Port: "9"}).String(); got != "http://[::1]:9" {
		t.Errorf("String() = %q", got)
	}
	// Found by FuzzParse: without a port the brackets were dropped, and "https://::1" is no URL.
	if got := (Endpoint{Scheme: "https", Host: "::1"}).String(); got != "https://[::1]" {
		t.Errorf("String() = %q", got)
	}
}
