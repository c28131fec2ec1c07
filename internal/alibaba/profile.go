package alibaba

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// profileIndex is what this provider reads of the aliyun CLI configuration file itself: the
// current profile, the profile names and their regions, which credentials-go does not expose.
// The credentials of a profile, in every mode, come from credentials-go's CLI profile provider.
type profileIndex struct {
	Current  string `json:"current"`
	Profiles []struct {
		Name     string `json:"name"`
		RegionID string `json:"region_id"`
	} `json:"profiles"`
}

// profileLookup is the profile that supplies what the configuration and the environment
// leave unset.
type profileLookup struct {
	file, name string // name is empty when there is no profile file
	found      bool
	regionID   string
}

func (p profileLookup) source() string {
	return fmt.Sprintf("profile %s in %s", p.name, profileFileDisplay)
}

// findProfile looks up the profile named by the argument or the environment (name), else the
// file's current profile, else "default". A profile named explicitly must exist; a missing
// file is no error.
func findProfile(home, name string) (profileLookup, error) {
	file, index, err := readProfileIndex(home)
	if err != nil || index == nil {
		return profileLookup{}, err
	}
	explicit := name != ""
	if !explicit {
		name = index.Current
	}
	p := profileLookup{file: file, name: cmp.Or(name, "default")}
	for _, entry := range index.Profiles {
		if entry.Name == p.name {
			p.found, p.regionID = true, entry.RegionID
			break
		}
	}
	if !p.found && explicit {
		return profileLookup{}, &ProfileError{Profile: p.name, Reason: "no profile of that name"}
	}
	return p, nil
}

// profileCredentials builds credentials-go's CLI profile provider for one profile of file
// and fetches its current credentials. The library's messages name the file by its real
// path, which is replaced with profileFileDisplay.
func profileCredentials(file, name string) (providers.CredentialsProvider, *providers.Credentials, error) {
	clean := func(err error) error {
		// A failed request's URL holds its signature and any security token: keep the cause.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		msg := strings.ReplaceAll(err.Error(), file, profileFileDisplay)
		return &ProfileError{Profile: name, Reason: msg}
	}
	p, err := providers.NewCLIProfileCredentialsProviderBuilder().
		WithProfileFile(file).WithProfileName(name).Build()
	if err != nil {
		return nil, nil, clean(err)
	}
	cc, err := p.GetCredentials()
	if err != nil {
		return nil, nil, clean(err)
	}
	return p, cc, nil
}

// readProfileIndex reads <home>/.aliyun/config.json; a missing file (or no home) is
// "", nil, nil. It returns the file's path for credentials-go.
func readProfileIndex(home string) (string, *profileIndex, error) {
	if home == "" {
		return "", nil, nil
	}
	file := filepath.Join(home, ".aliyun", "config.json")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, &ProfileError{Reason: "cannot be read: " + unwrapPathError(err).Error()}
	}
	var index profileIndex
	// The file holds secrets: the message is json's own, which never quotes the input.
	if err := json.Unmarshal(data, &index); err != nil {
		return "", nil, &ProfileError{Reason: "is not valid JSON: " + err.Error()}
	}
	return file, &index, nil
}

// unwrapPathError drops the file path from an *fs.PathError so messages stay machine-neutral.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
